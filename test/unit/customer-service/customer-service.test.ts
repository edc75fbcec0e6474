import type { TokenState } from '../../../shared/domain/token-state';
import type { MdesCustomerServiceClient } from '../../../shared/adapters/mdes/client';
import type { MdesToken } from '../../../shared/adapters/mdes/contract';
import type { MdesConnection, MdesCustomer } from '../../../shared/adapters/mdes/customers';
import {
  type CustomerServiceDeps,
  runTokenOperation,
  searchTokens,
  updateAccountTokens,
} from '../../../shared/customer-service/customer-service';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const CUSTOMER: MdesCustomer = { customerId: 'CID-A', organization: 'Bank A', baseUrl: 'mtf', secretId: 's' };
const OFFICER = { userId: 'agent-7', userName: 'Ana Souza' };
const TUR = 'DAPLMC0000259339fc95457145a841599b4b25b6c1da653e';
const PAN = '5555555555554444';

/** A stored MDES token state of ours. */
function tokenState(tokenId: string, facts: TokenState['facts'] = {}): TokenState {
  const at = '2026-11-01T10:00:00.000Z';
  return {
    tokenId,
    status: 'active',
    facts: { network: 'MDES', tokenUniqueReference: TUR, ...facts },
    clocks: {},
    firstEventAt: at,
    lastEventAt: at,
  };
}

/** An MDES Search answer holding these tokens on one account. */
function searchAnswer(tokens: Partial<MdesToken>[]) {
  return {
    body: { SearchResponse: { Accounts: { Account: [{ AccountPanSuffix: '4444', Tokens: { Token: tokens } }] } } },
    attempts: 1,
  };
}

/** Fakes of the MDES client calls the use cases make; `mdesToken` is what MDES knows of TUR. */
function fakeClient(mdesToken: Partial<MdesToken> = { TokenUniqueReference: TUR, CurrentStatusCode: 'A' }) {
  return {
    search: jest.fn(async () => searchAnswer([mdesToken])),
    call: jest.fn(async () => ({ body: {}, attempts: 1 })),
    update: jest.fn(async () => ({
      body: { TokenUpdateResponse: { Tokens: { Token: [{ TokenUniqueReference: TUR }] } } },
      attempts: 1,
    })),
  };
}

async function setup(states: TokenState[], mdesToken?: Partial<MdesToken>, deps: Partial<CustomerServiceDeps> = {}) {
  const store = new MemoryTokenStore();
  for (const s of states) await store.putTokenState(s, undefined);
  const client = fakeClient(mdesToken);
  const collisions: { tur: string; tokenIds: string[] }[] = [];
  const all: CustomerServiceDeps = {
    store,
    connection: () =>
      ({ customer: CUSTOMER, client: client as unknown as MdesCustomerServiceClient }) as MdesConnection,
    onTurCollision: (c) => collisions.push(c),
    ...deps,
  };
  return { store, client, collisions, deps: all };
}

const audits = (store: MemoryTokenStore) => [...store.audit.values()].flat();

async function errorOf(p: Promise<unknown>): Promise<{ name: string; statusCode: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { name: string; statusCode: number; message: string };
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
