import type { TokenState } from '../../../shared/domain/token-state';
import type { TokenStatus } from '../../../shared/domain/token-status';
import { MdesSearchFailedError } from '../../../shared/reconciliation/errors';
import type { MdesSearchPort, PismoCardTokensPort, UpstreamToken } from '../../../shared/reconciliation/ports';
import {
  finishRun,
  type ReconciliationDeps,
  reconcileAndRecord,
  reconcileCard,
  runReconciliation,
  selectCardsInDoubt,
} from '../../../shared/reconciliation/reconcile';
import { TokenBucket } from '../../../shared/reconciliation/token-bucket';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const T0 = '2026-12-01T10:00:00.000Z';
const NOW = new Date('2026-12-01T12:00:00.000Z');

/** A token state as the events would have left it (status clock of one event at `at`). */
function ours(tokenId: string, status: TokenStatus, facts: TokenState['facts'] = {}, at = T0): TokenState {
  const terminal = status === 'deleted' || status === 'declined' ? 1 : 0;
  return {
    tokenId,
    status,
    statusAt: at,
    statusEventId: `e-${tokenId}`,
    facts: { cardId: 'c1', accountId: 'a1', network: 'VTS', ...facts },
    clocks: { status: `${terminal}#${at}#e-${tokenId}`, cardId: `${at}#e-${tokenId}` },
    firstEventAt: at,
    lastEventAt: at,
  };
}

/** Pismo's token lists by card; a card in `failing` answers with an error. */
function fakePismo(lists: Record<string, UpstreamToken[]>, failing = new Set<string>()) {
  const calls: string[] = [];
  const port: PismoCardTokensPort = {
    getCardTokens: async ({ cardId }) => {
      calls.push(cardId);
      if (failing.has(cardId)) throw new Error('Pismo getCardTokens unavailable: HTTP 503');
      return { tokens: structuredClone(lists[cardId] ?? []), attempts: 1 };
    },
  };
  return { port, calls, lists, failing };
}

/** MDES by TUR; `failures` attempts fail first (retryable). */
function fakeMdes(statuses: Record<string, string>, clock?: { t: number }) {
  const calls: { tur: string; at: number }[] = [];
  let failures = 0;
  const port: MdesSearchPort = {
    statusByTur: async (tur) => {
      calls.push({ tur, at: clock?.t ?? 0 });
      if (failures > 0) {
        failures--;
        throw new MdesSearchFailedError('timed out', true);
      }
      const code = statuses[tur];
      return code === undefined ? undefined : { statusCode: code };
    },
  };
  return {
    port,
    calls,
    failNext: (n: number) => {
      failures = n;
    },
  };
}

const unlimited = { acquire: async () => undefined };

function setup(lists: Record<string, UpstreamToken[]>, mdesStatuses: Record<string, string> = {}) {
  const store = new MemoryTokenStore();
  const pismo = fakePismo(lists);
  const mdes = fakeMdes(mdesStatuses);
  const deps: ReconciliationDeps = {
    store,
    pismo: pismo.port,
    mdes: mdes.port,
    mdesLimiter: unlimited,
    now: () => NOW,
  };
  return { store, pismo, mdes, deps };
}

const put = (store: MemoryTokenStore, ...states: TokenState[]) =>
  Promise.all(states.map((s) => store.putTokenState(s, undefined)));
const timeline = async (store: MemoryTokenStore, tokenId: string) => (await store.listTimeline({ tokenId }, 50)).items;

describe('reconcileCard: each drift class and its repair', () => {
  it('in sync: nothing found, nothing written', async () => {
    const { store, deps } = setup({ c1: [{ tokenId: 't1', status: 'ACTIVE', network: 'vts' }] });
    await put(store, ours('t1', 'active'));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    expect(result).toMatchObject({ outcome: 'in-sync', tokensCompared: 1, findings: [], calls: { pismo: 1, mdes: 0 } });
    expect(await store.getTokenState('t1')).toMatchObject({ version: 1 });
  });

  it('status differs (Visa): repaired by a reconciliation entry merged with the observation time as its clock', async () => {
    const { store, deps } = setup({ c1: [{ tokenId: 't1', status: 'SUSPENDED', network: 'vts' }] });
    await put(store, ours('t1', 'active'));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    expect(result.outcome).toBe('drift');
    expect(result.findings).toEqual([
      expect.objectContaining({
        tokenId: 't1',
        driftClass: 'statusDiffers',
        ours: 'active',
        upstream: 'suspended',
        action: 'repaired',
      }),
    ]);
    const state = (await store.getTokenState('t1'))?.state;
    expect(state).toMatchObject({ status: 'suspended', statusAt: NOW.toISOString(), lastEventAt: NOW.toISOString() });
    expect(state?.clocks.status).toBe(`0#${NOW.toISOString()}#reconciliation:r1:statusDiffers`);
    const [entry] = await timeline(store, 't1');
    expect(entry).toMatchObject({ eventType: 'reconciliation', occurredAt: NOW.toISOString(), status: 'suspended' });
    expect(JSON.parse(entry?.payload ?? '{}')).toMatchObject({ runId: 'r1', driftClass: 'statusDiffers' });
  });

  it('a newer event wins over an older observation: the merge keeps it and nothing is written', async () => {
    const { store, deps } = setup({ c1: [{ tokenId: 't1', status: 'SUSPENDED', network: 'vts' }] });
    // The event that resumed the token happened after Pismo was read.
    const later = new Date(NOW.getTime() + 60_000).toISOString();
    await put(store, ours('t1', 'active', {}, later));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    expect(result.findings).toEqual([expect.objectContaining({ driftClass: 'statusDiffers', action: 'superseded' })]);
    expect(await store.getTokenState('t1')).toMatchObject({ state: { status: 'active', statusAt: later }, version: 1 });
    expect(await timeline(store, 't1')).toEqual([]);
  });

  it('token unknown to us: created from what Pismo lists', async () => {
    const { store, deps } = setup({
      c1: [
        { tokenId: 't1', status: 'ACTIVE', network: 'vts' },
        { tokenId: 't9', status: 'ACTIVE', network: 'mdes', tokenUniqueReference: 'DSHRMC00009' },
      ],
    });
    await put(store, ours('t1', 'active'));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    expect(result.findings).toEqual([
      expect.objectContaining({ tokenId: 't9', driftClass: 'unknownToUs', action: 'repaired' }),
    ]);
    expect((await store.getTokenState('t9'))?.state).toMatchObject({
      status: 'active',
      facts: { cardId: 'c1', accountId: 'a1', network: 'MDES', tokenUniqueReference: 'DSHRMC00009' },
    });
  });

  it('token unknown upstream: reported (Visa); a Mastercard token MDES says deleted is repaired to deleted', async () => {
    const { store, deps, mdes } = setup({ c1: [] }, { TUR2: 'D', TUR3: 'A' });
    await put(
      store,
      ours('t1', 'active'),
      ours('t2', 'active', { network: 'MDES', tokenUniqueReference: 'TUR2' }),
      ours('t3', 'suspended', { network: 'MDES', tokenUniqueReference: 'TUR3' }),
      ours('t4', 'deleted'),
    );
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    const byToken = Object.fromEntries(result.findings.map((f) => [f.tokenId, f]));
    expect(byToken.t1).toMatchObject({ driftClass: 'unknownUpstream', action: 'reported', source: 'pismo' });
    expect(byToken.t2).toMatchObject({ driftClass: 'unknownUpstream', action: 'repaired', source: 'mdes' });
    expect(byToken.t3).toMatchObject({ driftClass: 'unknownUpstream', action: 'reported', upstream: 'active' });
    expect(byToken.t4).toBeUndefined(); // final on our side: Pismo may drop deleted tokens
    expect((await store.getTokenState('t2'))?.state.status).toBe('deleted');
    expect((await store.getTokenState('t3'))?.state.status).toBe('suspended');
    expect(mdes.calls.map((c) => c.tur).sort()).toEqual(['TUR2', 'TUR3']);
  });

  it('token on a different card (reissue): moved to the card Pismo lists it on', async () => {
    const { store, deps } = setup({ c2: [{ tokenId: 't1', status: 'ACTIVE', network: 'vts' }] });
    await put(store, ours('t1', 'active', { cardId: 'c1' }));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c2', accountId: 'a1' });
    expect(result.findings).toEqual([
      expect.objectContaining({ driftClass: 'differentCard', ours: 'c1', upstream: 'c2', action: 'repaired' }),
    ]);
    expect((await store.getTokenState('t1'))?.state.facts.cardId).toBe('c2');
    expect((await store.listTokensOfCard('c2', 10)).items.map((t) => t.tokenId)).toEqual(['t1']);
  });

  it('TUR differs: reported when both are known, filled in when we had none', async () => {
    const { store, deps } = setup({
      c1: [
        { tokenId: 't1', status: 'ACTIVE', network: 'vts', tokenUniqueReference: 'DNITHE1' },
        { tokenId: 't2', status: 'ACTIVE', network: 'vts', tokenUniqueReference: 'DNITHE2' },
      ],
    });
    await put(store, ours('t1', 'active', { tokenUniqueReference: 'DNITHE-OTHER' }), ours('t2', 'active'));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    const byToken = Object.fromEntries(result.findings.map((f) => [f.tokenId, f]));
    expect(byToken.t1).toMatchObject({ driftClass: 'turDiffers', action: 'reported', ours: 'DNITHE-OTHER' });
    expect(byToken.t2).toMatchObject({ driftClass: 'turDiffers', action: 'repaired', upstream: 'DNITHE2' });
    expect((await store.getTokenState('t1'))?.state.facts.tokenUniqueReference).toBe('DNITHE-OTHER');
    expect((await store.getTokenState('t2'))?.state.facts.tokenUniqueReference).toBe('DNITHE2');
  });

  it('a token deleted on our side that upstream calls active (the demo token 17556) is reported, never revived', async () => {
    const { store, deps, mdes } = setup(
      { c1: [{ tokenId: '17556', status: 'ACTIVE', network: 'mdes', tokenUniqueReference: 'TURX' }] },
      { TURX: 'A' },
    );
    await put(store, ours('17556', 'deleted', { network: 'MDES', tokenUniqueReference: 'TURX' }));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    expect(result.findings).toEqual([
      expect.objectContaining({
        tokenId: '17556',
        driftClass: 'statusDiffers',
        ours: 'deleted',
        upstream: 'active',
        source: 'mdes',
        action: 'reported',
      }),
    ]);
    expect(mdes.calls).toHaveLength(1);
    expect((await store.getTokenState('17556'))?.state.status).toBe('deleted');
  });

  it('Mastercard in doubt: MDES decides; Pismo and MDES disagreeing is reported', async () => {
    const { store, deps } = setup(
      {
        c1: [
          { tokenId: 't1', status: 'SUSPENDED', network: 'mdes' },
          { tokenId: 't2', status: 'SUSPENDED', network: 'mdes' },
          { tokenId: 't3', status: 'SUSPENDED', network: 'mdes' },
        ],
      },
      { TUR1: 'S', TUR2: 'A', TUR3: 'U' },
    );
    await put(
      store,
      ours('t1', 'active', { network: 'MDES', tokenUniqueReference: 'TUR1' }),
      ours('t2', 'active', { network: 'MDES', tokenUniqueReference: 'TUR2' }),
      ours('t3', 'active', { network: 'MDES', tokenUniqueReference: 'TUR3' }),
    );
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    const byToken = Object.fromEntries(result.findings.map((f) => [f.tokenId, f]));
    expect(byToken.t1).toMatchObject({ driftClass: 'statusDiffers', source: 'mdes', action: 'repaired' });
    expect(byToken.t2).toMatchObject({ action: 'reported', reason: expect.stringMatching(/MDES agrees with us/) });
    expect(byToken.t3).toMatchObject({ action: 'reported', reason: 'Pismo and MDES disagree' });
    expect((await store.getTokenState('t3'))?.state.status).toBe('active');
    expect((await store.getTokenState('t1'))?.state.status).toBe('suspended');
    expect((await store.getTokenState('t2'))?.state.status).toBe('active');
  });

  it('a Mastercard token pending for longer than configured stays in doubt though Pismo agrees: MDES tells', async () => {
    const long = new Date(NOW.getTime() - 3 * 3_600_000).toISOString();
    const recent = new Date(NOW.getTime() - 10 * 60_000).toISOString();
    const { store, deps, mdes } = setup(
      {
        c1: [
          { tokenId: 't1', status: 'INACTIVE', network: 'mdes' },
          { tokenId: 't2', status: 'INACTIVE', network: 'mdes' },
          { tokenId: 't3', status: 'INACTIVE', network: 'mdes' },
        ],
      },
      { TUR1: 'A', TUR2: 'A', TUR3: 'U' },
    );
    await put(
      store,
      ours('t1', 'pending_idv', { network: 'MDES', tokenUniqueReference: 'TUR1' }, long),
      ours('t2', 'pending_idv', { network: 'MDES', tokenUniqueReference: 'TUR2' }, recent),
      ours('t3', 'requested', { network: 'MDES', tokenUniqueReference: 'TUR3' }, long),
    );
    const result = await reconcileCard({ ...deps, pendingDoubtMinutes: 60 }, { runId: 'r1', cardId: 'c1' });
    expect(mdes.calls.map((c) => c.tur)).toEqual(['TUR1', 'TUR3']); // t2 is not pending for long yet
    expect(result.findings).toEqual([
      expect.objectContaining({ tokenId: 't1', driftClass: 'statusDiffers', source: 'mdes', action: 'repaired' }),
    ]);
    expect((await store.getTokenState('t1'))?.state.status).toBe('active');
  });

  it('searches MDES only for tokens in doubt: at most one Pismo call per card and one MDES search per doubtful token', async () => {
    const tokens = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const { store, deps, pismo, mdes } = setup({
      c1: tokens.map((tokenId, i) => ({ tokenId, status: i < 2 ? 'SUSPENDED' : 'ACTIVE', network: 'mdes' })),
    });
    await put(store, ...tokens.map((t) => ours(t, 'active', { network: 'MDES', tokenUniqueReference: `TUR-${t}` })));
    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });
    expect(pismo.calls).toEqual(['c1']);
    expect(mdes.calls.map((c) => c.tur)).toEqual(['TUR-t0', 'TUR-t1']);
    expect(result.calls).toEqual({ pismo: 1, mdes: 2 });
  });

  it('refuses a card we hold no token of without its account id', async () => {
    const { deps } = setup({});
    await expect(reconcileCard(deps, { runId: 'r1', cardId: 'c404' })).rejects.toMatchObject({
      name: 'AccountUnknownError',
      statusCode: 422,
    });
  });
});

describe('runs: partial failure, retry next run, idempotent re-run', () => {
  it('Pismo failing for one card does not stop the run: recorded, flagged, retried and cleared next run', async () => {
    const { store, deps, pismo } = setup({
      c1: [{ tokenId: 't1', status: 'SUSPENDED', network: 'vts' }],
      c2: [{ tokenId: 't2', status: 'ACTIVE', network: 'vts' }],
      c3: [{ tokenId: 't3', status: 'ACTIVE', network: 'vts' }],
    });
    await put(
      store,
      ours('t1', 'active'),
      ours('t2', 'active', { cardId: 'c2' }),
      ours('t3', 'active', { cardId: 'c3' }),
    );
    pismo.failing.add('c2');
    const runs: string[] = [];
    deps.observer = { onRun: (r) => runs.push(r.runId) };
    const cards = [{ cardId: 'c1' }, { cardId: 'c2' }, { cardId: 'c3' }];
    const run = await runReconciliation(deps, { runId: 'r1', trigger: 'scheduled', cards, concurrency: 2 });
    expect(run).toMatchObject({ status: 'DONE', cards: 3, cardsFailed: 1, failedCards: ['c2'], repaired: 1 });
    expect(run.counts.statusDiffers).toBe(1);
    expect((await store.latestCardReconciliation('c2'))?.outcome).toBe('failed');
    expect((await store.listReconciliationFlags(10)).items).toEqual([
      expect.objectContaining({ cardId: 'c2', accountId: 'a1' }),
    ]);
    expect(runs).toEqual(['r1']);

    // The next scheduled run picks the flagged card, Pismo answers: flag cleared.
    pismo.failing.clear();
    const picked = await selectCardsInDoubt(store, { pendingMinutes: 60, staleDays: 30, maxCards: 100 }, NOW);
    expect(picked.cards).toEqual([{ cardId: 'c2', accountId: 'a1' }]);
    const next = await runReconciliation(deps, { runId: 'r2', trigger: 'scheduled', cards: picked.cards });
    expect(next).toMatchObject({ cards: 1, cardsFailed: 0 });
    expect((await store.listReconciliationFlags(10)).items).toEqual([]);
    expect((await store.listReconciliationRuns(10)).items.map((r) => r.runId).sort()).toEqual(['r1', 'r2']);
  });

  it('MDES failing leaves the token in doubt (partial, flagged); retries stay within the attempts', async () => {
    const { store, deps, mdes } = setup(
      { c1: [{ tokenId: 't1', status: 'SUSPENDED', network: 'mdes' }] },
      { TUR1: 'S' },
    );
    await put(store, ours('t1', 'active', { network: 'MDES', tokenUniqueReference: 'TUR1' }));
    mdes.failNext(5);
    const result = await reconcileAndRecord({ ...deps, mdesAttempts: 3 }, { runId: 'r1', cardId: 'c1' });
    expect(result).toMatchObject({ outcome: 'partial', calls: { mdes: 3 } });
    expect(result.findings).toEqual([expect.objectContaining({ action: 'retry', source: 'mdes' })]);
    expect((await store.getTokenState('t1'))?.state.status).toBe('active');
    expect((await store.listReconciliationFlags(10)).items.map((f) => f.cardId)).toEqual(['c1']);
  });

  it('re-running is idempotent: the same run or a new one finds nothing more and writes nothing more', async () => {
    const { store, deps } = setup({
      c1: [
        { tokenId: 't1', status: 'SUSPENDED', network: 'vts' },
        { tokenId: 't9', status: 'ACTIVE', network: 'vts' },
      ],
    });
    await put(store, ours('t1', 'active'));
    const first = await runReconciliation(deps, { runId: 'r1', trigger: 'on-demand', cards: [{ cardId: 'c1' }] });
    expect(first.repaired).toBe(2);
    const snapshot = structuredClone([...store.states.entries()]);
    const entries = [...store.timelines.values()].reduce((n, t) => n + t.size, 0);
    for (const runId of ['r1', 'r2']) {
      const again = await runReconciliation(deps, { runId, trigger: 'on-demand', cards: [{ cardId: 'c1' }] });
      expect(again).toMatchObject({ repaired: 0, reported: 0, tokens: [] });
    }
    expect([...store.states.entries()]).toEqual(snapshot);
    expect([...store.timelines.values()].reduce((n, t) => n + t.size, 0)).toBe(entries);
  });

  it('finishRun sums the card results of a run reconciled elsewhere (the sweep)', async () => {
    const { store, deps } = setup({
      c1: [{ tokenId: 't1', status: 'SUSPENDED', network: 'vts' }],
      c2: [],
    });
    await put(store, ours('t1', 'active'), ours('t2', 'active', { cardId: 'c2' }));
    for (const cardId of ['c1', 'c2']) await reconcileAndRecord(deps, { runId: 'sweep-1', cardId, accountId: 'a1' });
    const run = await finishRun(deps, { runId: 'sweep-1', trigger: 'sweep', startedAt: T0 });
    expect(run).toMatchObject({ cards: 2, repaired: 1, reported: 1, status: 'DONE' });
    expect(run.counts).toMatchObject({ statusDiffers: 1, unknownUpstream: 1 });
    expect((await store.listReconciliationRuns(1)).items[0]).toEqual(run);
  });
});

describe('the MDES rate limit', () => {
  it('is never exceeded, retries included, with cards reconciled concurrently', async () => {
    const clock = { t: 0 };
    const sleep = async (ms: number) => {
      clock.t += ms;
    };
    const limiter = new TokenBucket(2, 1, () => clock.t, sleep);
    const store = new MemoryTokenStore();
    const cards = ['c1', 'c2', 'c3', 'c4'];
    const lists: Record<string, UpstreamToken[]> = {};
    for (const cardId of cards) {
      lists[cardId] = [1, 2, 3].map((n) => ({ tokenId: `${cardId}t${n}`, status: 'SUSPENDED', network: 'mdes' }));
      for (const n of [1, 2, 3])
        await store.putTokenState(
          ours(`${cardId}t${n}`, 'active', { cardId, network: 'MDES', tokenUniqueReference: `TUR-${cardId}-${n}` }),
          undefined,
        );
    }
    const mdes = fakeMdes({}, clock);
    mdes.failNext(4); // four attempts fail: their retries take permits too
    const deps: ReconciliationDeps = {
      store,
      pismo: fakePismo(lists).port,
      mdes: mdes.port,
      mdesLimiter: limiter,
      mdesAttempts: 3,
      now: () => NOW,
    };
    await runReconciliation(deps, {
      runId: 'r1',
      trigger: 'sweep',
      cards: cards.map((cardId) => ({ cardId })),
      concurrency: 4,
    });
    expect(mdes.calls).toHaveLength(12 + 4);
    expect(limiter.granted).toBe(mdes.calls.length);
    // Rate 2/s, burst 1: every two calls are at least 500 ms apart.
    const times = mdes.calls.map((c) => c.at);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(500);
  });

  it('the token bucket allows its burst, then its rate, in any window', async () => {
    const clock = { t: 0 };
    const bucket = new TokenBucket(
      5,
      3,
      () => clock.t,
      async (ms) => {
        clock.t += ms;
      },
    );
    const at: number[] = [];
    await Promise.all(Array.from({ length: 40 }, () => bucket.acquire().then(() => at.push(clock.t))));
    for (const start of at) {
      const inWindow = at.filter((t) => t >= start && t < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(3 + 5);
    }
    expect(Math.max(...at)).toBeGreaterThanOrEqual(((40 - 3) / 5) * 1000 - 1);
  });
});

describe('selectCardsInDoubt', () => {
  it('picks flagged cards, long-pending tokens and stale tokens; never final ones', async () => {
    const store = new MemoryTokenStore();
    const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
    await put(
      store,
      ours('fresh', 'active', { cardId: 'c-fresh' }, hoursAgo(1)),
      ours('pending', 'pending_idv', { cardId: 'c-pending' }, hoursAgo(3)),
      ours('pending-new', 'requested', { cardId: 'c-pending-new' }, hoursAgo(0.1)),
      ours('stale', 'active', { cardId: 'c-stale' }, hoursAgo(24 * 40)),
      ours('gone', 'deleted', { cardId: 'c-gone' }, hoursAgo(24 * 400)),
    );
    await store.flagCardForReconciliation({ cardId: 'c-flagged', reason: 'failed action', at: T0 });
    const picked = await selectCardsInDoubt(store, { pendingMinutes: 60, staleDays: 30, maxCards: 10 }, NOW);
    expect(picked.cards.map((c) => c.cardId).sort()).toEqual(['c-flagged', 'c-pending', 'c-stale']);
    expect(picked).toMatchObject({ flagged: 1, inDoubt: 2, scanned: 5 });
    const capped = await selectCardsInDoubt(store, { pendingMinutes: 60, staleDays: 30, maxCards: 2 }, NOW);
    expect(capped.cards.map((c) => c.cardId)).toEqual(['c-flagged', expect.any(String)]);
  });
});

describe('a repair raced by an event (optimistic version)', () => {
  /** Writes `state` over the token once, just before the repair's own write (as a concurrent event would). */
  function eventDuringRepair(store: MemoryTokenStore, state: TokenState) {
    store.beforePutState = async () => {
      store.beforePutState = undefined;
      const current = await store.getTokenState(state.tokenId);
      await store.putTokenState(state, current?.version);
    };
  }

  it('an event newer than the observation lands first: the repair re-reads, loses the merge, the event stays', async () => {
    const { store, deps } = setup({ c1: [{ tokenId: 't1', status: 'SUSPENDED', network: 'vts' }] });
    await put(store, ours('t1', 'active'));
    const later = new Date(NOW.getTime() + 60_000).toISOString();
    eventDuringRepair(store, ours('t1', 'deleted', {}, later));

    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });

    expect(result.findings).toEqual([expect.objectContaining({ driftClass: 'statusDiffers', action: 'superseded' })]);
    expect(await store.getTokenState('t1')).toMatchObject({
      state: { status: 'deleted', statusAt: later },
      version: 2,
    });
  });

  it('an older change lands first: the repair re-reads and merges again, keeping both', async () => {
    const { store, deps } = setup({ c1: [{ tokenId: 't1', status: 'SUSPENDED', network: 'vts' }] });
    await put(store, ours('t1', 'active'));
    const before = new Date(NOW.getTime() - 60_000).toISOString();
    const withOrg = ours('t1', 'active', { orgId: 'org-7' }, before);
    withOrg.clocks = { ...withOrg.clocks, orgId: `${before}#e-org` };
    eventDuringRepair(store, withOrg);

    const result = await reconcileCard(deps, { runId: 'r1', cardId: 'c1' });

    expect(result.findings).toEqual([expect.objectContaining({ driftClass: 'statusDiffers', action: 'repaired' })]);
    expect(await store.getTokenState('t1')).toMatchObject({
      state: { status: 'suspended', facts: { orgId: 'org-7' } },
      version: 3,
    });
  });
});
