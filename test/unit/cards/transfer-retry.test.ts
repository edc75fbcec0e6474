import type { CardChange, PanUpdateFailure } from '../../../shared/domain/card';
import { transferRetryId } from '../../../shared/domain/card';
import type { TokenState } from '../../../shared/domain/token-state';
import { PismoRejectedError, PismoUnavailableError } from '../../../shared/adapters/pismo/errors';
import { actOnToken } from '../../../shared/cards/act-on-token';
import { planCardChange } from '../../../shared/cards/plan-card-change';
import { DEFAULT_CARD_POLICY, loadCardPolicy, parseCardPolicy } from '../../../shared/cards/policy';
import defaultV1 from '../../../shared/cards/policies/default-v1.json';
import type { TokenTransferRequest, TokenUnit } from '../../../shared/cards/ports';
import { planTransferRetry } from '../../../shared/cards/transfer-retry';
import { ingestPismoEvent } from '../../../shared/events/ingest-pismo-event';
import { PismoTokenTransfer } from '../../../functions/cards/pismo-token-transfer';
import { MemoryTokenActions } from '../../fixtures/memory-token-actions';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const T0 = '2026-12-01T09:00:00.000Z';
const T1 = '2026-12-01T10:00:00.000Z';
const now = () => new Date('2026-12-01T12:00:00.000Z');

function token(tokenId: string, cardId: string, status: TokenState['status'] = 'active'): TokenState {
  return {
    tokenId,
    status,
    statusAt: T0,
    facts: { cardId, network: 'VTS' },
    clocks: { status: `0#${T0}#e-${tokenId}`, cardId: `${T0}#e-${tokenId}` },
    firstEventAt: T0,
    lastEventAt: T0,
  };
}

function panUpdate(status: 'SUCCESS' | 'FAILURE', eventId: string, migrated: number[] = [11, 12]) {
  return {
    event_id: eventId,
    domain: 'cards-tokenization',
    event_type: 'pan_update-1',
    timestamp: T1,
    data: {
      account_id: 7,
      old_card_id: 100,
      new_card_id: 200,
      migrated_tokens: migrated,
      status,
      reason: status === 'SUCCESS' ? null : 'network timeout',
      reason_code: status === 'SUCCESS' ? null : 'E42',
    },
  };
}

/** Pismo's transfer endpoint, recorded (and made to answer as a test needs). */
function transferPort(answer: () => Promise<{ outcome: 'done' } | { outcome: 'refused'; detail: string }>) {
  const calls: TokenTransferRequest[] = [];
  return {
    calls,
    port: {
      transferTokens: async (r: TokenTransferRequest) => {
        calls.push(r);
        return answer();
      },
    },
  };
}

/**
 * The events flow and the card workflow put together as in AWS: ingestion hands a FAILURE to the
 * workflow (one execution per event name, as Step Functions dedupes), the plan step, the Map's units.
 */
function system(policyName = DEFAULT_CARD_POLICY, mode?: 'enforce' | 'shadow') {
  const store = new MemoryTokenStore();
  const policy = loadCardPolicy(policyName, mode);
  const transfer = transferPort(async () => ({ outcome: 'done' }));
  const actions = new MemoryTokenActions();
  const executions = new Set<string>();
  const units: TokenUnit[] = [];
  const failures: PanUpdateFailure[] = [];
  const cardChanges = {
    cardChanged: async (change: CardChange) => {
      const planned = await planCardChange(change, {
        store,
        policy,
        fanOut: { enqueue: async (u) => void units.push(...u) },
        now,
      });
      for (const u of units.splice(0)) await actOnToken(u, { store, actions, transfer: transfer.port, now });
      return void planned;
    },
    panUpdateFailed: async (failure: PanUpdateFailure) => {
      failures.push(failure);
      if (executions.has(failure.eventId)) return; // ExecutionAlreadyExists
      executions.add(failure.eventId);
      const planned = await planTransferRetry(failure, { store, policy, now });
      for (const u of planned.units) await actOnToken(u, { store, actions, transfer: transfer.port, now });
    },
  };
  const ingest = (raw: unknown) => ingestPismoEvent(raw, { store, cardChanges, now });
  const cardNotes = async (cardId: string) =>
    (await store.listTimeline({ cardId }, 100)).items.flatMap((e) => (e.note ? [e.note] : []));
  return { store, policy, transfer, actions, failures, ingest, cardChanges, cardNotes };
}

describe('pan_update FAILURE: one retry of the token transfer, where the policy says so', () => {
  it('the default policy retries once through the transfer port; both cards show it', async () => {
    const s = system();
    expect(s.policy.panUpdateFailure.action).toBe('retry-transfer');
    await s.store.putTokenState(token('11', '100'), undefined);
    const outcome = await s.ingest(panUpdate('FAILURE', 'pu-f1'));
    expect(outcome).toMatchObject({ outcome: 'applied', panUpdate: { status: 'FAILURE', moved: 0 } });
    expect(s.failures).toEqual([
      {
        oldCardId: '100',
        newCardId: '200',
        accountId: '7',
        eventId: 'pu-f1',
        occurredAt: T1,
        reasonCode: 'E42',
      },
    ]);
    expect(s.transfer.calls).toEqual([{ oldCardId: '100', newCardId: '200', accountId: '7', failureEventId: 'pu-f1' }]);
    const plan = await s.store.getCardPlan('100', transferRetryId('200'));
    expect(plan).toMatchObject({ policyVersion: 'default-v2', transfer: { failureEventId: 'pu-f1' } });
    for (const cardId of ['100', '200'])
      expect(await s.cardNotes(cardId)).toEqual([
        expect.stringMatching(/^work item: token transfer from card 100 to card 200 failed \(reason code E42\)/),
        expect.stringMatching(/retried once through Pismo \(policy default-v2, after pan_update pu-f1\): requested/),
      ]);
  });

  it('retry-safe: a redelivered FAILURE, or the retry failing again, never retries a second time', async () => {
    const s = system();
    await s.ingest(panUpdate('FAILURE', 'pu-f1'));
    // The same event again (the queue redelivers, or both entry points got it).
    expect(await s.ingest(panUpdate('FAILURE', 'pu-f1'))).toMatchObject({ outcome: 'duplicate' });
    // Even if the workflow ran again for it (its unit re-run after a crash): the card's entry is the dedup record.
    const again = await planTransferRetry(s.failures[0] as PanUpdateFailure, { store: s.store, policy: s.policy, now });
    expect(again).toMatchObject({ created: false, units: [{ cardId: '100', tokenId: '*' }] });
    expect(await actOnToken(again.units[0] as TokenUnit, { ...s, transfer: s.transfer.port, now })).toEqual({
      outcome: 'already-done',
    });
    // The retry's own outcome, another FAILURE of the same card pair: the pair's one retry is spent.
    await s.ingest(panUpdate('FAILURE', 'pu-f2'));
    const second = await planTransferRetry(s.failures[2] as PanUpdateFailure, {
      store: s.store,
      policy: s.policy,
      now,
    });
    expect(second).toMatchObject({
      units: [],
      why: expect.stringMatching(/already retried once \(after pan_update pu-f1\)/),
    });
    expect(s.transfer.calls).toHaveLength(1);
  });

  it('default-v1 retries nothing (alarm and work item only); shadow mode records the plan and sends nothing', async () => {
    const v1 = system('default-v1');
    expect(v1.policy.panUpdateFailure.action).toBe('none');
    await v1.ingest(panUpdate('FAILURE', 'pu-f1'));
    expect(v1.transfer.calls).toEqual([]);
    expect(await v1.store.getCardPlan('100', transferRetryId('200'))).toBeUndefined();

    const shadow = system(DEFAULT_CARD_POLICY, 'shadow');
    await shadow.ingest(panUpdate('FAILURE', 'pu-f1'));
    expect(shadow.transfer.calls).toEqual([]);
    expect(await shadow.store.getCardPlan('100', transferRetryId('200'))).toMatchObject({ mode: 'shadow' });
  });

  it("Pismo refusing the retry is recorded on both cards' work item, not retried", async () => {
    const s = system();
    const refusing = transferPort(async () => ({
      outcome: 'refused',
      detail: 'Pismo refused transferCardTokens (HTTP 400)',
    }));
    const planned = await planTransferRetry(
      { oldCardId: '100', newCardId: '200', eventId: 'pu-f1', occurredAt: T1 },
      { store: s.store, policy: s.policy, now },
    );
    const unit = planned.units[0] as TokenUnit;
    expect(await actOnToken(unit, { store: s.store, actions: s.actions, transfer: refusing.port, now })).toMatchObject({
      outcome: 'refused',
      action: 'transfer',
    });
    expect(await s.cardNotes('100')).toEqual([
      expect.stringMatching(/one retry of the token transfer from card 100 to card 200 was refused \(Pismo refused/),
    ]);
    expect(await actOnToken(unit, { store: s.store, actions: s.actions, transfer: refusing.port, now })).toEqual({
      outcome: 'already-done',
    });
    expect(refusing.calls).toHaveLength(1);
  });

  it('a card reissued without its tokens leaves them suspended on the old card, never active', async () => {
    const s = system('default-v1');
    await s.store.putTokenState(token('11', '100'), undefined);
    await s.store.putTokenState(token('12', '100'), undefined);
    const card = async (eventId: string, status: string, previousStatus: string, at: string) => {
      const current = await s.store.getCardState('100');
      const state = { cardId: '100', status, statusKnown: true, previousStatus, lastEventId: eventId };
      await s.store.putCardState({ ...state, lastEventAt: at, firstEventAt: T0 }, current?.version);
      await s.cardChanges.cardChanged({ cardId: '100', cardEventId: eventId, status, previousStatus, occurredAt: at });
    };
    await card('c-lost', 'LOST', 'NORMAL', '2026-12-01T09:10:00.000Z');
    expect(s.actions.tokens('suspend')).toEqual(['11', '12']);
    // The network's events: both suspended.
    for (const id of ['11', '12']) {
      const current = await s.store.getTokenState(id);
      await s.store.putTokenState({ ...token(id, '100', 'suspended') }, current?.version);
    }
    await card('c-reissued', 'REISSUED', 'LOST', '2026-12-01T09:20:00.000Z');
    expect((await s.store.getCardPlan('100', 'c-reissued'))?.actions).toEqual([]);
    await s.ingest(panUpdate('FAILURE', 'pu-f1'));
    for (const id of ['11', '12'])
      expect((await s.store.getTokenState(id))?.state).toMatchObject({ status: 'suspended', facts: { cardId: '100' } });
    expect((await s.store.listTokensOfCard('200', 10)).items).toEqual([]);
    expect(s.actions.tokens('resume')).toEqual([]);
  });

  it('a lost card reissued with its tokens: they move suspended, and the new card turning NORMAL resumes them', async () => {
    const s = system();
    await s.store.putTokenState(token('11', '100'), undefined);
    const card = async (cardId: string, eventId: string, status: string, previousStatus: string, at: string) => {
      const current = await s.store.getCardState(cardId);
      const state = { cardId, status, statusKnown: true, previousStatus, lastEventId: eventId };
      await s.store.putCardState({ ...state, lastEventAt: at, firstEventAt: T0 }, current?.version);
      await s.cardChanges.cardChanged({ cardId, cardEventId: eventId, status, previousStatus, occurredAt: at });
    };
    await card('100', 'c-lost', 'LOST', 'NORMAL', '2026-12-01T09:10:00.000Z');
    const current = await s.store.getTokenState('11');
    await s.store.putTokenState({ ...token('11', '100', 'suspended') }, current?.version);
    await s.ingest(panUpdate('SUCCESS', 'pu-s1', [11]));
    expect((await s.store.getTokenState('11'))?.state).toMatchObject({ status: 'suspended', facts: { cardId: '200' } });
    await card('200', 'c-new-normal', 'NORMAL', 'CREATED', '2026-12-01T11:00:00.000Z');
    expect(s.actions.tokens('resume')).toEqual(['11']);
  });

  it('SUCCESS is not handed to the policy (the tokens move in the events flow)', async () => {
    const s = system();
    await s.store.putTokenState(token('11', '100'), undefined);
    await s.ingest(panUpdate('SUCCESS', 'pu-s1', [11]));
    expect(s.failures).toEqual([]);
    expect((await s.store.getTokenState('11'))?.state.facts.cardId).toBe('200');
  });
});

describe('the policy format: panUpdateFailure', () => {
  it('default-v2 is default-v1 plus the transfer retry; an unknown action is refused', () => {
    const v2 = loadCardPolicy('default-v2');
    expect(DEFAULT_CARD_POLICY).toBe('default-v2');
    expect(v2.statuses).toEqual(loadCardPolicy('default-v1').statuses);
    expect(v2.unknownStatus).toEqual(loadCardPolicy('default-v1').unknownStatus);
    expect(v2.panUpdateFailure).toMatchObject({ action: 'retry-transfer' });
    expect(() => parseCardPolicy({ ...defaultV1, panUpdateFailure: { action: 'retry-forever', reason: 'x' } })).toThrow(
      /invalid card policy: panUpdateFailure.action/,
    );
  });
});

describe('PismoTokenTransfer (the port on the Pismo adapter)', () => {
  const request = { oldCardId: '100', newCardId: '200', failureEventId: 'pu-f1' };
  const port = (fail?: Error, account?: string) => {
    const calls: unknown[] = [];
    const t = new PismoTokenTransfer(
      {
        transferCardTokens: async (ref, to) => {
          calls.push([ref, to]);
          if (fail) throw fail;
          return { body: undefined, attempts: 1 };
        },
      },
      async () => account,
    );
    return { t, calls };
  };

  it("asks Pismo once with the card's account (looked up when the event did not name it)", async () => {
    const { t, calls } = port(undefined, '7');
    expect(await t.transferTokens(request)).toEqual({ outcome: 'done' });
    expect(calls).toEqual([[{ accountId: '7', cardId: '100' }, '200']]);
    expect(await port().t.transferTokens(request)).toEqual({
      outcome: 'refused',
      detail: 'no Pismo account known for card 100',
    });
  });

  it("maps Pismo's no and a lost answer to refused (never resent); throws when nothing was applied", async () => {
    const rejected = new PismoRejectedError('transferCardTokens', 400, { errorCode: 'ERR93836', message: 'x' });
    expect(await port(rejected, '7').t.transferTokens(request)).toMatchObject({ outcome: 'refused' });
    const lost = new PismoUnavailableError('transferCardTokens', 'timed out', true, { outcome: 'unknown' });
    expect(await port(lost, '7').t.transferTokens(request)).toEqual({
      outcome: 'refused',
      detail: expect.stringMatching(/^outcome unknown/),
    });
    const down = new PismoUnavailableError('transferCardTokens', 'HTTP 429', true, { outcome: 'not-applied' });
    await expect(port(down, '7').t.transferTokens(request)).rejects.toBe(down);
  });
});
