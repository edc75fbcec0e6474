import type { TokenState } from '../../../shared/domain/token-state';
import type { TokenStatus } from '../../../shared/domain/token-status';
import type { AuditOwner, AuditRecord } from '../../../shared/domain/store';
import { checkStatusRule, type CsTokenStatus, STATUS_TABLE } from '../../../shared/domain/status-rules';
import type {
  CallResult,
  MdesToken,
  OperationName,
  RequestOf,
  ResponseOf,
} from '../../../shared/adapters/mdes/contract';
import type { MdesCustomer } from '../../../shared/adapters/mdes/customers';
import {
  KeysUnavailableError,
  MdesCircuitOpenError,
  MdesRejectedError,
  MdesUnavailableError,
} from '../../../shared/adapters/mdes/errors';
import {
  type CustomerServiceDeps,
  type MdesCustomerService,
  runTokenOperation,
  searchTokens,
  systemStatus,
  TOKEN_OPERATIONS,
  type TokenOperation,
  updateAccountTokens,
} from '../../../shared/customer-service/customer-service';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const CUSTOMER: MdesCustomer = { customerId: 'CID-A', organization: 'Bank A', baseUrl: 'mtf', secretId: 's' };
const OFFICER = { userId: 'agent-7', userName: 'Ana Souza' };
const TUR = 'DAPLMC0000259339fc95457145a841599b4b25b6c1da653e';
const TUR_2 = 'DAPLMC00002593390000000000000000000000000000002';
const PAN = '5555555555554444';

/** A stored MDES token state of ours. */
function tokenState(tokenId: string, facts: TokenState['facts'] = {}, status: TokenStatus = 'active'): TokenState {
  const at = '2026-11-01T10:00:00.000Z';
  return {
    tokenId,
    status,
    facts: { network: 'MDES', tokenUniqueReference: TUR, ...facts },
    clocks: {},
    firstEventAt: at,
    lastEventAt: at,
  };
}

/** An MDES Search answer holding these accounts and their tokens. */
function searchBody(accounts: { AccountPanSuffix: string; tokens: Partial<MdesToken>[] }[]): ResponseOf<'search'> {
  return {
    SearchResponse: {
      Accounts: {
        Account: accounts.map((a) => ({ AccountPanSuffix: a.AccountPanSuffix, Tokens: { Token: a.tokens } })),
      },
    },
  };
}

/**
 * A fake {@link MdesCustomerService} (no HTTP, no simulator): MDES knows `accounts`; an operation
 * listed in `failures` throws that error; every method is a jest spy.
 */
class FakeMdes implements MdesCustomerService {
  circuitState: MdesCustomerService['circuitState'] = 'closed';
  accounts: { AccountPanSuffix: string; tokens: Partial<MdesToken>[] }[];
  /** Per operation, what it throws instead of answering. */
  readonly failures = new Map<OperationName, unknown>();
  /** The write's response was lost and the client's search confirmed it (as the client reports it). */
  confirmedBySearch = false;
  /** The TURs Token Update answers it updated; `beforeUpdateAnswers` runs first. */
  updated: string[] = [TUR];
  beforeUpdateAnswers?: () => Promise<void>;

  constructor(mdesToken: Partial<MdesToken>) {
    this.accounts = [{ AccountPanSuffix: '4444', tokens: [mdesToken] }];
    const self = this as FakeMdes;
    for (const method of ['call', 'search', 'update', 'systemStatus'] as const) jest.spyOn(self, method);
  }

  private failIfTold(name: OperationName) {
    if (this.failures.has(name)) throw this.failures.get(name);
  }

  async call<N extends OperationName>(name: N, _request: RequestOf<N>): Promise<CallResult<N>> {
    this.failIfTold(name);
    const body = name === 'search' ? searchBody(this.accounts) : {};
    return this.confirmedBySearch
      ? { body: body as ResponseOf<N>, attempts: 2, confirmedBySearch: true }
      : { body: body as ResponseOf<N>, attempts: 1 };
  }

  async search(_request: RequestOf<'search'>): Promise<CallResult<'search'>> {
    this.failIfTold('search');
    return { body: searchBody(this.accounts), attempts: 1 };
  }

  async update(_request: RequestOf<'update'>): Promise<CallResult<'update'>> {
    this.failIfTold('update');
    await this.beforeUpdateAnswers?.();
    return {
      body: { TokenUpdateResponse: { Tokens: { Token: this.updated.map((t) => ({ TokenUniqueReference: t })) } } },
      attempts: 1,
    };
  }

  async systemStatus(): Promise<CallResult<'systemStatus'>> {
    this.failIfTold('systemStatus');
    return { body: { SystemStatusResponse: { CommentText: 'all systems normal' } }, attempts: 1 };
  }
}

/** What each audit write carried when it was written (the store keeps only the last version). */
interface AuditWrite {
  owner: AuditOwner;
  auditId: string;
  outcome: AuditRecord['outcome'];
  httpStatus: number;
}

async function setup(states: TokenState[], mdesToken?: Partial<MdesToken>, deps: Partial<CustomerServiceDeps> = {}) {
  const store = new MemoryTokenStore();
  for (const s of states) await store.putTokenState(s, undefined);
  const client = new FakeMdes(mdesToken ?? { TokenUniqueReference: TUR, CurrentStatusCode: 'A' });
  const collisions: { tur: string; tokenIds: string[] }[] = [];
  const auditWrites: AuditWrite[] = [];
  const putAudit = store.putAudit.bind(store);
  store.putAudit = async (owner, record) => {
    auditWrites.push({ owner, auditId: record.auditId, outcome: record.outcome, httpStatus: record.httpStatus });
    await putAudit(owner, record);
  };
  const all: CustomerServiceDeps = {
    store,
    connection: () => ({ customer: CUSTOMER, client }),
    onTurCollision: (c) => collisions.push(c),
    ...deps,
  };
  return { store, client, collisions, auditWrites, deps: all };
}

const audits = (store: MemoryTokenStore) => [...store.audit.values()].flat();

async function errorOf(
  p: Promise<unknown>,
): Promise<{ name: string; statusCode: number; message: string; kind: string }> {
  try {
    await p;
  } catch (e) {
    return e as { name: string; statusCode: number; message: string; kind: string };
  }
  throw new Error('expected a rejection');
}

describe('customer service use cases', () => {
  describe('runTokenOperation', () => {
    it('refuses with 409 naming both tokens when two of ours carry the TUR, calls nothing, reports it', async () => {
      const { client, collisions, deps } = await setup([tokenState('t1'), tokenState('t2')]);
      const err = await errorOf(
        runTokenOperation(
          { ref: { tur: TUR }, operation: 'suspend', officer: OFFICER, params: { ReasonCode: 'T' } },
          deps,
        ),
      );
      expect(err).toMatchObject({ name: 'TurCollisionError', statusCode: 409 });
      expect(err.message).toMatch(/t1.*t2|t2.*t1/);
      expect(collisions).toEqual([{ tur: TUR, tokenIds: expect.arrayContaining(['t1', 't2']) }]);
      expect(client.call).not.toHaveBeenCalled();
      expect(client.search).not.toHaveBeenCalled();
    });

    it('refuses by token id too when another token claims the same TUR', async () => {
      const { client, deps } = await setup([tokenState('t1'), tokenState('t2')]);
      const err = await errorOf(
        runTokenOperation({ ref: { tokenId: 't1' }, operation: 'comments', officer: OFFICER, params: {} }, deps),
      );
      expect(err).toMatchObject({ name: 'TurCollisionError', statusCode: 409 });
      expect(client.call).not.toHaveBeenCalled();
    });

    it('refuses with 403 a token whose organisation another MDES customer serves, before any call or audit', async () => {
      const { store, client, deps } = await setup([tokenState('t1', { orgId: 'org-b' })], undefined, {
        servesToken: (customerId, orgId) => customerId === 'CID-A' && orgId === 'org-a',
      });
      for (const ref of [{ tokenId: 't1' }, { tur: TUR }]) {
        const err = await errorOf(
          runTokenOperation({ ref, operation: 'suspend', officer: OFFICER, params: { ReasonCode: 'T' } }, deps),
        );
        expect(err).toMatchObject({ name: 'TokenOfOtherCustomerError', statusCode: 403 });
      }
      expect(client.search).not.toHaveBeenCalled();
      expect(client.call).not.toHaveBeenCalled();
      expect(audits(store)).toEqual([]);
    });

    describe('unsuspend of a cardholder suspension', () => {
      const suspendedByCardholder = (WalletId: string) => ({
        TokenUniqueReference: TUR,
        CurrentStatusCode: 'S',
        Suspenders: { Suspender: ['C'] },
        WalletId,
      });

      it('is refused without override (multi-suspender rule), naming the override', async () => {
        const { client, deps } = await setup([tokenState('t1')], suspendedByCardholder('103'));
        const err = await errorOf(
          runTokenOperation(
            { ref: { tokenId: 't1' }, operation: 'unsuspend', officer: OFFICER, params: { ReasonCode: 'F' } },
            deps,
          ),
        );
        expect(err).toMatchObject({ statusCode: 409, message: expect.stringContaining('"override": true') });
        expect(client.call).not.toHaveBeenCalled();
      });

      it('is done with override: true on an Apple Pay token, audited as an override', async () => {
        const { store, client, deps } = await setup([tokenState('t1')], suspendedByCardholder('103'));
        const out = await runTokenOperation(
          {
            ref: { tokenId: 't1' },
            operation: 'unsuspend',
            officer: OFFICER,
            params: { ReasonCode: 'F', override: true },
          },
          deps,
        );
        expect(out).toMatchObject({ override: 'CARDHOLDER_SUSPENSION', suspendersBefore: ['cardholder'] });
        // `override` is ours: MDES gets its own request only.
        expect(client.call).toHaveBeenCalledWith(
          'unsuspend',
          expect.not.objectContaining({ override: expect.anything() }),
        );
        expect(audits(store)).toEqual([
          expect.objectContaining({
            operation: 'unsuspend',
            outcome: 'DONE',
            parameters: expect.objectContaining({ override: 'CARDHOLDER_SUSPENSION' }),
          }),
        ]);
      });

      it('is refused with override on another wallet (the spec allows it for Apple Pay only)', async () => {
        const { client, deps } = await setup([tokenState('t1')], suspendedByCardholder('216'));
        const err = await errorOf(
          runTokenOperation(
            {
              ref: { tokenId: 't1' },
              operation: 'unsuspend',
              officer: OFFICER,
              params: { ReasonCode: 'F', override: true },
            },
            deps,
          ),
        );
        expect(err).toMatchObject({ statusCode: 409, message: expect.stringContaining('Apple Pay') });
        expect(client.call).not.toHaveBeenCalled();
      });

      it('refuses override on any other operation (400)', async () => {
        const { deps } = await setup([tokenState('t1')]);
        const err = await errorOf(
          runTokenOperation(
            {
              ref: { tokenId: 't1' },
              operation: 'suspend',
              officer: OFFICER,
              params: { ReasonCode: 'T', override: true },
            },
            deps,
          ),
        );
        expect(err).toMatchObject({ statusCode: 400 });
      });
    });

    it('sends IssuerApplicationMessageDisplay as the spec writes it when given a boolean', async () => {
      const { client, deps } = await setup([tokenState('t1')]);
      await runTokenOperation(
        {
          ref: { tokenId: 't1' },
          operation: 'messages',
          officer: OFFICER,
          params: {
            MessageText: 'Statement credit',
            MessageExpiration: new Date(Date.now() + 86_400_000).toISOString(),
            MessageIdentifier: 'm1',
            MessageLanguageCode: 'en',
            IssuerApplicationMessageDisplay: true,
          },
        },
        deps,
      );
      expect(client.call).toHaveBeenCalledWith(
        'accountHolderMessaging',
        expect.objectContaining({ IssuerApplicationMessageDisplay: 'TRUE' }),
      );
    });
  });

  describe('searchTokens', () => {
    it('answers 409 naming both tokens when a TUR found resolves to two of ours, audited as refused', async () => {
      const { store, collisions, deps } = await setup([tokenState('t1'), tokenState('t2')]);
      const err = await errorOf(searchTokens({ criteria: { AccountPan: PAN }, officer: OFFICER }, deps));
      expect(err).toMatchObject({ name: 'TurCollisionError', statusCode: 409 });
      expect(collisions).toHaveLength(1);
      expect(audits(store)).toEqual([expect.objectContaining({ operation: 'search', outcome: 'REFUSED' })]);
    });

    it('decodes StorageTechnology and passes IncludeDeviceTokenOnly to MDES', async () => {
      const { client, deps } = await setup([], { TokenUniqueReference: TUR, StorageTechnology: 'S' });
      const out = await searchTokens(
        { criteria: { AccountPan: PAN, IncludeDeviceTokenOnly: 'true' }, officer: OFFICER },
        deps,
      );
      expect(out.tokens[0]?.storageTechnology).toEqual({
        code: 'S',
        description: 'Secure Element (SE)',
        deviceBased: true,
      });
      expect(client.search).toHaveBeenCalledWith(expect.objectContaining({ IncludeDeviceTokenOnly: 'true' }));
    });

    it('does not link a token of ours that another MDES customer serves', async () => {
      const { deps } = await setup([tokenState('t1', { orgId: 'org-b' })], undefined, {
        servesToken: (_c, orgId) => orgId === 'org-a',
      });
      const out = await searchTokens({ criteria: { TokenUniqueReference: TUR }, officer: OFFICER }, deps);
      expect(out.tokens.map((t) => [t.tokenUniqueReference, t.tokenId])).toEqual([[TUR, undefined]]);
    });
  });

  describe('updateAccountTokens', () => {
    it('refuses with 409 before MDES changes anything when the account holds a colliding TUR', async () => {
      const { store, client, deps } = await setup([tokenState('t1'), tokenState('t2')]);
      const err = await errorOf(
        updateAccountTokens({ params: { CurrentAccountPan: PAN, ExpirationDate: '1230' }, officer: OFFICER }, deps),
      );
      expect(err).toMatchObject({ name: 'TurCollisionError', statusCode: 409 });
      expect(client.update).not.toHaveBeenCalled();
      expect(audits(store)).toEqual([expect.objectContaining({ operation: 'update-account', outcome: 'REFUSED' })]);
    });
  });
});

/** A valid request of each token operation (so that only the rule under test can refuse it). */
const PARAMS: Record<TokenOperation, Record<string, unknown>> = {
  token: {},
  'status-history': {},
  comments: {},
  transactions: {},
  'activation-methods': {},
  suspend: { ReasonCode: 'T' },
  unsuspend: { ReasonCode: 'F' },
  delete: { ReasonCode: 'T' },
  activate: { ReasonCode: 'A' },
  'resend-activation-code': { ActivationMethodId: '1' },
  'reset-mobile-pin': { ReasonCode: 'N' },
  update: { ExpirationDate: '1230' },
  'update-assurance': { CommentText: 'checked' },
  messages: {
    MessageText: 'Statement credit',
    MessageExpiration: new Date(Date.now() + 86_400_000).toISOString(),
    MessageIdentifier: 'm1',
    MessageLanguageCode: 'en',
    IssuerApplicationMessageDisplay: 'TRUE',
  },
};

/** Each FAQ status as our token status and as MDES's status code. */
const STATUS: Record<CsTokenStatus, { ours: TokenStatus; mdes: string }> = {
  IN_PROGRESS: { ours: 'requested', mdes: 'U' },
  ACTIVE: { ours: 'active', mdes: 'A' },
  SUSPENDED: { ours: 'suspended', mdes: 'S' },
  DELETED: { ours: 'deleted', mdes: 'D' },
};

/** Every (operation, status) pair the FAQ's table forbids. */
const FORBIDDEN = (Object.keys(TOKEN_OPERATIONS) as TokenOperation[]).flatMap((operation) => {
  const mdes = TOKEN_OPERATIONS[operation].mdes as keyof typeof STATUS_TABLE;
  return (Object.keys(STATUS) as CsTokenStatus[])
    .filter((status) => !STATUS_TABLE[mdes].includes(status))
    .map((status) => ({ operation, status, mdes }));
});

/** Rows (what, error, outcome, status) as it.each wants them: the error last (out of the title). */
function errorCases(rows: [string, Error, string, number][]): [string, string, number, Error][] {
  return rows.map(([what, error, outcome, status]) => [what, outcome, status, error]);
}

const run = (deps: CustomerServiceDeps, operation: TokenOperation, params = PARAMS[operation]) =>
  runTokenOperation({ ref: { tokenId: 't1' }, operation, officer: OFFICER, params }, deps);

describe('customer service use cases (fake MDES port)', () => {
  describe('status rules: each operation in each status the FAQ forbids', () => {
    it('covers every operation that some status forbids', () => {
      // Assess: the table leaves only the all-status reads out.
      expect(new Set(FORBIDDEN.map((f) => f.operation))).toEqual(
        new Set(
          (Object.keys(TOKEN_OPERATIONS) as TokenOperation[]).filter(
            (op) => !['token', 'status-history', 'comments'].includes(op),
          ),
        ),
      );
    });

    it.each(FORBIDDEN)('$operation on a $status token: 409 with the rule, MDES not asked to act', async (f) => {
      // Prepare: our token and MDES agree on the forbidden status.
      const { client, store, auditWrites, deps } = await setup([tokenState('t1', {}, STATUS[f.status].ours)], {
        TokenUniqueReference: TUR,
        CurrentStatusCode: STATUS[f.status].mdes,
        Suspenders: { Suspender: ['I'] },
      });

      // Act
      const err = await errorOf(run(deps, f.operation));

      // Assess: the table's own rule, nothing sent to MDES but (at most) the search of its status.
      const verdict = checkStatusRule(f.mdes, f.status);
      expect(verdict.allowed).toBe(false);
      expect(err).toMatchObject({
        name: 'StatusRuleViolationError',
        kind: 'conflict',
        statusCode: 409,
        message: verdict.allowed ? '' : verdict.rule,
      });
      expect(client.call).not.toHaveBeenCalled();
      const write = TOKEN_OPERATIONS[f.operation].write;
      expect(auditWrites.map((w) => w.outcome)).toEqual(write ? ['PENDING', 'REFUSED'] : ['REFUSED']);
      expect(audits(store)).toEqual([
        expect.objectContaining({ operation: f.operation, outcome: 'REFUSED', httpStatus: 409, reason: err.message }),
      ]);
    });

    it('asks MDES when our status forbids the call, and acts on what MDES says', async () => {
      // Prepare: ours says deleted, MDES says active (our view is late).
      const { client, deps } = await setup([tokenState('t1', {}, 'deleted')], {
        TokenUniqueReference: TUR,
        CurrentStatusCode: 'A',
      });

      // Act
      const out = await run(deps, 'delete');

      // Assess
      expect(client.search).toHaveBeenCalledWith(expect.objectContaining({ TokenUniqueReference: TUR }));
      expect(client.call).toHaveBeenCalledWith('delete', expect.objectContaining({ TokenUniqueReference: TUR }));
      expect(out).toMatchObject({ outcome: 'DONE', statusBefore: 'ACTIVE' });
    });

    it('answers 404 when MDES does not know the token it should act on', async () => {
      // Prepare: MDES's search finds another token only.
      const { client, store, deps } = await setup([tokenState('t1')], {
        TokenUniqueReference: TUR_2,
        CurrentStatusCode: 'A',
      });

      // Act
      const err = await errorOf(run(deps, 'suspend'));

      // Assess
      expect(err).toMatchObject({ name: 'NotFoundError', statusCode: 404 });
      expect(client.call).not.toHaveBeenCalled();
      expect(audits(store)).toEqual([expect.objectContaining({ outcome: 'REFUSED', httpStatus: 404 })]);
    });
  });

  describe('multi-suspender', () => {
    it('does not suspend twice: already suspended by the issuer, nothing is sent, audited DONE', async () => {
      // Prepare
      const { client, auditWrites, deps } = await setup([tokenState('t1', {}, 'suspended')], {
        TokenUniqueReference: TUR,
        CurrentStatusCode: 'S',
        Suspenders: { Suspender: ['I'] },
      });

      // Act
      const out = await run(deps, 'suspend');

      // Assess
      expect(client.call).not.toHaveBeenCalled();
      expect(out).toMatchObject({ outcome: 'DONE', mdes: null, suspendersBefore: ['issuer'] });
      expect(out.note).toMatch(/already suspended by the issuer/);
      expect(auditWrites.map((w) => w.outcome)).toEqual(['PENDING', 'DONE']);
    });

    it('suspends a token the wallet suspends: the issuer adds its own suspension', async () => {
      // Prepare
      const { client, deps } = await setup([tokenState('t1', {}, 'suspended')], {
        TokenUniqueReference: TUR,
        CurrentStatusCode: 'S',
        Suspenders: { Suspender: ['W'] },
      });

      // Act
      const out = await run(deps, 'suspend');

      // Assess
      expect(client.call).toHaveBeenCalledWith('suspend', expect.objectContaining({ ReasonCode: 'T' }));
      expect(out).toMatchObject({
        outcome: 'DONE',
        statusBefore: 'SUSPENDED',
        suspendersBefore: ['token requestor (wallet)'],
      });
    });

    it('lifts the issuer suspension and says who still suspends the token', async () => {
      // Prepare
      const { client, deps } = await setup([tokenState('t1', {}, 'suspended')], {
        TokenUniqueReference: TUR,
        CurrentStatusCode: 'S',
        Suspenders: { Suspender: ['I', 'W'] },
      });

      // Act
      const out = await run(deps, 'unsuspend');

      // Assess
      expect(client.call).toHaveBeenCalledWith('unsuspend', expect.objectContaining({ TokenUniqueReference: TUR }));
      expect(out).toMatchObject({ stillSuspendedBy: ['token requestor (wallet)'] });
      expect(out.note).toMatch(/stays suspended by token requestor \(wallet\)/);
    });

    it('refuses to lift a suspension that is not the issuer’s (409 naming the suspenders)', async () => {
      // Prepare
      const { client, store, deps } = await setup([tokenState('t1', {}, 'suspended')], {
        TokenUniqueReference: TUR,
        CurrentStatusCode: 'S',
        Suspenders: { Suspender: ['W', 'P'] },
      });

      // Act
      const err = await errorOf(run(deps, 'unsuspend'));

      // Assess
      expect(err).toMatchObject({ name: 'StatusRuleViolationError', statusCode: 409 });
      expect(err.message).toMatch(/multi-suspender rule.*token requestor \(wallet\), Mobile PIN validation/);
      expect(client.call).not.toHaveBeenCalled();
      expect(audits(store)).toEqual([expect.objectContaining({ operation: 'unsuspend', outcome: 'REFUSED' })]);
    });
  });

  describe('who may act on which token', () => {
    it('refuses a VTS token and a token without a TUR yet (409), before MDES or the audit', async () => {
      for (const facts of [{ network: 'VTS' as const }, { tokenUniqueReference: undefined }]) {
        // Prepare
        const { client, store, deps } = await setup([tokenState('t1', facts)]);

        // Act
        const err = await errorOf(run(deps, 'suspend'));

        // Assess
        expect(err).toMatchObject({ name: 'StatusRuleViolationError', statusCode: 409 });
        expect(client.search).not.toHaveBeenCalled();
        expect(audits(store)).toEqual([]);
      }
    });

    it('answers 404 for a token id we do not know', async () => {
      // Prepare
      const { deps } = await setup([]);

      // Act
      const err = await errorOf(run(deps, 'suspend'));

      // Assess
      expect(err).toMatchObject({ name: 'NotFoundError', statusCode: 404 });
    });

    it('acts by TUR on a token we do not know, audited under the TUR', async () => {
      // Prepare
      const { store, deps } = await setup([]);

      // Act
      const out = await runTokenOperation(
        { ref: { tur: TUR }, operation: 'suspend', officer: OFFICER, params: { ReasonCode: 'T' } },
        deps,
      );

      // Assess
      expect(out).toMatchObject({ tokenId: undefined, tokenUniqueReference: TUR, outcome: 'DONE' });
      expect(store.audit.get(`U#${TUR}`)).toEqual([expect.objectContaining({ outcome: 'DONE' })]);
    });

    it('sends the officer as MDES AuditInfo with the customer’s organization', async () => {
      // Prepare
      const { client, deps } = await setup([tokenState('t1')]);

      // Act
      await run(deps, 'suspend');

      // Assess
      expect(client.call).toHaveBeenCalledWith(
        'suspend',
        expect.objectContaining({
          AuditInfo: { UserId: 'agent-7', UserName: 'Ana Souza', Organization: 'Bank A' },
        }),
      );
    });
  });

  describe('audit: PENDING before a change, then its outcome over the same record', () => {
    it('DONE: the record and the token’s timeline show the officer’s action', async () => {
      // Prepare
      const { store, auditWrites, deps } = await setup([tokenState('t1')]);

      // Act
      const out = await run(deps, 'suspend');

      // Assess
      expect(auditWrites.map((w) => [w.outcome, w.httpStatus])).toEqual([
        ['PENDING', 0],
        ['DONE', 200],
      ]);
      expect(new Set(auditWrites.map((w) => w.auditId))).toEqual(new Set([out.auditId]));
      expect(audits(store)).toEqual([
        expect.objectContaining({
          auditId: out.auditId,
          operation: 'suspend',
          userId: 'agent-7',
          tokenId: 't1',
          tokenUniqueReference: TUR,
          parameters: { ReasonCode: 'T' },
          mdesStatusBefore: 'ACTIVE',
        }),
      ]);
      const timeline = [...(store.timelines.get('T#t1')?.values() ?? [])];
      expect(timeline).toEqual([
        expect.objectContaining({ eventId: `cs-${out.auditId}`, eventType: 'customer_service', callMethod: 'SUSPEND' }),
      ]);
    });

    it('a read is audited once, after (it changes nothing at MDES)', async () => {
      // Prepare
      const { auditWrites, deps } = await setup([tokenState('t1')]);

      // Act
      await run(deps, 'comments');

      // Assess
      expect(auditWrites.map((w) => w.outcome)).toEqual(['DONE']);
    });

    it.each(
      errorCases([
        [
          'MDES refuses',
          new MdesRejectedError('suspend', 400, [{ reasonCode: 'INVALID_TOKEN_STATUS', recoverable: false }]),
          'REFUSED',
          422,
        ],
        ['MDES fails', new MdesUnavailableError('suspend', 'HTTP 500', true), 'FAILED', 502],
        ['the circuit is open', new MdesCircuitOpenError('suspend'), 'FAILED', 503],
        ['our keys are unavailable', new KeysUnavailableError('the signing key expired'), 'FAILED', 503],
        ['something unexpected breaks', new TypeError('boom'), 'FAILED', 500],
      ]),
    )('%s: the record becomes %s (%s)', async (_what, outcome, httpStatus, error) => {
      // Prepare
      const { client, store, auditWrites, deps } = await setup([tokenState('t1')]);
      client.failures.set('suspend', error);

      // Act
      const err = await errorOf(run(deps, 'suspend'));

      // Assess: the caller gets the error itself; the audit its outcome.
      expect(err).toBe(error);
      expect(auditWrites.map((w) => [w.outcome, w.httpStatus])).toEqual([
        ['PENDING', 0],
        [outcome, httpStatus],
      ]);
      const [record] = audits(store);
      expect(record?.reason).toBe(error instanceof TypeError ? 'internal error' : (error as Error).message);
      if (error instanceof MdesRejectedError) expect(record?.mdesReason).toBe('INVALID_TOKEN_STATUS');
      else expect(record).not.toHaveProperty('mdesReason');
    });

    it('keys unavailable while MDES is asked for the status: FAILED, not REFUSED', async () => {
      // Prepare: our status is unknown to the table for unsuspend, so MDES is searched first.
      const { client, store, deps } = await setup([tokenState('t1', {}, 'suspended')]);
      client.failures.set('search', new KeysUnavailableError('cannot read secret s (ResourceNotFoundException)'));

      // Act
      const err = await errorOf(run(deps, 'unsuspend'));

      // Assess
      expect(err).toMatchObject({ name: 'KeysUnavailableError', kind: 'unavailable', statusCode: 503 });
      expect(audits(store)).toEqual([expect.objectContaining({ outcome: 'FAILED', httpStatus: 503 })]);
    });
  });

  describe('a write whose response was lost', () => {
    it('is DONE when the client reports a search confirmed it, and says so', async () => {
      // Prepare
      const { client, store, deps } = await setup([tokenState('t1')]);
      client.confirmedBySearch = true;

      // Act
      const out = await run(deps, 'delete');

      // Assess
      expect(out).toMatchObject({ outcome: 'DONE', note: 'the MDES response was lost; a search confirmed the change' });
      expect(audits(store)).toEqual([
        expect.objectContaining({
          outcome: 'DONE',
          reason: 'the MDES response was lost; a search confirmed the change',
        }),
      ]);
    });

    it('is FAILED when the client could not confirm it (its MdesUnavailableError)', async () => {
      // Prepare
      const { client, store, deps } = await setup([tokenState('t1')]);
      client.failures.set('delete', new MdesUnavailableError('delete', 'timed out', true));

      // Act
      await errorOf(run(deps, 'delete'));

      // Assess
      expect(audits(store)).toEqual([expect.objectContaining({ outcome: 'FAILED', httpStatus: 502 })]);
    });
  });

  describe('searchTokens', () => {
    it('answers each token of the response with its account, status, suspenders and allowed operations', async () => {
      // Prepare: two accounts; one token is ours.
      const { client, store, deps } = await setup([tokenState('t1')]);
      client.accounts = [
        {
          AccountPanSuffix: '4444',
          tokens: [{ TokenUniqueReference: TUR, CurrentStatusCode: 'A', WalletId: '103', TokenSuffix: '1234' }],
        },
        {
          AccountPanSuffix: '1111',
          tokens: [{ TokenUniqueReference: TUR_2, CurrentStatusCode: 'S', Suspenders: { Suspender: ['I', 'C'] } }],
        },
      ];

      // Act
      const out = await searchTokens({ criteria: { AccountPan: PAN }, officer: OFFICER }, deps);

      // Assess
      expect(out.customerId).toBe('CID-A');
      expect(out.tokens).toEqual([
        expect.objectContaining({
          tokenUniqueReference: TUR,
          tokenId: 't1',
          accountPanSuffix: '4444',
          status: 'ACTIVE',
          suspenders: [],
          walletId: '103',
          tokenSuffix: '1234',
          allowedOperations: [
            'token',
            'status-history',
            'comments',
            'transactions',
            'suspend',
            'delete',
            'reset-mobile-pin',
            'update',
            'update-assurance',
            'messages',
          ],
        }),
        expect.objectContaining({
          tokenUniqueReference: TUR_2,
          tokenId: undefined,
          accountPanSuffix: '1111',
          status: 'SUSPENDED',
          suspenders: ['issuer', 'cardholder'],
          allowedOperations: expect.arrayContaining(['unsuspend', 'suspend', 'delete']),
        }),
      ]);
      expect(out.tokens[1]?.allowedOperations).not.toContain('activate');
      // One DONE record per token, under our id or the TUR; the criterion named, never its value.
      expect(store.audit.get('T#t1')).toEqual([
        expect.objectContaining({ operation: 'search', outcome: 'DONE', parameters: { criterion: 'AccountPan' } }),
      ]);
      expect(store.audit.get(`U#${TUR_2}`)).toEqual([expect.objectContaining({ outcome: 'DONE' })]);
      expect(JSON.stringify([...store.audit.values()])).not.toContain(PAN);
      expect(out.auditIds).toHaveLength(2);
    });

    it('audits an empty answer under the day', async () => {
      // Prepare
      const { client, store, deps } = await setup([], undefined, { now: () => new Date('2026-11-02T08:00:00Z') });
      client.accounts = [];

      // Act
      const out = await searchTokens({ criteria: { AccountPan: PAN }, officer: OFFICER }, deps);

      // Assess
      expect(out.tokens).toEqual([]);
      expect(store.audit.get('D#2026-11-02')).toEqual([
        expect.objectContaining({ outcome: 'DONE', reason: 'no token found' }),
      ]);
    });

    it('refuses invalid criteria (400) before MDES and the audit', async () => {
      // Prepare
      const { client, store, deps } = await setup([]);

      // Act
      const err = await errorOf(
        searchTokens({ criteria: { AccountPan: PAN, TokenUniqueReference: TUR }, officer: OFFICER }, deps),
      );

      // Assess
      expect(err).toMatchObject({ name: 'ValidationError', statusCode: 400 });
      expect(client.search).not.toHaveBeenCalled();
      expect(audits(store)).toEqual([]);
    });

    it.each(
      errorCases([
        [
          'MDES refuses',
          new MdesRejectedError('search', 400, [{ reasonCode: 'INVALID_PAN', recoverable: false }]),
          'REFUSED',
          422,
        ],
        ['our keys are unavailable', new KeysUnavailableError('the signing key expired'), 'FAILED', 503],
        ['the circuit is open', new MdesCircuitOpenError('search'), 'FAILED', 503],
      ]),
    )('%s: audited %s on the day', async (_what, outcome, httpStatus, error) => {
      // Prepare
      const { client, store, deps } = await setup([]);
      client.failures.set('search', error);

      // Act
      await errorOf(searchTokens({ criteria: { AccountPan: PAN }, officer: OFFICER }, deps));

      // Assess
      expect(audits(store)).toEqual([expect.objectContaining({ operation: 'search', outcome, httpStatus })]);
    });
  });

  describe('updateAccountTokens', () => {
    it('updates every token of the account: the day’s record PENDING then DONE, one DONE per token', async () => {
      // Prepare
      const { client, store, auditWrites, deps } = await setup([tokenState('t1')], undefined, {
        now: () => new Date('2026-11-02T08:00:00Z'),
      });
      client.updated = [TUR, TUR_2];

      // Act
      const out = await updateAccountTokens(
        { params: { CurrentAccountPan: PAN, ExpirationDate: '1230' }, officer: OFFICER },
        deps,
      );

      // Assess
      expect(client.update).toHaveBeenCalledWith(
        expect.objectContaining({ CurrentAccountPan: PAN, ExpirationDate: '1230' }),
      );
      expect(out.updated).toEqual([
        { tokenUniqueReference: TUR, tokenId: 't1' },
        { tokenUniqueReference: TUR_2, tokenId: undefined },
      ]);
      const day = auditWrites.filter((w) => 'day' in w.owner).map((w) => w.outcome);
      expect(day).toEqual(['PENDING', 'DONE']);
      expect(store.audit.get('D#2026-11-02')).toEqual([
        expect.objectContaining({ operation: 'update-account', outcome: 'DONE', reason: '2 token(s) updated' }),
      ]);
      expect(store.audit.get('T#t1')).toEqual([expect.objectContaining({ outcome: 'DONE', tokenId: 't1' })]);
      expect(store.audit.get(`U#${TUR_2}`)).toEqual([expect.objectContaining({ outcome: 'DONE' })]);
      expect(JSON.stringify([...store.audit.values()])).not.toContain(PAN);
    });

    it('reports a TUR collision that appeared after MDES acted, filing that token under its TUR', async () => {
      // Prepare: the collision appears while MDES updates.
      const { client, store, collisions, deps } = await setup([tokenState('t1')], undefined, {
        now: () => new Date('2026-11-02T08:00:00Z'),
      });
      client.beforeUpdateAnswers = () => store.putTokenState(tokenState('t2'), undefined);

      // Act
      const out = await updateAccountTokens(
        { params: { CurrentAccountPan: PAN, ExpirationDate: '1230' }, officer: OFFICER },
        deps,
      );

      // Assess
      expect(out.updated).toEqual([{ tokenUniqueReference: TUR, tokenId: undefined }]);
      expect(collisions).toHaveLength(1);
      expect(store.audit.get(`U#${TUR}`)).toEqual([expect.objectContaining({ outcome: 'DONE' })]);
      expect(store.audit.get('D#2026-11-02')?.[0]?.reason).toMatch(/TUR collisions: (t1\/t2|t2\/t1)/);
    });

    it.each([
      [{ TokenUniqueReference: TUR, ExpirationDate: '1230' }, /POST \/cs\/turs/],
      [{ ExpirationDate: '1230' }, /CurrentAccountPan is required/],
    ])('refuses %j (400) before MDES and the audit', async (params, message) => {
      // Prepare
      const { client, store, deps } = await setup([]);

      // Act
      const err = await errorOf(updateAccountTokens({ params, officer: OFFICER }, deps));

      // Assess
      expect(err).toMatchObject({ name: 'ValidationError', statusCode: 400, message: expect.stringMatching(message) });
      expect(client.update).not.toHaveBeenCalled();
      expect(audits(store)).toEqual([]);
    });

    it.each(
      errorCases([
        ['our keys are unavailable', new KeysUnavailableError('the signing key expired'), 'FAILED', 503],
        ['MDES fails', new MdesUnavailableError('update', 'HTTP 503', true), 'FAILED', 502],
        [
          'MDES refuses',
          new MdesRejectedError('update', 400, [{ reasonCode: 'INVALID_PAN', recoverable: false }]),
          'REFUSED',
          422,
        ],
      ]),
    )('%s: the day’s record becomes %s', async (_what, outcome, httpStatus, error) => {
      // Prepare
      const { client, auditWrites, deps } = await setup([]);
      client.failures.set('update', error);

      // Act
      const err = await errorOf(
        updateAccountTokens({ params: { CurrentAccountPan: PAN, ExpirationDate: '1230' }, officer: OFFICER }, deps),
      );

      // Assess
      expect(err).toBe(error);
      expect(auditWrites.map((w) => [w.outcome, w.httpStatus])).toEqual([
        ['PENDING', 0],
        [outcome, httpStatus],
      ]);
    });
  });

  describe('systemStatus', () => {
    it('answers MDES’s status and the circuit’s state, with no audit', async () => {
      // Prepare
      const { client, store, deps } = await setup([]);
      client.circuitState = 'halfOpen';

      // Act
      const out = await systemStatus(undefined, deps);

      // Assess
      expect(out).toEqual({
        customerId: 'CID-A',
        circuit: 'halfOpen',
        mdes: { SystemStatusResponse: { CommentText: 'all systems normal' } },
      });
      expect(audits(store)).toEqual([]);
    });

    it('passes MDES unavailable on to the caller', async () => {
      // Prepare
      const { client, deps } = await setup([]);
      client.failures.set('systemStatus', new MdesCircuitOpenError('systemStatus'));

      // Act
      const err = await errorOf(systemStatus(undefined, deps));

      // Assess
      expect(err).toMatchObject({ name: 'MdesCircuitOpenError', statusCode: 503 });
    });
  });
});

describe('a FAILED action flags its card for the next reconciliation run (as the lifecycle flow does)', () => {
  const CARD = { cardId: '5271995', accountId: '100001185' };
  const flags = async (store: MemoryTokenStore) => (await store.listReconciliationFlags(10)).items;

  it.each(
    errorCases([
      ['MDES fails', new MdesUnavailableError('suspend', 'HTTP 500', true), 'FAILED', 502],
      ['the circuit is open', new MdesCircuitOpenError('suspend'), 'FAILED', 503],
      ['our keys are unavailable', new KeysUnavailableError('the signing key expired'), 'FAILED', 503],
      ['something unexpected breaks', new TypeError('boom'), 'FAILED', 500],
    ]),
  )('%s during a write: %s (%s), and the card is flagged with the account', async (_what, outcome, status, error) => {
    // Prepare
    const { client, store, deps } = await setup([tokenState('t1', CARD)]);
    client.failures.set('suspend', error);

    // Act
    const err = await errorOf(run(deps, 'suspend'));

    // Assess
    expect(err).toBe(error);
    const [record] = audits(store);
    expect(record).toMatchObject({ outcome, httpStatus: status });
    expect(await flags(store)).toEqual([
      { ...CARD, reason: expect.stringMatching(/^suspend failed: /), at: record?.at },
    ]);
  });

  it('a write addressed by TUR flags the card of our token carrying it', async () => {
    // Prepare
    const { client, store, deps } = await setup([tokenState('t1', CARD)]);
    client.failures.set('delete', new MdesUnavailableError('delete', 'timed out', true));

    // Act
    await errorOf(
      runTokenOperation({ ref: { tur: TUR }, operation: 'delete', officer: OFFICER, params: PARAMS.delete }, deps),
    );

    // Assess
    expect(await flags(store)).toEqual([expect.objectContaining({ cardId: CARD.cardId, accountId: CARD.accountId })]);
  });

  it('nothing is flagged when the write is refused (by a rule or by MDES), or when a read fails', async () => {
    // Prepare
    const { client, store, deps } = await setup([tokenState('t1', CARD)]);
    client.failures.set(
      'suspend',
      new MdesRejectedError('suspend', 400, [{ reasonCode: 'INVALID_TOKEN_STATUS', recoverable: false }]),
    );
    client.failures.set('comments', new MdesUnavailableError('comments', 'HTTP 500', true));

    // Act: refused by MDES, refused by the status table (activate on an active token), a read that fails.
    await errorOf(run(deps, 'suspend'));
    await errorOf(run(deps, 'activate'));
    await errorOf(run(deps, 'comments'));

    // Assess
    expect(
      audits(store)
        .map((a) => [a.operation, a.outcome])
        .sort(),
    ).toEqual([
      ['activate', 'REFUSED'],
      ['comments', 'FAILED'],
      ['suspend', 'REFUSED'],
    ]);
    expect(await flags(store)).toEqual([]);
  });

  it('nothing to flag when no card is known: a TUR we do not hold, a token without its card', async () => {
    // Prepare
    const { client, store, deps } = await setup([tokenState('t1')]);
    client.failures.set('suspend', new MdesUnavailableError('suspend', 'HTTP 500', true));
    client.accounts = [
      {
        AccountPanSuffix: '4444',
        tokens: [
          { TokenUniqueReference: TUR_2, CurrentStatusCode: 'A' },
          { TokenUniqueReference: TUR, CurrentStatusCode: 'A' },
        ],
      },
    ];

    // Act
    await errorOf(run(deps, 'suspend'));
    await errorOf(
      runTokenOperation({ ref: { tur: TUR_2 }, operation: 'suspend', officer: OFFICER, params: PARAMS.suspend }, deps),
    );

    // Assess: both FAILED, nothing flagged.
    expect(audits(store).map((a) => a.outcome)).toEqual(['FAILED', 'FAILED']);
    expect(await flags(store)).toEqual([]);
  });

  it('a flag that cannot be written does not hide the action’s error or its audit', async () => {
    // Prepare
    const { client, store, deps } = await setup([tokenState('t1', CARD)]);
    const mdesDown = new MdesUnavailableError('suspend', 'HTTP 500', true);
    client.failures.set('suspend', mdesDown);
    store.flagCardForReconciliation = async () => {
      throw new Error('DynamoDB throttled');
    };

    // Act
    const err = await errorOf(run(deps, 'suspend'));

    // Assess
    expect(err).toBe(mdesDown);
    expect(audits(store)).toEqual([expect.objectContaining({ outcome: 'FAILED', httpStatus: 502 })]);
  });
});
