import type { AuditRecord } from '../../../shared/domain/store';
import type { TokenState } from '../../../shared/domain/token-state';
import type { TokenStatus } from '../../../shared/domain/token-status';
import { PismoRejectedError, PismoUnavailableError } from '../../../shared/adapters/pismo/errors';
import {
  actOnDigitalCard,
  type CardholderAction,
  cardholderVerdict,
  listDigitalCards,
  suspendersOf,
} from '../../../shared/cardholder/digital-cards';
import type { CardholderDeps } from '../../../shared/cardholder/ports';
import type { LifecycleDeps, MdesLifecyclePort, PismoLifecyclePort } from '../../../shared/lifecycle/ports';
import { lifecycleCardholderActions } from '../../../functions/cardholder/lifecycle-actions';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const ME = '100002000';
const OTHER = '100001185';
const TUR = 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e';
const AT = '2026-11-01T10:00:00.000Z';

function token(
  tokenId: string,
  status: TokenStatus | undefined,
  facts: TokenState['facts'] = {},
  network: 'MDES' | 'VTS' = 'MDES',
): TokenState {
  return {
    tokenId,
    status,
    statusAt: AT,
    facts: {
      network,
      cardId: '5271995',
      accountId: ME,
      tokenUniqueReference: TUR,
      walletName: 'Apple Pay',
      deviceId: 'dev-1',
      deviceName: "Ana's iPhone",
      ...facts,
    },
    clocks: {},
    firstEventAt: '2026-10-01T10:00:00.000Z',
    lastEventAt: AT,
  };
}

/** An accepted audit record of a suspend or resume, by an agent (no kind) or the cardholder. */
function audit(operation: string, at: string, actorKind?: 'cardholder' | 'policy', outcome = 'DONE'): AuditRecord {
  return {
    auditId: `a-${operation}-${at}`,
    at,
    operation,
    customerId: 'CID-A',
    tokenId: 't1',
    userId: actorKind === 'cardholder' ? ME : 'agent-7',
    userName: 'x',
    ...(actorKind ? { actorKind } : {}),
    outcome: outcome as AuditRecord['outcome'],
    httpStatus: 200,
    latencyMs: 1,
  };
}

async function setup(states: TokenState[], records: AuditRecord[] = [], mdesSuspenders: string[] = ['I']) {
  const store = new MemoryTokenStore();
  for (const s of states) await store.putTokenState(s, undefined);
  for (const r of records) await store.putAudit({ tokenId: r.tokenId ?? 't1' }, r);
  const pismo = {
    performTokenOperation: jest.fn<ReturnType<PismoLifecyclePort['performTokenOperation']>, [unknown, unknown]>(
      async () => ({}),
    ),
    performCardTokenOperation: jest.fn(async () => ({})),
    getCardTokens: jest.fn(async () => ({ tokens: [] })),
    accountOfCard: jest.fn(async () => ME as string | undefined),
  };
  const mdes = {
    customerId: 'CID-A',
    lookup: jest.fn<ReturnType<MdesLifecyclePort['lookup']>, [string, unknown]>(async () => ({
      status: states[0]?.status === 'suspended' ? 'SUSPENDED' : 'ACTIVE',
      suspenders: states[0]?.status === 'suspended' ? mdesSuspenders : [],
    })),
    perform: jest.fn<ReturnType<MdesLifecyclePort['perform']>, [string, unknown]>(async () => ({})),
  };
  const lifecycle: LifecycleDeps = {
    store,
    pismo,
    mdes: () => mdes,
    pismoMastercardPrograms: [],
    now: () => new Date('2026-11-02T10:00:00.000Z'),
  };
  const deps: CardholderDeps = { store, actions: lifecycleCardholderActions(lifecycle) };
  const act = (action: CardholderAction, body: unknown = {}, tokenId = 't1', accountId = ME) =>
    actOnDigitalCard({ accountId, tokenId, action, body }, deps);
  return { store, deps, pismo, mdes, act };
}

const newest = async (store: MemoryTokenStore, tokenId = 't1') =>
  (await store.listAudit({ tokenId }, 10)).find((a) => a.at === '2026-11-02T10:00:00.000Z');

describe('cardholder digital cards', () => {
  describe('actOnDigitalCard: ownership', () => {
    it.each(['turn-off', 'turn-on', 'remove'] as const)(
      '%s: another account’s token and an unknown one answer the same 404; nothing audited or sent',
      async (action) => {
        const { store, act, pismo, mdes } = await setup([token('t1', 'active', { accountId: OTHER })]);
        const theirs = await act(action, {}, 't1').catch((e: unknown) => e);
        const none = await act(action, {}, 'nope').catch((e: unknown) => e);
        expect(theirs).toMatchObject({ statusCode: 404, message: 'digital card t1 not found' });
        expect(none).toMatchObject({ statusCode: 404, message: 'digital card nope not found' });
        expect(await store.listAudit({ tokenId: 't1' }, 10)).toEqual([]);
        expect(pismo.performTokenOperation).not.toHaveBeenCalled();
        expect(mdes.perform).not.toHaveBeenCalled();
      },
    );
  });

  describe('actOnDigitalCard: the toggle under every multi-suspender situation', () => {
    it('turns an active token off as the cardholder: MDES suspend, audited with the account as the actor', async () => {
      const { store, act, mdes } = await setup([token('t1', 'active')]);
      const result = await act('turn-off');
      expect(result).toMatchObject({ tokenId: 't1', action: 'turn-off', outcome: 'REQUESTED' });
      expect(result.expectedStatus).toBe('suspended');
      expect(mdes.perform).toHaveBeenCalledWith('suspend', expect.objectContaining({ tur: TUR }));
      expect(await newest(store)).toMatchObject({
        operation: 'suspend',
        outcome: 'DONE',
        userId: ME,
        actorKind: 'cardholder',
        parameters: expect.objectContaining({ reason: 'CARDHOLDER_REQUEST' }),
      });
    });

    it('turns back on a token only the cardholder suspended (MDES: the issuer is the only suspender)', async () => {
      const { store, act, mdes } = await setup(
        [token('t1', 'suspended')],
        [audit('suspend', '2026-10-30T10:00:00.000Z', 'cardholder')],
      );
      await expect(act('turn-on')).resolves.toMatchObject({ outcome: 'REQUESTED', expectedStatus: 'active' });
      expect(mdes.perform).toHaveBeenCalledWith('unsuspend', expect.anything());
      expect(await newest(store)).toMatchObject({ operation: 'resume', outcome: 'DONE', actorKind: 'cardholder' });
    });

    const refusals: [string, TokenState, AuditRecord[], RegExp][] = [
      ['suspended by the wallet', token('t1', 'suspended', { eventRequestor: 'WALLET' }), [], /only Apple Pay can/],
      [
        'suspended by the cardholder and the wallet',
        token('t1', 'suspended', { eventRequestor: 'WALLET' }),
        [audit('suspend', '2026-10-30T10:00:00.000Z', 'cardholder')],
        /turned off by Apple Pay/,
      ],
      [
        'suspended by the cardholder inside the wallet',
        token('t1', 'suspended', { eventRequestor: 'CARDHOLDER', walletName: 'MDES wallet 999' }),
        [],
        /turned off by the wallet: only the wallet can/,
      ],
      ['suspended by an agent', token('t1', 'suspended'), [audit('suspend', '2026-10-30T10:00:00.000Z')], /your bank/],
      [
        'suspended by the card-status policy',
        token('t1', 'suspended'),
        [audit('suspend', '2026-10-30T10:00:00.000Z', 'policy')],
        /your bank/,
      ],
      [
        'suspended by the cardholder, then again by an agent',
        token('t1', 'suspended'),
        [audit('suspend', '2026-10-29T10:00:00.000Z', 'cardholder'), audit('suspend', '2026-10-30T10:00:00.000Z')],
        /your bank/,
      ],
      ['suspended by nobody we know of', token('t1', 'suspended'), [], /outside this app/],
      [
        'suspended by the issuer outside our API (TV requestor: funding account)',
        token('t1', 'suspended', { eventRequestor: 'FUNDING_ACCOUNT' }),
        [],
        /your bank/,
      ],
    ];
    it.each(refusals)(
      'turn-on of a token %s: 409 with the reason in words, audited REFUSED, nothing sent',
      async (_label, state, records, reason) => {
        const { store, act, mdes } = await setup([state], records, ['I', 'W']);
        await expect(act('turn-on')).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(reason) });
        expect(mdes.perform).not.toHaveBeenCalled();
        expect(await newest(store)).toMatchObject({ operation: 'resume', outcome: 'REFUSED', actorKind: 'cardholder' });
      },
    );

    it('turn-on when our store saw only the cardholder but MDES also lists the wallet: 409 by the lifecycle, nothing sent', async () => {
      const { act, mdes } = await setup(
        [token('t1', 'suspended')],
        [audit('suspend', '2026-10-30T10:00:00.000Z', 'cardholder')],
        ['I', 'W'],
      );
      await expect(act('turn-on')).rejects.toMatchObject({
        statusCode: 409,
        message: expect.stringContaining('token requestor (wallet)'),
      });
      expect(mdes.lookup).toHaveBeenCalled();
      expect(mdes.perform).not.toHaveBeenCalled();
    });

    it('a suspension the cardholder lifted is no longer theirs: a later agent suspension is the bank’s', async () => {
      const records = [
        audit('suspend', '2026-10-28T10:00:00.000Z', 'cardholder'),
        audit('resume', '2026-10-29T10:00:00.000Z', 'cardholder'),
        audit('suspend', '2026-10-30T10:00:00.000Z'),
      ];
      expect(suspendersOf(token('t1', 'suspended'), records)).toEqual(['bank']);
      expect(suspendersOf(token('t1', 'suspended'), records.slice(0, 2))).toEqual(['unknown']);
      // A refused or failed suspension is nobody's.
      expect(suspendersOf(token('t1', 'suspended'), [audit('suspend', AT, 'cardholder', 'FAILED')])).toEqual([
        'unknown',
      ]);
    });

    it.each([
      ['turn-off', 'suspended', /already turned off/],
      ['turn-on', 'active', /already turned on/],
      ['turn-off', 'pending_idv', /still being verified/],
      ['turn-on', 'requested', /still being verified/],
      ['turn-off', 'deleted', /removed/],
      ['remove', 'deleted', /removed/],
      ['turn-on', 'declined', /never added/],
      ['remove', 'failed', /never added/],
    ] as const)('%s of a token %s: 409 (%s)', async (action, status, reason) => {
      const { act, mdes, pismo } = await setup([token('t1', status)]);
      await expect(act(action)).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(reason) });
      expect(mdes.perform).not.toHaveBeenCalled();
      expect(pismo.performTokenOperation).not.toHaveBeenCalled();
    });

    it('removes a token still being verified (the lifecycle allows deleting it)', async () => {
      const { act, mdes } = await setup([token('t1', 'pending_idv')]);
      await expect(act('remove', { reason: 'DEVICE_LOST' })).resolves.toMatchObject({ expectedStatus: 'deleted' });
      expect(mdes.perform).toHaveBeenCalledWith('delete', expect.anything());
    });

    it('Visa: turn off and on through Pismo token operations, as the cardholder', async () => {
      const { store, act, pismo } = await setup([token('t1', 'active', {}, 'VTS')]);
      await act('turn-off');
      expect(pismo.performTokenOperation.mock.calls[0]?.[1]).toMatchObject({ operationType: 'SUSPEND' });
      await store.putTokenState(token('t1', 'suspended', {}, 'VTS'), 1);
      await act('turn-on');
      expect(pismo.performTokenOperation.mock.calls[1]?.[1]).toMatchObject({ operationType: 'RESUME' });
    });

    it('Pismo refusing → 422 with its code, audited REFUSED; Pismo down → 502, audited FAILED, never DONE', async () => {
      const { store, act, pismo } = await setup([token('t1', 'active', {}, 'VTS')]);
      pismo.performTokenOperation.mockRejectedValueOnce(
        new PismoRejectedError('performTokenOperation', 400, { errorCode: 'EWA0001', message: 'no' }),
      );
      await expect(act('turn-off')).rejects.toMatchObject({
        statusCode: 422,
        message: expect.stringContaining('EWA0001'),
      });
      pismo.performTokenOperation.mockRejectedValueOnce(
        new PismoUnavailableError('performTokenOperation', 'timed out', true, { outcome: 'unknown' }),
      );
      await expect(act('turn-off')).rejects.toMatchObject({ statusCode: 502 });
      const outcomes = (await store.listAudit({ tokenId: 't1' }, 10)).map((a) => a.outcome).sort();
      expect(outcomes).toEqual(['FAILED', 'REFUSED']);
    });
  });

  describe('actOnDigitalCard: strict bodies', () => {
    it.each([
      ['turn-off', { reason: 'FRAUD_SUSPECTED' }, 'reason'],
      ['turn-off', { reason: 'CARDHOLDER_REQUEST', comment: 'x' }, 'comment'],
      ['turn-on', { reason: 'CARDHOLDER_REQUEST' }, 'reason'],
      ['remove', { deviceId: 'd' }, 'deviceId'],
      ['remove', [], '(body)'],
    ] as const)('%s with %j: 400 naming %s, before any read', async (action, body, field) => {
      const { act, mdes } = await setup([token('t1', 'active', { accountId: OTHER })]);
      await expect(act(action, body)).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining(field),
      });
      expect(mdes.perform).not.toHaveBeenCalled();
    });
  });

  describe('cardholderVerdict', () => {
    it('takes the network status rules as the last word (a Visa token has no stacked suspension)', () => {
      expect(cardholderVerdict('turn-off', token('t1', 'active', {}, 'VTS'), [])).toEqual({ allowed: true });
      expect(cardholderVerdict('turn-off', token('t1', 'active', { network: 'UNKNOWN' }), [])).toMatchObject({
        allowed: false,
      });
    });
  });

  describe('listDigitalCards', () => {
    it("groups the account's tokens by device and wallet, each with its toggle and reasons", async () => {
      const { deps } = await setup(
        [
          token('t1', 'active'),
          token('t2', 'suspended', { eventRequestor: 'WALLET' }),
          token('t3', 'suspended', { deviceId: 'dev-2', deviceName: 'Watch', walletName: 'Google Pay' }),
          token('t4', 'pending_idv', { deviceId: 'dev-1', walletName: 'Google Pay' }),
          token('t5', 'active', { accountId: OTHER }),
        ],
        [{ ...audit('suspend', '2026-10-30T10:00:00.000Z', 'cardholder'), tokenId: 't3' }],
      );
      const { accountId, devices } = await listDigitalCards(ME, deps);
      expect(accountId).toBe(ME);
      const view = devices.map((g) => ({
        device: g.device.name,
        wallet: g.wallet.name,
        cards: g.digitalCards.map((c) => [c.tokenId, c.canTurnOff, c.canTurnOn, c.canRemove, c.reason ?? null]),
      }));
      expect(view).toEqual(
        expect.arrayContaining([
          {
            device: "Ana's iPhone",
            wallet: 'Apple Pay',
            cards: [
              ['t1', true, false, true, null],
              ['t2', false, false, true, 'turned off by Apple Pay: only Apple Pay can turn it back on'],
            ],
          },
          { device: 'Watch', wallet: 'Google Pay', cards: [['t3', false, true, true, null]] },
          {
            device: "Ana's iPhone",
            wallet: 'Google Pay',
            cards: [['t4', false, false, true, expect.stringContaining('still being verified')]],
          },
        ]),
      );
      expect(devices).toHaveLength(3);
      const t1 = devices[0]?.digitalCards.find((c) => c.tokenId === 't1');
      expect(t1).toMatchObject({ status: 'active', addedAt: '2026-10-01T10:00:00.000Z', lastChangeAt: AT });
      expect(t1?.whyNot).toEqual({ 'turn-on': 'already turned on' });
    });

    it('shows a turn-off requested and not yet confirmed as a pending change', async () => {
      const { deps, act } = await setup([token('t1', 'active')]);
      await act('turn-off');
      const [group] = (await listDigitalCards(ME, deps)).devices;
      expect(group?.digitalCards[0]?.pendingChange).toMatchObject({ action: 'suspend', expectedStatus: 'suspended' });
    });

    it('lists nothing of another account', async () => {
      const { deps } = await setup([token('t1', 'active', { accountId: OTHER })]);
      expect((await listDigitalCards(ME, deps)).devices).toEqual([]);
    });
  });
});
