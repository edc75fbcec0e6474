import fc from 'fast-check';
import { specOperations, validateAgainstSpec } from '../../../local/mdes-simulator/spec';
import { MdesCustomerServiceClient } from '../../../shared/adapters/mdes/client';
import { luhnValid, OPERATIONS } from '../../../shared/adapters/mdes/contract';
import { parseMdesCustomers } from '../../../shared/adapters/mdes/customers';
import { containsPanLikeDigits, parseIdParam, parseTurParam } from '../../../shared/adapters/mdes/identifiers';
import { allowedCustomersOf, officerCustomersClaim } from '../../../shared/adapters/http/officer-customers';
import { decodeStorageTechnology } from '../../../shared/adapters/mdes/storage-technology';
import { AUDIT, sampleRequest } from '../../../local/mdes-simulator/test-clients';

const TUR = 'DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c';

/** A Luhn-valid number of `length` digits (first digit non-zero, as every PAN). */
function luhnNumber(length: number, seed: number[]): string {
  const body = seed.slice(0, length - 1).map((d, i) => (i === 0 ? (d % 9) + 1 : d));
  for (let check = 0; check <= 9; check++) {
    const n = `${body.join('')}${check}`;
    if (luhnValid(n)) return n;
  }
  throw new Error('unreachable');
}
const luhnArb = fc
  .tuple(fc.integer({ min: 13, max: 19 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }))
  .map(([len, seed]) => luhnNumber(len, seed));

function errorOf(fn: () => unknown): { statusCode?: number; message: string; details?: string[] } {
  try {
    fn();
  } catch (e) {
    return e as { statusCode?: number; message: string; details?: string[] };
  }
  throw new Error('expected an error');
}

describe('MDES contract edges (spec field rules, Customer Service FAQ)', () => {
  describe('accountHolderMessaging', () => {
    const message = (over: Record<string, unknown>) => ({ ...sampleRequest('accountHolderMessaging', TUR), ...over });

    it("parses the spec's own sample request (IssuerApplicationMessageDisplay FALSE)", () => {
      const op = specOperations().find((o) => o.path === '/accountholdermessaging');
      const sample = JSON.parse(op?.samples[0]?.request ?? '{}') as { AccountHolderMessagingRequest: object };
      const body = MdesCustomerServiceClient.buildBody(
        'accountHolderMessaging',
        sample.AccountHolderMessagingRequest as never,
      );
      expect(body).toEqual(sample);
      expect(validateAgainstSpec(op?.requestSchema ?? '', body)).toEqual([]);
    });

    it.each(['TRUE', 'FALSE'])('accepts IssuerApplicationMessageDisplay %s', (v) => {
      expect(() =>
        MdesCustomerServiceClient.buildBody('accountHolderMessaging', message({ IssuerApplicationMessageDisplay: v })),
      ).not.toThrow();
    });

    it('refuses a MessageExpiration more than 30 days ahead, and accepts 29 days', () => {
      const at = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
      const err = errorOf(() =>
        MdesCustomerServiceClient.buildBody('accountHolderMessaging', message({ MessageExpiration: at(31) })),
      );
      expect(err.statusCode).toBe(400);
      expect(err.details?.join()).toContain('MessageExpiration');
      expect(() =>
        MdesCustomerServiceClient.buildBody('accountHolderMessaging', message({ MessageExpiration: at(29) })),
      ).not.toThrow();
    });
  });

  describe('search', () => {
    it('refuses an AlternateAccountIdentifier with spaces', () => {
      const err = errorOf(() =>
        MdesCustomerServiceClient.buildBody('search', {
          AlternateAccountIdentifier: 'NL91 ABNA 0417',
          AuditInfo: AUDIT,
        }),
      );
      expect(err.details?.join()).toContain('AlternateAccountIdentifier');
      expect(
        validateAgainstSpec(
          'SearchRequestSchema',
          MdesCustomerServiceClient.buildBody('search', {
            AlternateAccountIdentifier: 'NL91ABNA0417164300',
            AuditInfo: AUDIT,
          }),
        ),
      ).toEqual([]);
    });

    it('sends IncludeDeviceTokenOnly (named by the FAQ) beside a criterion, and refuses other values', () => {
      expect(
        MdesCustomerServiceClient.buildBody('search', {
          TokenUniqueReference: TUR,
          IncludeDeviceTokenOnly: 'true',
          AuditInfo: AUDIT,
        }),
      ).toMatchObject({ SearchRequest: { IncludeDeviceTokenOnly: 'true' } });
      expect(
        errorOf(() =>
          MdesCustomerServiceClient.buildBody('search', {
            TokenUniqueReference: TUR,
            IncludeDeviceTokenOnly: 'yes' as never,
            AuditInfo: AUDIT,
          }),
        ).details?.join(),
      ).toContain('IncludeDeviceTokenOnly');
    });
  });

  describe('resendActivationCode', () => {
    it('takes a TUR of exactly 48 characters', () => {
      expect(() =>
        MdesCustomerServiceClient.buildBody('resendActivationCode', { ...sampleRequest('resendActivationCode', TUR) }),
      ).not.toThrow();
      for (const tur of [TUR.slice(0, 47), `${TUR}x`])
        expect(
          errorOf(() =>
            MdesCustomerServiceClient.buildBody('resendActivationCode', {
              ...sampleRequest('resendActivationCode', TUR),
              TokenUniqueReference: tur,
            }),
          ).details?.join(),
        ).toContain('TokenUniqueReference');
    });
  });

  describe('decodeStorageTechnology', () => {
    it.each([
      ['D', 'Device memory', true],
      ['P', 'Device memory protected by Trusted Platform Module (TPM)', true],
      ['H', 'Server', false],
      ['E', 'Trusted Execution Environment (TEE)', true],
      ['S', 'Secure Element (SE)', true],
      ['V', 'Virtual Execution Environment (VEE)', true],
    ])('decodes %s as %s (device-based: %s)', (code, description, deviceBased) => {
      expect(decodeStorageTechnology(code)).toEqual({ code, description, deviceBased });
    });

    it('counts an unknown code as device-based (the FAQ: anything but H) and keeps it', () => {
      expect(decodeStorageTechnology('Z')).toEqual({ code: 'Z', deviceBased: true });
      expect(decodeStorageTechnology(undefined)).toBeUndefined();
    });
  });

  describe('parseMdesCustomers', () => {
    const customer = (over: object) =>
      JSON.stringify([{ customerId: 'CID-1', organization: 'Bank', baseUrl: 'mtf', secretId: 's', ...over }]);

    it.each(['sandbox', 'https://sandbox.api.mastercard.com/mdes/csapi/v2'])(
      'fails at start when encryption is on for the sandbox (%s), which has no Search encryption',
      (baseUrl) => {
        expect(() => parseMdesCustomers(customer({ baseUrl, encryption: true }))).toThrow(
          /CID-1 enables payload encryption on the Mastercard sandbox, which has no Search encryption/,
        );
      },
    );

    it('accepts encryption on MTF and production, and the sandbox without encryption', () => {
      expect(parseMdesCustomers(customer({ encryption: true }))).toHaveLength(1);
      expect(parseMdesCustomers(customer({ baseUrl: 'production', encryption: true }))).toHaveLength(1);
      expect(parseMdesCustomers(customer({ baseUrl: 'sandbox', encryption: false }))).toHaveLength(1);
    });
  });
});

describe('path identifiers', () => {
  describe('parseTurParam', () => {
    it('accepts MDES TURs (spec, seed) and a VTS tokenReferenceID', () => {
      for (const tur of [TUR, 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e', 'DNITHE0000000003963'])
        expect(parseTurParam(tur)).toBe(tur);
    });

    it('never accepts a Luhn-valid 13-19 digit number, alone or embedded, and never repeats it', () => {
      fc.assert(
        fc.property(
          luhnArb,
          fc.stringMatching(/^[A-Za-z]{0,6}$/),
          fc.stringMatching(/^[0-9]{0,4}$/),
          fc.stringMatching(/^[a-z]{0,6}$/),
          (pan, prefix, pad, suffix) => {
            for (const candidate of [pan, `${prefix}${pan}${suffix}`, `${prefix}${pad}${pan}${pad}${suffix}`]) {
              const err = errorOf(() => parseTurParam(candidate));
              expect(err.statusCode).toBe(400);
              expect(JSON.stringify(err)).not.toContain(pan);
              expect(err.message).not.toContain(pan);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('parseIdParam', () => {
    it("accepts Pismo's numeric token ids and our own ids", () => {
      for (const id of ['17556', 'cs1', 'ch-ac-idv11', '123456789012']) expect(parseIdParam('tokenId', id)).toBe(id);
    });

    it('refuses any 13-19 digit number and any value holding a Luhn-valid one, without echoing it', () => {
      fc.assert(
        fc.property(luhnArb, fc.stringMatching(/^[a-z_-]{0,5}$/), (pan, around) => {
          for (const candidate of [pan, `${around}${pan}`, `${pan}${around}`]) {
            const err = errorOf(() => parseIdParam('tokenId', candidate));
            expect(err.statusCode).toBe(400);
            expect(JSON.stringify(err) + err.message).not.toContain(pan);
          }
        }),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(fc.stringMatching(/^[1-9][0-9]{12,18}$/), (digits) => {
          expect(() => parseIdParam('tokenId', digits)).toThrow(/never a card number/);
        }),
      );
    });
  });

  describe('containsPanLikeDigits', () => {
    it('spares zero-padded counters that pass Luhn only through leading zeros', () => {
      expect(containsPanLikeDigits('DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c')).toBe(false);
      expect(containsPanLikeDigits('ref-0000000000000000')).toBe(true); // a 16-digit run that passes Luhn
    });
  });
});

describe('officer customers claim', () => {
  describe('allowedCustomersOf', () => {
    it.each([
      [
        ['CID-1', 'CID-2'],
        ['CID-1', 'CID-2'],
      ],
      ['[CID-1 CID-2]', ['CID-1', 'CID-2']], // API Gateway HTTP API flattens arrays like this
      ['CID-1,CID-2', ['CID-1', 'CID-2']],
      ['CID-1', ['CID-1']],
      [undefined, []],
      [42, []],
    ])('reads %j as %j', (claim, expected) => {
      expect(allowedCustomersOf({ mdes_customers: claim }, 'mdes_customers')).toEqual(expected);
    });
  });

  describe('officerCustomersClaim', () => {
    it('defaults to mdes_customers and takes OFFICER_CUSTOMERS_CLAIM', () => {
      expect(officerCustomersClaim({})).toBe('mdes_customers');
      expect(officerCustomersClaim({ OFFICER_CUSTOMERS_CLAIM: 'custom:cids' })).toBe('custom:cids');
      expect(() => officerCustomersClaim({ OFFICER_CUSTOMERS_CLAIM: 'bad claim' })).toThrow();
    });
  });
});

describe('OPERATIONS', () => {
  it('keeps Search encryptable (so the sandbox check matters)', () => {
    expect(OPERATIONS.search.encryptable).toBe(true);
  });
});
