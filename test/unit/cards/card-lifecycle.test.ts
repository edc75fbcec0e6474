import type { CardChange } from '../../../shared/domain/card';
import type { TokenState } from '../../../shared/domain/token-state';
import { actOnToken, type UnitOutcome } from '../../../shared/cards/act-on-token';
import { planCardChange } from '../../../shared/cards/plan-card-change';
import { loadCardPolicy } from '../../../shared/cards/policy';
import { POLICY_OFFICER, type TokenUnit } from '../../../shared/cards/ports';
import { MemoryTokenActions } from '../../fixtures/memory-token-actions';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T11:00:00.000Z';
const now = () => new Date('2026-12-01T12:00:00.000Z');

function token(tokenId: string, status: TokenState['status'], cardId = '123'): TokenState {
  return {
    tokenId,
    status,
    statusAt: T1,
    facts: { cardId, network: 'MDES' },
    clocks: { status: `0#${T1}#e-${tokenId}` },
    firstEventAt: T1,
    lastEventAt: T1,
  };
}

/** A fake fan-out queue: units in, drained like SQS (redelivered on a throw, to the DLQ after `maxReceives`). */
function fanOutQueue() {
  const queue: TokenUnit[] = [];
  return {
    queue,
    fanOut: { enqueue: async (units: TokenUnit[]) => void queue.push(...units) },
    async drain(run: (u: TokenUnit) => Promise<UnitOutcome>, maxReceives = 5) {
      const outcomes = new Map<string, UnitOutcome>();
      const dlq: TokenUnit[] = [];
      while (queue.length) {
        const unit = queue.shift() as TokenUnit;
        for (let receive = 1; ; receive++) {
          try {
            outcomes.set(unit.tokenId, await run(unit));
            break;
          } catch {
            if (receive >= maxReceives) {
              dlq.push(unit);
              break;
            }
          }
        }
      }
      return { outcomes, dlq };
    },
  };
}

async function setup(tokens: TokenState[], mode: 'enforce' | 'shadow' = 'enforce') {
  const store = new MemoryTokenStore();
  for (const t of tokens) await store.putTokenState(t, undefined);
  const actions = new MemoryTokenActions();
  const q = fanOutQueue();
  const policy = loadCardPolicy('default-v1', mode);
  /** The card's state says this event is its last, as ingestion leaves it. */
  const cardAt = async (change: CardChange) => {
    const current = await store.getCardState(change.cardId);
    await store.putCardState(
      {
        cardId: change.cardId,
        status: change.status,
        statusKnown: true,
        previousStatus: change.previousStatus,
        lastEventId: change.cardEventId,
        lastEventAt: change.occurredAt,
        firstEventAt: T1,
      },
      current?.version,
    );
  };
  const run = (u: TokenUnit) => actOnToken(u, { store, actions, now });
  /** Ingestion's hand-off, the plan, and the fan-out drained. */
  const cardEvent = async (change: CardChange) => {
    await cardAt(change);
    const planned = await planCardChange(change, { store, policy, fanOut: q.fanOut, now });
    return { planned, ...(await q.drain(run)) };
  };
  return { store, actions, q, policy, cardAt, run, cardEvent };
}

const change = (cardEventId: string, status: string, occurredAt = T1, previousStatus = 'NORMAL'): CardChange => ({
  cardId: '123',
  cardEventId,
  status,
  previousStatus,
  occurredAt,
});

async function notesOf(store: MemoryTokenStore, tokenId: string) {
  return (await store.listTimeline({ tokenId }, 100)).items.filter((e) => e.note).map((e) => e.note);
}

describe('card lifecycle: plan and fan-out (issue 14)', () => {
  it("BLOCKED suspends the card's active tokens, audited as the policy with the card event, on each timeline", async () => {
    const s = await setup([
      token('t1', 'active'),
      token('t2', 'active'),
      token('t3', 'suspended'),
      token('t4', 'deleted'),
    ]);
    const { planned, dlq } = await s.cardEvent(change('ce-1', 'BLOCKED'));
    expect(planned).toMatchObject({ created: true, enqueued: 2 });
    expect(planned.plan.actions.map((a) => [a.tokenId, a.action])).toEqual([
      ['t1', 'suspend'],
      ['t2', 'suspend'],
    ]);
    expect(planned.plan.skipped.map((x) => x.tokenId)).toEqual(['t3', 't4']);
    expect(dlq).toEqual([]);
    expect(s.actions.calls).toEqual(
      ['t1', 't2'].map((tokenId) =>
        expect.objectContaining({ tokenId, action: 'suspend', officer: POLICY_OFFICER, cardEventId: 'ce-1' }),
      ),
    );
    expect(await notesOf(s.store, 't1')).toEqual([`suspended: card 123 BLOCKED at ${T1}: temporary block`]);
    expect(await s.store.getPolicySuspension('t1')).toMatchObject({ cardEventId: 'ce-1', cardStatus: 'BLOCKED' });
    expect(await s.store.getPolicySuspension('t3')).toBeUndefined();
  });

  it('NORMAL resumes only the tokens this policy suspended, never one the cardholder suspended', async () => {
    const s = await setup([token('t1', 'active'), token('t2', 'suspended')]);
    await s.cardEvent(change('ce-1', 'BLOCKED'));
    // Pismo's events then say t1 is suspended (by us); t2 was suspended by the cardholder before.
    await s.store.putTokenState(token('t1', 'suspended'), 1);
    const { planned } = await s.cardEvent(change('ce-2', 'NORMAL', T2, 'BLOCKED'));
    expect(planned.plan.actions.map((a) => [a.tokenId, a.action])).toEqual([['t1', 'resume']]);
    expect(planned.plan.skipped).toEqual([{ tokenId: 't2', why: 'suspended by someone else, not by this policy' }]);
    expect(s.actions.tokens('resume')).toEqual(['t1']);
    expect(await s.store.getPolicySuspension('t1')).toBeUndefined();
    expect(await notesOf(s.store, 't1')).toEqual([
      `suspended: card 123 BLOCKED at ${T1}: temporary block`,
      `resumed: card 123 NORMAL at ${T2}: card back to normal`,
    ]);
  });

  it('multi-suspender: NORMAL does not resume a token the cardholder also suspended after the policy did', async () => {
    const s = await setup([token('t1', 'active'), token('t2', 'active')]);
    await s.cardEvent(change('ce-1', 'BLOCKED'));
    await s.store.putTokenState(token('t1', 'suspended'), 1);
    // t2: the network's last lifecycle event says the cardholder suspended it, after the policy did.
    await s.store.putTokenState(
      {
        ...token('t2', 'suspended'),
        statusAt: '2026-12-01T12:30:00.000Z',
        facts: { cardId: '123', eventRequestor: 'CARDHOLDER' },
      },
      1,
    );
    const { planned } = await s.cardEvent(change('ce-2', 'NORMAL', T2, 'BLOCKED'));
    expect(planned.plan.actions.map((a) => a.tokenId)).toEqual(['t1']);
    expect(planned.plan.skipped).toEqual([
      { tokenId: 't2', why: 'also suspended by the cardholder or the wallet since: theirs to lift' },
    ]);
  });

  it('LOST suspends pending reissue; FRAUD and terminal statuses delete', async () => {
    for (const [status, action] of [
      ['LOST', 'suspend'],
      ['THEFT', 'suspend'],
      ['FRAUD', 'delete'],
      ['CANCELED', 'delete'],
      ['EXPIRED', 'delete'],
    ] as const) {
      const s = await setup([token('t1', 'active'), token('t2', 'suspended')]);
      await s.cardEvent(change(`ce-${status}`, status));
      expect({ status, calls: s.actions.tokens(action) }).toEqual({
        status,
        calls: action === 'delete' ? ['t1', 't2'] : ['t1'],
      });
    }
  });

  it('shadow mode records what it would do and touches no token', async () => {
    const s = await setup([token('t1', 'active')], 'shadow');
    const { planned } = await s.cardEvent(change('ce-1', 'BLOCKED'));
    expect(planned).toMatchObject({
      enqueued: 0,
      plan: { mode: 'shadow', actions: [{ tokenId: 't1', action: 'suspend' }] },
    });
    expect(await s.store.getCardPlan('123', 'ce-1')).toMatchObject({ mode: 'shadow' });
    expect(s.actions.calls).toEqual([]);
    // A unit that reaches a shadow plan anyway does nothing.
    expect(await s.run({ cardId: '123', cardEventId: 'ce-1', tokenId: 't1' })).toEqual({ outcome: 'no-action' });
  });

  it('a card with no tokens is a no-op (an empty plan for the record, nothing sent)', async () => {
    const s = await setup([token('other', 'active', '999')]);
    const { planned } = await s.cardEvent(change('ce-1', 'BLOCKED'));
    expect(planned).toMatchObject({ enqueued: 0, plan: { actions: [], skipped: [] } });
    expect(s.actions.calls).toEqual([]);
  });

  it('duplicates are no-ops: the same change again re-sends the stored plan, and each unit does nothing twice', async () => {
    const s = await setup([token('t1', 'active')]);
    await s.cardEvent(change('ce-1', 'BLOCKED'));
    const again = await s.cardEvent(change('ce-1', 'BLOCKED'));
    expect(again.planned.created).toBe(false);
    expect(again.outcomes.get('t1')).toEqual({ outcome: 'already-done' });
    expect(s.actions.calls).toHaveLength(1);
  });

  it('a unit of an older card event does nothing once the card has moved on (BLOCKED retried after NORMAL)', async () => {
    const s = await setup([token('t1', 'active')]);
    await s.cardAt(change('ce-1', 'BLOCKED'));
    await planCardChange(change('ce-1', 'BLOCKED'), { store: s.store, policy: s.policy, fanOut: s.q.fanOut, now });
    const stale = s.q.queue.splice(0);
    await s.cardEvent(change('ce-2', 'NORMAL', T2, 'BLOCKED'));
    expect(await s.run(stale[0] as TokenUnit)).toEqual({ outcome: 'superseded' });
    expect(s.actions.calls).toEqual([]);
  });

  it('fan-out: one token failing does not stop the others; it is retried, then dead-lettered', async () => {
    const s = await setup([token('t1', 'active'), token('t2', 'active'), token('t3', 'active')]);
    s.actions.failures.set('t2', 2); // transient: succeeds on the third receive
    s.actions.refuse.add('t3'); // Pismo refuses: recorded on the token, not retried
    const { dlq, outcomes } = await s.cardEvent(change('ce-1', 'BLOCKED'));
    expect(dlq).toEqual([]);
    expect(outcomes.get('t1')).toEqual({ outcome: 'done', action: 'suspend' });
    expect(outcomes.get('t2')).toEqual({ outcome: 'done', action: 'suspend' });
    expect(outcomes.get('t3')).toMatchObject({ outcome: 'refused' });
    expect(s.actions.tokens('suspend')).toEqual(['t1', 't2', 't2', 't2', 't3']);
    expect(await notesOf(s.store, 't3')).toEqual([
      `suspend refused: token not found at the network (card 123 BLOCKED at ${T1}: temporary block)`,
    ]);
    expect(await s.store.getPolicySuspension('t3')).toBeUndefined();

    const s2 = await setup([token('t1', 'active'), token('t2', 'active')]);
    s2.actions.failures.set('t1', 99);
    const exhausted = await s2.cardEvent(change('ce-1', 'BLOCKED'));
    expect(exhausted.dlq).toEqual([{ cardId: '123', cardEventId: 'ce-1', tokenId: 't1' }]);
    expect(exhausted.outcomes.get('t2')).toEqual({ outcome: 'done', action: 'suspend' });
  });

  it('a crash mid-card loses nothing: the plan is stored before acting, the redelivery finishes the rest', async () => {
    const tokens = Array.from({ length: 5 }, (_, i) => token(`t${i}`, 'active'));
    const s = await setup(tokens);
    await s.cardAt(change('ce-1', 'BLOCKED'));
    // Crash 1: the planner dies after storing the plan, before the fan-out.
    const dying = { enqueue: async () => Promise.reject(new Error('function died')) };
    await expect(
      planCardChange(change('ce-1', 'BLOCKED'), { store: s.store, policy: s.policy, fanOut: dying, now }),
    ).rejects.toThrow('function died');
    expect(await s.store.getCardPlan('123', 'ce-1')).toBeDefined();
    // The change is redelivered: the stored plan is fanned out.
    await planCardChange(change('ce-1', 'BLOCKED'), { store: s.store, policy: s.policy, fanOut: s.q.fanOut, now });
    // Crash 2: a unit dies after the action, before its timeline entry (its dedup record).
    const [first] = s.q.queue;
    s.store.beforeAddTimeline = () => {
      throw new Error('function died');
    };
    await expect(s.run(first as TokenUnit)).rejects.toThrow('function died');
    s.store.beforeAddTimeline = undefined;
    const { dlq } = await s.q.drain(s.run);
    expect(dlq).toEqual([]);
    for (const t of tokens) expect(await notesOf(s.store, t.tokenId)).toHaveLength(1);
    // Every token acted on; the crashed one twice (the port is idempotent per token and card event).
    expect(new Set(s.actions.tokens('suspend'))).toEqual(new Set(tokens.map((t) => t.tokenId)));
    expect(s.actions.tokens('suspend')).toHaveLength(6);
  });
});
