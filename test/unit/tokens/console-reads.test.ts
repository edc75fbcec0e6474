import { NotFoundError, ValidationError } from '../../../shared/domain/errors';
import type { DecisionRecord, TimelineEntry } from '../../../shared/domain/store';
import type { TokenState } from '../../../shared/domain/token-state';
import { getCardView } from '../../../shared/tokens/card-view';
import { dayRangeOf, decisionStatsOfPeriod, listDecisionsOfPeriod } from '../../../shared/tokens/decisions';
import { idQueryOf, searchByIdentifier } from '../../../shared/tokens/id-search';
import { keyExpiryView } from '../../../shared/tokens/key-expiry';
import { getTimelinePage } from '../../../shared/tokens/read-tokens';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const T0 = '2026-11-30T10:00:00.000Z';

function state(tokenId: string, facts: TokenState['facts'] = {}, status: TokenState['status'] = 'active'): TokenState {
  return {
    tokenId,
    status,
    facts: { cardId: 'c1', network: 'MDES', ...facts },
    clocks: { status: `0#${T0}#e` },
    firstEventAt: T0,
    lastEventAt: T0,
    activationWait: { challengeId: 'ch', taskToken: 'secret-task-token' },
  };
}

const entry = (eventId: string, occurredAt: string, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({
  eventId,
  eventType: 'notification',
  occurredAt,
  callMethod: 'X',
  recognized: true,
  facts: {},
  payload: '{}',
  receivedAt: occurredAt,
  ...extra,
});

const decision = (id: string, decidedAt: string, over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  decisionId: id,
  decidedAt,
  decision: 'APPROVED',
  reasonCodes: [],
  ruleSetVersion: 'v1',
  firedRules: [],
  latencyMs: 1,
  ...over,
});

let store: MemoryTokenStore;
beforeEach(() => {
  store = new MemoryTokenStore();
});

describe('token timeline by page', () => {
  it('pages the timeline oldest first until the cursors end', async () => {
    await store.putTokenState(state('t1'), undefined);
    for (let i = 0; i < 5; i++)
      await store.addTimelineEntry({ tokenId: 't1' }, entry(`e${i}`, `2026-11-30T10:00:0${i}.000Z`));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await getTimelinePage(store, 't1', 2, cursor);
      expect(page.tokenId).toBe('t1');
      seen.push(...page.items.map((e) => e.eventId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(pages).toBe(3);
  });

  it('is 404 for a token we never heard of', async () => {
    await expect(getTimelinePage(store, 'nope', 10)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('card view', () => {
  it('groups the tokens by wallet and device, without clocks or task tokens, with the newest refusals first', async () => {
    await store.putTokenState(
      state('t1', { walletName: 'Apple Pay', deviceId: 'd1', deviceName: 'iPhone' }),
      undefined,
    );
    await store.putTokenState(state('t2', { walletName: 'Apple Pay', deviceId: 'd1' }, 'suspended'), undefined);
    await store.putTokenState(state('t3', { walletName: 'Google Pay', deviceId: 'd2' }), undefined);
    await store.putTokenState(state('t4', { tokenRequestorId: '50110030273' }, 'deleted'), undefined);
    await store.putTokenState(state('other', { cardId: 'c2' }), undefined);
    await store.addTimelineEntry({ cardId: 'c1' }, entry('r1', '2026-11-30T09:00:00.000Z'));
    await store.addTimelineEntry({ cardId: 'c1' }, entry('r2', '2026-11-30T11:00:00.000Z'));
    await store.addTimelineEntry(
      { cardId: 'c1' },
      entry('card-update', '2026-11-30T12:00:00.000Z', { card: { status: 'BLOCKED', statusKnown: true } }),
    );
    const view = await getCardView(store, 'c1');
    expect(view.tokenCount).toBe(4);
    expect(view.tokensTruncated).toBe(false);
    expect(view.groups.map((g) => [g.key, g.tokens.map((t) => t.tokenId)])).toEqual([
      ['Apple Pay|d1', ['t1', 't2']],
      ['Google Pay|d2', ['t3']],
      ['50110030273|no device', ['t4']],
    ]);
    const t2 = view.groups[0]?.tokens[1];
    expect(t2?.status).toBe('suspended');
    expect(t2?.allowedActions.find((a) => a.action === 'resume')?.allowed).toBe(true);
    expect(JSON.stringify(view)).not.toContain('secret-task-token');
    expect(JSON.stringify(view)).not.toContain('clocks');
    expect(view.refusals.map((r) => r.eventId)).toEqual(['r2', 'r1']);
  });

  it('shows the card state from its card events, and is 404 for a card we know nothing of', async () => {
    await store.putCardState(
      {
        cardId: 'c9',
        status: 'BLOCKED',
        statusKnown: true,
        lastFour: '4444',
        lastEventId: 'x',
        lastEventAt: T0,
        firstEventAt: T0,
      },
      undefined,
    );
    const view = await getCardView(store, 'c9');
    expect(view.card).toEqual({ status: 'BLOCKED', statusKnown: true, lastFour: '4444', updatedAt: T0 });
    expect(view.groups).toEqual([]);
    await expect(getCardView(store, 'unknown')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('search by identifier', () => {
  it('finds by token id, TUR (a collision says so) and card id', async () => {
    await store.putTokenState(state('t1', { tokenUniqueReference: 'DAPLMC0001' }), undefined);
    await store.putTokenState(state('t2', { tokenUniqueReference: 'DAPLMC0002', cardId: 'c2' }), undefined);
    await store.putTokenState(state('t3', { tokenUniqueReference: 'DAPLMC0002', cardId: 'c2' }), undefined);
    expect(await searchByIdentifier(store, { by: 'tokenId', value: 't1' })).toMatchObject({
      by: 'tokenId',
      matches: [{ tokenId: 't1', cardId: 'c1', tokenUniqueReference: 'DAPLMC0001' }],
      cards: ['c1'],
    });
    const tur = await searchByIdentifier(store, { by: 'tur', value: 'DAPLMC0002' });
    expect(tur.matches.map((m) => m.tokenId).sort()).toEqual(['t2', 't3']);
    expect(tur.collision).toBe(true);
    expect(await searchByIdentifier(store, { by: 'cardId', value: 'c2' })).toMatchObject({ cards: ['c2'] });
    expect(await searchByIdentifier(store, { by: 'tokenId', value: 'nope' })).toEqual({
      by: 'tokenId',
      matches: [],
      cards: [],
    });
  });

  it('takes exactly one identifier and names the PAN route otherwise', () => {
    expect(idQueryOf({ tur: 'X' })).toEqual({ by: 'tur', value: 'X' });
    expect(() => idQueryOf({})).toThrow(/POST \/cs\/search/);
    expect(() => idQueryOf({ cardId: '1', tokenId: '2' })).toThrow(ValidationError);
    expect(() => idQueryOf({ pan: '5555555555554444' })).toThrow(/unknown query parameter\(s\): pan/);
  });
});

describe('decisions of a period', () => {
  const now = new Date('2026-12-02T15:00:00.000Z');

  it('defaults to the last 7 days and refuses a bad or too long period', () => {
    expect(dayRangeOf(undefined, undefined, now)).toEqual({ from: '2026-11-26', to: '2026-12-02' });
    expect(dayRangeOf('2026-11-01', '2026-12-01', now)).toEqual({ from: '2026-11-01', to: '2026-12-01' });
    expect(() => dayRangeOf('2026-10-31', '2026-12-01', now)).toThrow(/at most 31 days/);
    expect(() => dayRangeOf('2026-12-02', '2026-12-01', now)).toThrow(/after/);
    expect(() => dayRangeOf('2026-02-30', undefined, now)).toThrow(/YYYY-MM-DD/);
    expect(() => dayRangeOf('yesterday', undefined, now)).toThrow(ValidationError);
  });

  it('lists newest first by page, with each decision’s owner', async () => {
    await store.putDecision({ tokenId: 't1' }, decision('d1', '2026-11-30T10:00:00.000Z'));
    await store.putDecision({ cardId: 'c1' }, decision('d2', '2026-12-01T10:00:00.000Z'));
    await store.putDecision({ invalidOn: '2026-12-01' }, decision('d3', '2026-12-01T11:00:00.000Z'));
    const range = { from: '2026-11-30', to: '2026-12-01' };
    const first = await listDecisionsOfPeriod(store, range, 2);
    expect(first.items.map((d) => [d.decisionId, d.owner])).toEqual([
      ['d3', { invalidOn: '2026-12-01' }],
      ['d2', { cardId: 'c1' }],
    ]);
    const second = await listDecisionsOfPeriod(store, range, 2, first.nextCursor);
    expect(second.items.map((d) => d.decisionId)).toEqual(['d1']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('counts per day by decision and reason code, shadow disagreements and rule firings', async () => {
    const fired = (id: string, outcome: string) => ({ id, outcome, reasonCode: `${id}-code` });
    await store.putDecision(
      { tokenId: 't1' },
      decision('a', '2026-11-30T10:00:00.000Z', {
        decision: 'DECLINED',
        reasonCodes: ['VELOCITY'],
        firedRules: [fired('velocity', 'DECLINE'), fired('wallet', 'REQUIRE_ID_AND_V')],
        shadow: { ruleSetVersion: 'v2', decision: 'APPROVED', reasonCodes: [], firedRules: [{ id: 'wallet' }] },
      }),
    );
    await store.putDecision(
      { tokenId: 't2' },
      decision('b', '2026-11-30T11:00:00.000Z', {
        shadow: { ruleSetVersion: 'v2', decision: 'APPROVED', reasonCodes: [], firedRules: [] },
      }),
    );
    await store.putDecision(
      { tokenId: 't3' },
      decision('c', '2026-12-01T09:00:00.000Z', {
        decision: 'REQUIRE_ADDITIONAL_AUTHENTICATION',
        reasonCodes: ['WALLET_RECOMMENDATION', 'VELOCITY'],
        firedRules: [fired('velocity', 'REQUIRE_ID_AND_V')],
        storeFailure: 'TIMEOUT',
      }),
    );
    const stats = await decisionStatsOfPeriod(store, { from: '2026-11-29', to: '2026-12-01' });
    expect(stats.total).toBe(3);
    expect(stats.days).toEqual([
      { day: '2026-11-29', total: 0, byDecision: {}, byReasonCode: {}, shadowDisagreements: 0, storeFailures: 0 },
      {
        day: '2026-11-30',
        total: 2,
        byDecision: { DECLINED: 1, APPROVED: 1 },
        byReasonCode: { VELOCITY: 1 },
        shadowDisagreements: 1,
        storeFailures: 0,
      },
      {
        day: '2026-12-01',
        total: 1,
        byDecision: { REQUIRE_ADDITIONAL_AUTHENTICATION: 1 },
        byReasonCode: { WALLET_RECOMMENDATION: 1, VELOCITY: 1 },
        shadowDisagreements: 0,
        storeFailures: 1,
      },
    ]);
    expect(stats.rules).toEqual([
      { id: 'velocity', fired: 2, byOutcome: { DECLINE: 1, REQUIRE_ID_AND_V: 1 }, shadowFired: 0 },
      { id: 'wallet', fired: 1, byOutcome: { REQUIRE_ID_AND_V: 1 }, shadowFired: 1 },
    ]);
    expect(stats.shadow).toEqual({
      compared: 2,
      disagreements: 1,
      pairs: [{ live: 'DECLINED', shadow: 'APPROVED', count: 1 }],
      ruleSetVersions: ['v2'],
      latest: [
        {
          decisionId: 'a',
          decidedAt: '2026-11-30T10:00:00.000Z',
          owner: { tokenId: 't1' },
          live: 'DECLINED',
          shadow: 'APPROVED',
          ruleSetVersion: 'v1',
          shadowRuleSetVersion: 'v2',
        },
      ],
    });
    expect(stats).toMatchObject({ scanned: 3, truncated: false });
  });

  it('stops at the cap and says it did', async () => {
    for (let i = 0; i < 5; i++)
      await store.putDecision({ tokenId: `t${i}` }, decision(`d${i}`, `2026-11-30T10:00:0${i}.000Z`));
    const stats = await decisionStatsOfPeriod(store, { from: '2026-11-30', to: '2026-11-30' }, 3);
    expect(stats).toMatchObject({ scanned: 3, total: 3, truncated: true });
    const all = await decisionStatsOfPeriod(store, { from: '2026-11-30', to: '2026-11-30' }, 5);
    expect(all).toMatchObject({ scanned: 5, truncated: false });
  });
});

describe('key expiry', () => {
  it('recounts days to expiry to now and levels them; a failed check is UNKNOWN', async () => {
    await store.putKeyExpiryReport({
      customerId: 'CID-1',
      checkedAt: '2026-12-01T06:00:00.000Z',
      keys: [
        { key: 'signing', notAfter: '2027-01-10T00:00:00.000Z' },
        { key: 'encryption', notAfter: '2027-12-01T00:00:00.000Z' },
      ],
    });
    await store.putKeyExpiryReport({
      customerId: 'CID-2',
      checkedAt: '2026-12-01T06:00:00.000Z',
      keys: [],
      error: 'X',
    });
    const view = await keyExpiryView(store, new Date('2026-12-02T00:00:00.000Z'));
    expect(view.thresholds).toEqual({ warning: 45, critical: 14 });
    expect(view.customers).toEqual([
      {
        customerId: 'CID-1',
        checkedAt: '2026-12-01T06:00:00.000Z',
        daysToExpiry: 39,
        level: 'WARNING',
        keys: [
          { key: 'signing', notAfter: '2027-01-10T00:00:00.000Z', daysToExpiry: 39 },
          { key: 'encryption', notAfter: '2027-12-01T00:00:00.000Z', daysToExpiry: 364 },
        ],
      },
      { customerId: 'CID-2', checkedAt: '2026-12-01T06:00:00.000Z', level: 'UNKNOWN', keys: [], error: 'X' },
    ]);
  });
});
