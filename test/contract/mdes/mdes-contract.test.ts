import { specOperations, validateAgainstSpec } from '../../../local/mdes-simulator/spec';
import { MdesCustomerServiceClient } from '../../../shared/adapters/mdes/client';
import { OPERATION_NAMES, OPERATIONS } from '../../../shared/adapters/mdes/contract';
import * as z from '../../../shared/zod';
import { sampleRequest } from '../../../local/mdes-simulator/test-clients';

const TUR = 'DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c';

describe('MDES Customer Service contract', () => {
  describe('OPERATIONS', () => {
    it('covers exactly the 15 operations of the spec, with the same method and path', () => {
      const spec = specOperations()
        .map((o) => `${o.method} ${o.path}`)
        .sort();
      const ours = OPERATION_NAMES.map((n) => `${OPERATIONS[n].method} ${OPERATIONS[n].path}`).sort();
      expect(spec).toHaveLength(15);
      expect(ours).toEqual(spec);
    });
  });

  describe('buildBody', () => {
    it.each(OPERATION_NAMES.filter((n) => n !== 'systemStatus'))(
      'builds a %s request that validates against the spec',
      (name) => {
        const op = specOperations().find((o) => o.path === OPERATIONS[name].path);
        const body = MdesCustomerServiceClient.buildBody(name, sampleRequest(name, TUR));
        expect(op?.requestSchema).toBeDefined();
        expect(validateAgainstSpec(op?.requestSchema ?? '', body)).toEqual([]);
      },
    );

    it('builds the other search criteria and the update forms so that they validate too', () => {
      const audit = sampleRequest('search', TUR).AuditInfo;
      const bodies = [
        MdesCustomerServiceClient.buildBody('search', { AccountPan: '5454545454545454', AuditInfo: audit }),
        MdesCustomerServiceClient.buildBody('search', {
          Token: '5204731600000001',
          ExcludeDeletedIndicator: 'true',
          AuditInfo: audit,
        }),
        MdesCustomerServiceClient.buildBody('search', { PaymentAppInstanceId: 'pai-1', AuditInfo: audit }),
        MdesCustomerServiceClient.buildBody('search', { CommentId: '1001', AuditInfo: audit }),
      ];
      for (const b of bodies) expect(validateAgainstSpec('SearchRequestSchema', b)).toEqual([]);
      const byPan = MdesCustomerServiceClient.buildBody('update', {
        CurrentAccountPan: '5454545454545454',
        IssuerProductConfigurationId: 'PC-2',
        AuditInfo: audit,
      });
      expect(validateAgainstSpec('TokenUpdateRequestSchema', byPan)).toEqual([]);
      const activateByPan = MdesCustomerServiceClient.buildBody('activate', {
        AccountPan: '5454545454545454',
        PaymentAppInstanceId: 'pai-1',
        ReasonCode: 'A',
        AuditInfo: audit,
      });
      expect(validateAgainstSpec('TokenActivateRequestSchema', activateByPan)).toEqual([]);
    });

    const audit = { UserId: 'agent-7', UserName: 'Ana', Organization: 'Demo Bank' };
    it.each([
      [
        'a missing AuditInfo user',
        'search',
        { TokenUniqueReference: TUR, AuditInfo: { ...audit, UserId: '' } },
        'AuditInfo.UserId',
      ],
      [
        'two search criteria',
        'search',
        { TokenUniqueReference: TUR, AccountPan: '5454545454545454', AuditInfo: audit },
        'SearchCriteria',
      ],
      [
        'an unknown reason code',
        'suspend',
        { TokenUniqueReference: TUR, ReasonCode: 'Q', AuditInfo: audit },
        'ReasonCode',
      ],
      [
        'a comment over 500 characters',
        'delete',
        { TokenUniqueReference: TUR, ReasonCode: 'Z', CommentText: 'x'.repeat(501), AuditInfo: audit },
        'CommentText',
      ],
      ['a PAN failing Luhn', 'search', { AccountPan: '5454545454545455', AuditInfo: audit }, 'AccountPan'],
      [
        'both a PAN mapping and a product configuration',
        'update',
        { TokenUniqueReference: TUR, ExpirationDate: '0930', IssuerProductConfigurationId: 'PC-1', AuditInfo: audit },
        'IssuerProductConfigurationId',
      ],
      [
        'a TUR and a current PAN at once',
        'update',
        { TokenUniqueReference: TUR, CurrentAccountPan: '5454545454545454', ExpirationDate: '0930', AuditInfo: audit },
        'TokenUniqueReference',
      ],
      [
        'an unknown field',
        'suspend',
        { TokenUniqueReference: TUR, ReasonCode: 'L', Extra: 1, AuditInfo: audit },
        '(body)',
      ],
    ] as const)('refuses %s, naming the field', (_label, name, request, field) => {
      let error: unknown;
      try {
        MdesCustomerServiceClient.buildBody(name, request as never);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ name: 'ValidationError', statusCode: 400 });
      expect((error as { details: string[] }).details.join('\n')).toContain(field);
    });
  });

  describe('response schemas', () => {
    const samples = specOperations().flatMap((o) =>
      o.samples
        .filter((s) => s.response && s.response.replace(/\s/g, '') !== '{}')
        .map((s) => [s.name, o.path, s.response ?? ''] as const),
    );

    it('has example responses to check', () => {
      expect(samples.length).toBeGreaterThanOrEqual(12);
    });

    it.each(samples)('parses the spec example %s (%s) with our types', (_name, path, response) => {
      const name = OPERATION_NAMES.find((n) => OPERATIONS[n].path === path);
      const parsed = z.safeParse(OPERATIONS[name ?? 'search'].response as z.core.$ZodType, JSON.parse(response));
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      // ... and carries the wrapper we read, typed as we declare it (not just "any object").
      const shape = (OPERATIONS[name ?? 'search'].response as unknown as { _zod: { def: { shape: object } } })._zod.def
        .shape;
      expect(Object.keys(shape)).toContain(Object.keys(JSON.parse(response) as object)[0]);
    });

    it('parses the spec ErrorsResponse example', () => {
      const example = {
        Errors: {
          Error: [
            {
              Description: 'The date field is missing.',
              ErrorCode: 'DATE',
              ReasonCode: 'EMPTY_RESULT',
              Source: 'Atms',
              Recoverable: 'true',
            },
          ],
        },
      };
      expect(validateAgainstSpec('ErrorsResponse', example)).toEqual([]);
    });
  });
});
