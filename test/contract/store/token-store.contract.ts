import type { CardPlan, CardState } from '../../../shared/domain/card';
import type { Challenge } from '../../../shared/domain/challenge';
import type { TokenState } from '../../../shared/domain/token-state';
import {
  type AuditRecord,
  type CardReconciliation,
  type DecisionRecord,
  type ReconciliationRun,
  type Page,
  type TimelineEntry,
  type TokenStore,
  VersionConflictError,
} from '../../../shared/domain/store';
import { InvalidCursorError } from '../../../shared/adapters/dynamo/cursor';

/**
 * The observable behaviour of every {@link TokenStore} port, one `describe` per aggregate. Run by
 * memory-store.contract.test.ts (the in-memory fake of the unit tests) and dynamo-store.contract.test.ts
 * (the DynamoDB adapter on dynalite, the reference): a fake that passes it behaves like the table.
 */

const AT = '2026-12-01T10:00:00.000Z';
const at = (second: number) => `2026-12-01T10:00:${String(second).padStart(2, '0')}.000Z`;

export const tokenState = (tokenId: string, facts: TokenState['facts'] = {}): TokenState => ({
  tokenId,
  status: 'active',
  statusAt: AT,
  facts: { cardId: 'card-1', network: 'MDES', ...facts },
  clocks: { status: `0#${AT}#e1` },
  firstEventAt: AT,
  lastEventAt: AT,
});

export const timelineEntry = (eventId: string, occurredAt = AT): TimelineEntry => ({
  eventId,
  eventType: 'notification',
  occurredAt,
  callMethod: 'TOKEN_STATUS_UPDATED',
  recognized: true,
  status: 'active',
  facts: { deviceName: 'phone' },
  payload: JSON.stringify({ id: eventId }),
  receivedAt: AT,
});

export const decision = (decisionId: string, decidedAt = AT): DecisionRecord => ({
  decisionId,
  decidedAt,
  decision: 'APPROVED',
  reasonCodes: ['OK'],
  ruleSetVersion: 'v1',
  firedRules: [{ id: 'r1', outcome: 'approve', reasonCode: 'OK' }],
  signals: { deviceCountry: 'BR' },
  latencyMs: 3,
});

export const challenge = (tokenId: string, challengeId: string): Challenge => ({
  challengeId,
  tokenId,
  cardId: 'card-1',
  network: 'MDES',
  method: 'SMS',
  maskedHint: '(###)###7728',
  status: 'PENDING',
  sourceEventId: 'e1',
  createdAt: AT,
  attempts: 0,
  sealedOtp: 'c2VhbGVk',
});

export const audit = (auditId: string, when = AT, outcome: AuditRecord['outcome'] = 'PENDING'): AuditRecord => ({
  auditId,
  at: when,
  operation: 'suspend',
  customerId: 'c1',
  tokenId: 't1',
  userId: 'u1',
  userName: 'Officer',
  outcome,
  httpStatus: outcome === 'PENDING' ? 0 : 200,
  parameters: { ReasonCode: 'F' },
  latencyMs: 1,
});

export const reconciliationRun = (runId: string, startedAt = AT): ReconciliationRun => ({
  runId,
  trigger: 'on-demand',
  startedAt,
  finishedAt: startedAt,
  status: 'DONE',
  cards: 1,
  cardsFailed: 0,
  tokensCompared: 2,
  counts: { statusDiffers: 1, unknownToUs: 0, unknownUpstream: 0, differentCard: 0, turDiffers: 0 },
  repaired: 1,
  reported: 0,
  tokens: [{ tokenId: 't1', cardId: 'card-1', driftClass: 'statusDiffers', action: 'repaired' }],
  failedCards: [],
  calls: { pismo: 1, mdes: 0 },
});

export const cardReconciliation = (runId: string, cardId: string, checkedAt = AT): CardReconciliation => ({
  runId,
  cardId,
  checkedAt,
  outcome: 'drift',
  tokensCompared: 1,
  findings: [
    {
      tokenId: 't1',
      cardId,
      driftClass: 'statusDiffers',
      ours: 'active',
      upstream: 'suspended',
      source: 'pismo',
      action: 'repaired',
    },
  ],
  calls: { pismo: 1, mdes: 0 },
});

export const cardState = (cardId: string, status = 'BLOCKED'): CardState => ({
  cardId,
  status,
  statusKnown: true,
  previousStatus: 'NORMAL',
  cardType: 'VIRTUAL',
  lastFour: '0042',
  lastEventId: 'ce1',
  lastEventAt: AT,
  firstEventAt: AT,
});

export const cardPlan = (cardId: string, cardEventId: string): CardPlan => ({
  cardId,
  cardEventId,
  cardStatus: 'BLOCKED',
  previousStatus: 'NORMAL',
  occurredAt: AT,
  policyVersion: 'default-v1',
  mode: 'enforce',
  createdAt: AT,
  actions: [{ tokenId: 't1', action: 'suspend', reason: `card ${cardId} BLOCKED at ${AT}` }],
  skipped: [{ tokenId: 't2', why: 'already suspended' }],
});

/** Every item of a paged list, following the cursors (with a bound, so a cursor loop fails the test). */
async function allPages<T>(list: (cursor?: string) => Promise<Page<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (++pages > 50) throw new Error('the cursors do not end');
  } while (cursor);
  return { items, pages };
}

/** Registers the token store contract; `newStore` gives an empty store for each test. */
export function describeTokenStoreContract(newStore: () => Promise<TokenStore>): void {
  let store: TokenStore;
  beforeEach(async () => {
    store = await newStore();
  });

  describe('tokens (TokenStatePort)', () => {
    it('reads nothing for an unknown token', async () => {
      expect(await store.getTokenState('nope')).toBeUndefined();
    });

    it('creates a token at version 1 and reads it back as written', async () => {
      const state = { ...tokenState('t1', { tokenUniqueReference: 'TUR1' }), statusEventId: 'e1' };
      await store.putTokenState(state, undefined);
      expect(await store.getTokenState('t1')).toEqual({ state, version: 1 });
    });

    it('refuses to create a token that exists (VersionConflictError) and keeps the first', async () => {
      await store.putTokenState(tokenState('t1'), undefined);
      await expect(store.putTokenState({ ...tokenState('t1'), status: 'deleted' }, undefined)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.getTokenState('t1')).toMatchObject({ state: { status: 'active' }, version: 1 });
    });

    it('writes over the expected version only, one version up each time', async () => {
      await store.putTokenState(tokenState('t1'), undefined);
      await store.putTokenState({ ...tokenState('t1'), status: 'suspended' }, 1);
      expect(await store.getTokenState('t1')).toMatchObject({ state: { status: 'suspended' }, version: 2 });
      // A writer that read version 1 lost the race.
      await expect(store.putTokenState({ ...tokenState('t1'), status: 'deleted' }, 1)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      await expect(store.putTokenState(tokenState('t1'), 3)).rejects.toBeInstanceOf(VersionConflictError);
      expect(await store.getTokenState('t1')).toMatchObject({ state: { status: 'suspended' }, version: 2 });
    });

    it('refuses an update of a token that does not exist, and creates nothing', async () => {
      await expect(store.putTokenState(tokenState('t1'), 1)).rejects.toBeInstanceOf(VersionConflictError);
      expect(await store.getTokenState('t1')).toBeUndefined();
    });

    it('records the activation wait as a new version, and nothing for an unknown token', async () => {
      const wait = { challengeId: 'ch1', taskToken: 'task-token' };
      expect(await store.registerActivationWait('nope', wait)).toBeUndefined();
      expect(await store.getTokenState('nope')).toBeUndefined();

      await store.putTokenState(tokenState('t1'), undefined);
      expect(await store.registerActivationWait('t1', wait)).toEqual({ ...tokenState('t1'), activationWait: wait });
      expect(await store.getTokenState('t1')).toEqual({
        state: { ...tokenState('t1'), activationWait: wait },
        version: 2,
      });
      // An event merge that read version 1 re-reads instead of overwriting the wait.
      await expect(store.putTokenState(tokenState('t1'), 1)).rejects.toBeInstanceOf(VersionConflictError);
    });

    it("lists a card's tokens only, by token id, through the cursors it issued", async () => {
      for (const id of ['t3', 't1', 't5', 't2', 't4'])
        await store.putTokenState(tokenState(id, { cardId: 'c1' }), undefined);
      await store.putTokenState(tokenState('other', { cardId: 'c2' }), undefined);
      const { items, pages } = await allPages((cursor) => store.listTokensOfCard('c1', 2, cursor));
      expect(items.map((t) => t.tokenId)).toEqual(['t1', 't2', 't3', 't4', 't5']);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(items[0]).toEqual(tokenState('t1', { cardId: 'c1' }));
      expect((await store.listTokensOfCard('c1', 10)).items).toHaveLength(5);
      expect((await store.listTokensOfCard('c3', 10)).items).toEqual([]);
    });

    it('moves a token between cards when its state names another card', async () => {
      await store.putTokenState(tokenState('t1', { cardId: 'c1' }), undefined);
      await store.putTokenState(tokenState('t1', { cardId: 'c2' }), 1);
      expect((await store.listTokensOfCard('c1', 10)).items).toEqual([]);
      expect((await store.listTokensOfCard('c2', 10)).items.map((t) => t.tokenId)).toEqual(['t1']);
    });

    it("refuses a card's cursor for another card, and a timeline's cursor for a card", async () => {
      for (const id of ['t1', 't2', 't3']) await store.putTokenState(tokenState(id, { cardId: 'c1' }), undefined);
      const first = await store.listTokensOfCard('c1', 2);
      expect(first.nextCursor).toBeDefined();
      await expect(store.listTokensOfCard('c2', 2, first.nextCursor)).rejects.toBeInstanceOf(InvalidCursorError);
      for (const id of ['e1', 'e2', 'e3']) await store.addTimelineEntry({ tokenId: 'c1' }, timelineEntry(id));
      const timeline = await store.listTimeline({ tokenId: 'c1' }, 2);
      await expect(store.listTokensOfCard('c1', 2, timeline.nextCursor)).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('finds a token by its TUR, and none by an unknown one', async () => {
      await store.putTokenState(tokenState('t1', { tokenUniqueReference: 'TUR1' }), undefined);
      await store.putTokenState(tokenState('t2'), undefined);
      expect(await store.findTokenIdByTur('TUR1')).toBe('t1');
      expect(await store.findTokenIdsByTur('TUR1')).toEqual(['t1']);
      expect(await store.findTokenIdByTur('TUR9')).toBeUndefined();
      expect(await store.findTokenIdsByTur('TUR9')).toEqual([]);
    });

    it('finds every token of a colliding TUR, by token id, at most `limit` (default 10)', async () => {
      for (let i = 11; i >= 0; i--)
        await store.putTokenState(
          tokenState(`t${String(i).padStart(2, '0')}`, { tokenUniqueReference: 'TUR1' }),
          undefined,
        );
      expect(await store.findTokenIdsByTur('TUR1', 2)).toEqual(['t00', 't01']);
      expect(await store.findTokenIdsByTur('TUR1')).toEqual(Array.from({ length: 10 }, (_, i) => `t0${i}`));
      expect(await store.findTokenIdsByTur('TUR1', 20)).toHaveLength(12);
      expect(await store.findTokenIdByTur('TUR1')).toBe('t00');
    });

    it('finds a token by its current TUR only', async () => {
      await store.putTokenState(tokenState('t1', { tokenUniqueReference: 'OLD' }), undefined);
      await store.putTokenState(tokenState('t1', { tokenUniqueReference: 'NEW' }), 1);
      expect(await store.findTokenIdByTur('OLD')).toBeUndefined();
      expect(await store.findTokenIdsByTur('NEW')).toEqual(['t1']);
    });
  });

  describe('tokens of an account (AccountTokensPort)', () => {
    it("lists the tokens whose state names the account, in pages, and follows a token's account", async () => {
      for (const id of ['t3', 't1', 't2']) await store.putTokenState(tokenState(id, { accountId: 'a1' }), undefined);
      await store.putTokenState(tokenState('t4', { accountId: 'a2' }), undefined);
      await store.putTokenState(tokenState('t5', { cardId: 'c1' }), undefined);
      const { items, pages } = await allPages((cursor) => store.listTokensOfAccount('a1', 2, cursor));
      expect(items.map((t) => t.tokenId)).toEqual(['t1', 't2', 't3']);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(items[0]).toEqual(tokenState('t1', { accountId: 'a1' }));
      expect((await store.listTokensOfAccount('a9', 10)).items).toEqual([]);
      await store.putTokenState(tokenState('t1', { accountId: 'a2' }), 1);
      expect((await store.listTokensOfAccount('a2', 10)).items.map((t) => t.tokenId)).toEqual(['t1', 't4']);
    });

    it("refuses an account's cursor for another account and for a card", async () => {
      for (const id of ['t1', 't2', 't3']) await store.putTokenState(tokenState(id, { accountId: 'a1' }), undefined);
      const first = await store.listTokensOfAccount('a1', 2);
      expect(first.nextCursor).toBeDefined();
      await expect(store.listTokensOfAccount('a2', 2, first.nextCursor)).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(store.listTokensOfCard('a1', 2, first.nextCursor)).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe('timeline (TimelinePort)', () => {
    it('adds an entry once: the same event again is a duplicate (false) and changes nothing', async () => {
      expect(await store.addTimelineEntry({ tokenId: 't1' }, timelineEntry('e1'))).toBe(true);
      expect(await store.addTimelineEntry({ tokenId: 't1' }, { ...timelineEntry('e1'), eventType: 'again' })).toBe(
        false,
      );
      expect((await store.listTimeline({ tokenId: 't1' }, 10)).items).toEqual([timelineEntry('e1')]);
    });

    it('keys an entry by its time and event id: the same id at another time is another entry', async () => {
      expect(await store.addTimelineEntry({ tokenId: 't1' }, timelineEntry('e1', at(1)))).toBe(true);
      expect(await store.addTimelineEntry({ tokenId: 't1' }, timelineEntry('e1', at(2)))).toBe(true);
      expect((await store.listTimeline({ tokenId: 't1' }, 10)).items).toHaveLength(2);
    });

    it('lists oldest first (by time, then event id), whatever the order of arrival', async () => {
      const entries = [timelineEntry('b', at(2)), timelineEntry('z', at(1)), timelineEntry('a', at(2))];
      for (const e of entries) await store.addTimelineEntry({ tokenId: 't1' }, e);
      await store.addTimelineEntry({ tokenId: 't1' }, timelineEntry('B', at(2)));
      // Sort keys compare by code unit (UTF-8 bytes), not by locale: 'B' before 'a'.
      expect((await store.listTimeline({ tokenId: 't1' }, 10)).items.map((e) => e.eventId)).toEqual([
        'z',
        'B',
        'a',
        'b',
      ]);
    });

    it('keeps the timelines of tokens and cards apart (even under the same id)', async () => {
      await store.addTimelineEntry({ tokenId: 'x' }, timelineEntry('on-token'));
      await store.addTimelineEntry({ cardId: 'x' }, timelineEntry('on-card'));
      await store.addTimelineEntry({ tokenId: 'y' }, timelineEntry('other'));
      expect((await store.listTimeline({ tokenId: 'x' }, 10)).items.map((e) => e.eventId)).toEqual(['on-token']);
      expect((await store.listTimeline({ cardId: 'x' }, 10)).items.map((e) => e.eventId)).toEqual(['on-card']);
      expect(await store.listTimeline({ cardId: 'nope' }, 10)).toEqual({ items: [] });
    });

    it('pages through a timeline with the cursors it issued, each entry once, in order', async () => {
      for (let i = 4; i >= 0; i--) await store.addTimelineEntry({ tokenId: 'a' }, timelineEntry(`e${i}`, at(i)));
      await store.addTimelineEntry({ tokenId: 'b' }, timelineEntry('other'));
      const first = await store.listTimeline({ tokenId: 'a' }, 2);
      expect(first.items.map((e) => e.eventId)).toEqual(['e0', 'e1']);
      expect(first.nextCursor).toEqual(expect.any(String));
      const { items, pages } = await allPages((cursor) => store.listTimeline({ tokenId: 'a' }, 2, cursor));
      expect(items.map((e) => e.eventId)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
      expect(pages).toBeGreaterThanOrEqual(3);
      // Nothing after the last page: a page short of its limit has no cursor.
      expect((await store.listTimeline({ tokenId: 'a' }, 10)).nextCursor).toBeUndefined();
    });

    it('refuses a cursor issued for another partition, or another query, or garbage', async () => {
      for (let i = 0; i < 3; i++) await store.addTimelineEntry({ tokenId: 'a' }, timelineEntry(`e${i}`, at(i)));
      const cursor = (await store.listTimeline({ tokenId: 'a' }, 2)).nextCursor;
      await expect(store.listTimeline({ tokenId: 'b' }, 2, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(store.listTimeline({ cardId: 'a' }, 2, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(store.listTokensOfCard('a', 2, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
      for (const garbage of ['x', '..', 'a.b.c', 'eyJQSyI6MX0.AAAA'])
        await expect(store.listTimeline({ tokenId: 'a' }, 2, garbage)).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe('challenges (ChallengePort)', () => {
    it('adds a challenge once: the same challenge again is a duplicate (false) and the first is kept', async () => {
      expect(await store.putChallenge(challenge('t1', 'ch1'))).toBe(true);
      expect(await store.putChallenge({ ...challenge('t1', 'ch1'), status: 'FAILED' })).toBe(false);
      expect(await store.getChallenge('t1', 'ch1')).toEqual(challenge('t1', 'ch1'));
    });

    it('reads a challenge under its own token only', async () => {
      await store.putChallenge(challenge('t1', 'ch1'));
      expect(await store.getChallenge('t2', 'ch1')).toBeUndefined();
      expect(await store.getChallenge('t1', 'nope')).toBeUndefined();
      expect(await store.putChallenge(challenge('t2', 'ch1'))).toBe(true);
    });

    it("lists a token's challenges only, by challenge id", async () => {
      for (const id of ['ch2', 'ch3', 'ch1']) await store.putChallenge(challenge('t1', id));
      await store.putChallenge(challenge('t2', 'ch0'));
      expect((await store.listChallenges('t1')).map((c) => c.challengeId)).toEqual(['ch1', 'ch2', 'ch3']);
      expect(await store.listChallenges('t9')).toEqual([]);
    });

    it('changes a challenge from an allowed status, returns it, and ignores undefined changes', async () => {
      await store.putChallenge(challenge('t1', 'ch1'));
      const changes = { status: 'DELIVERED' as const, channel: 'SMS' as const, deliveredAt: AT, failure: undefined };
      const after = await store.updateChallenge('t1', 'ch1', ['PENDING', 'FAILED'], changes);
      const want = { ...challenge('t1', 'ch1'), status: 'DELIVERED', channel: 'SMS', deliveredAt: AT };
      expect(after).toEqual(want);
      expect(await store.getChallenge('t1', 'ch1')).toEqual(want);
    });

    it('removes the code in the same write when asked', async () => {
      await store.putChallenge(challenge('t1', 'ch1'));
      const after = await store.updateChallenge('t1', 'ch1', ['PENDING'], { attempts: 1 }, true);
      expect(after).not.toHaveProperty('sealedOtp');
      expect(after?.attempts).toBe(1);
      expect(await store.getChallenge('t1', 'ch1')).not.toHaveProperty('sealedOtp');
      // Removing it alone works too.
      await store.putChallenge(challenge('t1', 'ch2'));
      await store.updateChallenge('t1', 'ch2', ['PENDING'], {}, true);
      expect(await store.getChallenge('t1', 'ch2')).toEqual({ ...challenge('t1', 'ch2'), sealedOtp: undefined });
    });

    it('changes nothing when the status does not allow it, or there is no such challenge', async () => {
      await store.putChallenge(challenge('t1', 'ch1'));
      expect(await store.updateChallenge('t1', 'ch1', ['DELIVERED'], { status: 'EXPIRED' }, true)).toBeUndefined();
      expect(await store.getChallenge('t1', 'ch1')).toEqual(challenge('t1', 'ch1'));
      expect(await store.updateChallenge('t1', 'nope', ['PENDING'], { status: 'EXPIRED' })).toBeUndefined();
      expect(await store.getChallenge('t1', 'nope')).toBeUndefined();
    });

    it('lets only one of two racing updates from the same status win', async () => {
      await store.putChallenge(challenge('t1', 'ch1'));
      const results = await Promise.all([
        store.updateChallenge('t1', 'ch1', ['PENDING'], { status: 'DELIVERED' }),
        store.updateChallenge('t1', 'ch1', ['PENDING'], { status: 'SUPERSEDED' }),
      ]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });
  });

  describe('decisions (DecisionPort)', () => {
    it('lists newest first (by time, then decision id), at most `limit`', async () => {
      for (const [id, when] of [
        ['d1', at(1)],
        ['d3', at(3)],
        ['d2', at(2)],
        ['d2b', at(2)],
      ] as const)
        await store.putDecision({ tokenId: 't1' }, decision(id, when));
      expect((await store.listDecisions({ tokenId: 't1' }, 10)).map((d) => d.decisionId)).toEqual([
        'd3',
        'd2b',
        'd2',
        'd1',
      ]);
      expect((await store.listDecisions({ tokenId: 't1' }, 2)).map((d) => d.decisionId)).toEqual(['d3', 'd2b']);
      expect(await store.listDecisions({ tokenId: 't1' }, 10)).toContainEqual(decision('d1', at(1)));
    });

    it('keeps the decisions of tokens, cards and unattributable requests apart', async () => {
      await store.putDecision({ tokenId: 'x' }, decision('on-token'));
      await store.putDecision({ cardId: 'x' }, decision('on-card'));
      await store.putDecision({ invalidOn: '2026-12-01' }, decision('invalid'));
      expect((await store.listDecisions({ tokenId: 'x' }, 10)).map((d) => d.decisionId)).toEqual(['on-token']);
      expect((await store.listDecisions({ cardId: 'x' }, 10)).map((d) => d.decisionId)).toEqual(['on-card']);
      expect(await store.listDecisions({ tokenId: '2026-12-01' }, 10)).toEqual([]);
    });

    it('replaces a decision written again (an idempotent re-put)', async () => {
      await store.putDecision({ tokenId: 't1' }, decision('d1'));
      await store.putDecision({ tokenId: 't1' }, { ...decision('d1'), storeFailure: 'WRITE_RETRIED' });
      expect(await store.listDecisions({ tokenId: 't1' }, 10)).toEqual([
        { ...decision('d1'), storeFailure: 'WRITE_RETRIED' },
      ]);
    });
  });

  describe('audit (AuditPort)', () => {
    it('lists newest first (by time, then audit id), at most `limit`', async () => {
      for (const [id, when] of [
        ['a2', at(2)],
        ['a1', at(1)],
        ['a3', at(3)],
        ['a3b', at(3)],
      ] as const)
        await store.putAudit({ tokenId: 't1' }, audit(id, when));
      expect((await store.listAudit({ tokenId: 't1' }, 10)).map((a) => a.auditId)).toEqual(['a3b', 'a3', 'a2', 'a1']);
      expect((await store.listAudit({ tokenId: 't1' }, 1)).map((a) => a.auditId)).toEqual(['a3b']);
    });

    it('writes the outcome over the PENDING record (one record, as written last)', async () => {
      await store.putAudit({ tokenId: 't1' }, audit('a1', AT, 'PENDING'));
      await store.putAudit({ tokenId: 't1' }, { ...audit('a1', AT, 'DONE'), reason: 'done', latencyMs: 9 });
      expect(await store.listAudit({ tokenId: 't1' }, 10)).toEqual([
        { ...audit('a1', AT, 'DONE'), reason: 'done', latencyMs: 9 },
      ]);
    });

    it('keeps the audit of tokens, TURs and days apart (even under the same id)', async () => {
      await store.putAudit({ tokenId: 'x' }, audit('on-token'));
      await store.putAudit({ tur: 'x' }, audit('on-tur'));
      await store.putAudit({ day: 'x' }, audit('on-day'));
      expect((await store.listAudit({ tokenId: 'x' }, 10)).map((a) => a.auditId)).toEqual(['on-token']);
      expect((await store.listAudit({ tur: 'x' }, 10)).map((a) => a.auditId)).toEqual(['on-tur']);
      expect((await store.listAudit({ day: 'x' }, 10)).map((a) => a.auditId)).toEqual(['on-day']);
      expect(await store.listAudit({ day: 'y' }, 10)).toEqual([]);
    });
  });

  describe('cards (CardPort)', () => {
    it('creates a card state at version 1, refuses a second create, writes over the expected version only', async () => {
      expect(await store.getCardState('c1')).toBeUndefined();
      await store.putCardState(cardState('c1'), undefined);
      expect(await store.getCardState('c1')).toEqual({ state: cardState('c1'), version: 1 });
      await expect(store.putCardState(cardState('c1', 'LOST'), undefined)).rejects.toBeInstanceOf(VersionConflictError);
      await expect(store.putCardState(cardState('c1', 'LOST'), 7)).rejects.toBeInstanceOf(VersionConflictError);
      await store.putCardState(cardState('c1', 'NORMAL'), 1);
      expect(await store.getCardState('c1')).toEqual({ state: cardState('c1', 'NORMAL'), version: 2 });
    });

    it("keeps a card's state apart from its timeline and from its tokens", async () => {
      await store.putCardState(cardState('c1'), undefined);
      await store.addTimelineEntry({ cardId: 'c1' }, timelineEntry('e1'));
      await store.putTokenState(tokenState('t1', { cardId: 'c1' }), undefined);
      expect((await store.listTimeline({ cardId: 'c1' }, 10)).items).toEqual([timelineEntry('e1')]);
      expect((await store.listTokensOfCard('c1', 10)).items.map((t) => t.tokenId)).toEqual(['t1']);
      expect((await store.getCardState('c1'))?.state).toEqual(cardState('c1'));
    });

    it('records a plan once per card event (the first is kept) and reads it back', async () => {
      expect(await store.getCardPlan('c1', 'ce1')).toBeUndefined();
      expect(await store.putCardPlan(cardPlan('c1', 'ce1'))).toBe(true);
      expect(await store.putCardPlan({ ...cardPlan('c1', 'ce1'), actions: [] })).toBe(false);
      expect(await store.getCardPlan('c1', 'ce1')).toEqual(cardPlan('c1', 'ce1'));
      expect(await store.getCardPlan('c2', 'ce1')).toBeUndefined();
    });

    it("marks, reads and removes the policy's suspension of a token", async () => {
      const mark = { tokenId: 't1', cardId: 'c1', cardEventId: 'ce1', cardStatus: 'BLOCKED', at: AT };
      expect(await store.getPolicySuspension('t1')).toBeUndefined();
      await store.putPolicySuspension(mark);
      await store.putPolicySuspension({ ...mark, cardEventId: 'ce2' });
      expect(await store.getPolicySuspension('t1')).toEqual({ ...mark, cardEventId: 'ce2' });
      expect(await store.getPolicySuspension('t2')).toBeUndefined();
      await store.deletePolicySuspension('t1');
      await store.deletePolicySuspension('t1');
      expect(await store.getPolicySuspension('t1')).toBeUndefined();
    });
  });

  describe('keys (KeyRevocationPort)', () => {
    it('records a revocation once: first true, then false; per customer and key', async () => {
      expect(await store.wasKeyRevoked('c1', 'k1')).toBe(false);
      expect(await store.recordKeyRevocation('c1', 'k1')).toBe(true);
      expect(await store.recordKeyRevocation('c1', 'k1')).toBe(false);
      expect(await store.wasKeyRevoked('c1', 'k1')).toBe(true);
      expect(await store.wasKeyRevoked('c2', 'k1')).toBe(false);
      expect(await store.wasKeyRevoked('c1', 'k2')).toBe(false);
      expect(await store.recordKeyRevocation('c2', 'k1')).toBe(true);
    });
  });

  describe('reads', () => {
    it('returns copies: changing what was read or written changes nothing stored', async () => {
      const state = tokenState('t1');
      await store.putTokenState(state, undefined);
      state.facts.cardId = 'changed';
      const read = await store.getTokenState('t1');
      if (read) read.state.status = 'deleted';
      expect(await store.getTokenState('t1')).toEqual({ state: tokenState('t1'), version: 1 });

      await store.addTimelineEntry({ tokenId: 't1' }, timelineEntry('e1'));
      const [entry] = (await store.listTimeline({ tokenId: 't1' }, 10)).items;
      if (entry) entry.eventType = 'changed';
      expect((await store.listTimeline({ tokenId: 't1' }, 10)).items).toEqual([timelineEntry('e1')]);

      await store.putDecision({ tokenId: 't1' }, decision('d1'));
      const [d] = await store.listDecisions({ tokenId: 't1' }, 10);
      if (d) d.reasonCodes.push('changed');
      expect(await store.listDecisions({ tokenId: 't1' }, 10)).toEqual([decision('d1')]);

      await store.putAudit({ tokenId: 't1' }, audit('a1'));
      const [a] = await store.listAudit({ tokenId: 't1' }, 10);
      if (a) a.outcome = 'DONE';
      expect(await store.listAudit({ tokenId: 't1' }, 10)).toEqual([audit('a1')]);

      await store.putChallenge(challenge('t1', 'ch1'));
      const [c] = await store.listChallenges('t1');
      if (c) c.attempts = 5;
      expect(await store.getChallenge('t1', 'ch1')).toEqual(challenge('t1', 'ch1'));
    });
  });

  describe('reconciliation (ReconciliationPort)', () => {
    it('lists runs newest first, in pages, and a re-put of the same run replaces it', async () => {
      await store.putReconciliationRun(reconciliationRun('r1', at(1)));
      await store.putReconciliationRun(reconciliationRun('r3', at(3)));
      await store.putReconciliationRun(reconciliationRun('r2', at(2)));
      await store.putReconciliationRun({ ...reconciliationRun('r2', at(2)), repaired: 7 });
      const { items } = await allPages((c) => store.listReconciliationRuns(2, c));
      expect(items.map((r) => r.runId)).toEqual(['r3', 'r2', 'r1']);
      expect(items[1]).toEqual({ ...reconciliationRun('r2', at(2)), repaired: 7 });
    });

    it("keeps each card's results: the newest is the latest, and a run lists its cards", async () => {
      expect(await store.latestCardReconciliation('card-1')).toBeUndefined();
      await store.putCardReconciliation(cardReconciliation('r1', 'card-1', at(1)));
      await store.putCardReconciliation(cardReconciliation('r2', 'card-1', at(5)));
      await store.putCardReconciliation(cardReconciliation('r2', 'card-2', at(5)));
      await store.putCardReconciliation({ ...cardReconciliation('r2', 'card-2', at(5)), outcome: 'in-sync' });
      expect(await store.latestCardReconciliation('card-1')).toEqual(cardReconciliation('r2', 'card-1', at(5)));
      const { items } = await allPages((c) => store.listCardReconciliationsOfRun('r2', 1, c));
      expect(items.map((r) => [r.cardId, r.outcome])).toEqual([
        ['card-1', 'drift'],
        ['card-2', 'in-sync'],
      ]);
      expect((await store.listCardReconciliationsOfRun('r1', 10)).items).toEqual([
        cardReconciliation('r1', 'card-1', at(1)),
      ]);
    });

    it('does not mix a card result into its timeline or decisions', async () => {
      await store.putCardReconciliation(cardReconciliation('r1', 'card-1'));
      expect((await store.listTimeline({ cardId: 'card-1' }, 10)).items).toEqual([]);
      expect(await store.listDecisions({ cardId: 'card-1' }, 10)).toEqual([]);
    });

    it('flags cards, lists them by card id, replaces a re-flag and clears a flag', async () => {
      await store.flagCardForReconciliation({ cardId: 'c2', reason: 'pismo unavailable', at: at(1) });
      await store.flagCardForReconciliation({ cardId: 'c1', reason: 'mdes unavailable', at: at(1), accountId: '9' });
      await store.flagCardForReconciliation({ cardId: 'c2', reason: 'again', at: at(2) });
      const { items } = await allPages((c) => store.listReconciliationFlags(1, c));
      expect(items).toEqual([
        { cardId: 'c1', reason: 'mdes unavailable', at: at(1), accountId: '9' },
        { cardId: 'c2', reason: 'again', at: at(2) },
      ]);
      await store.clearReconciliationFlag('c1');
      await store.clearReconciliationFlag('never-flagged');
      expect((await store.listReconciliationFlags(10)).items.map((f) => f.cardId)).toEqual(['c2']);
    });

    it('scans every token state (and nothing else) across pages', async () => {
      for (const id of ['t1', 't2', 't3']) await store.putTokenState(tokenState(id), undefined);
      await store.addTimelineEntry({ tokenId: 't1' }, timelineEntry('e1'));
      await store.putReconciliationRun(reconciliationRun('r1'));
      await store.flagCardForReconciliation({ cardId: 'card-1', reason: 'x', at: AT });
      const { items } = await allPages((c) => store.scanTokenStates(2, c));
      expect(items.map((s) => s.tokenId).sort()).toEqual(['t1', 't2', 't3']);
      expect(items.find((s) => s.tokenId === 't2')).toEqual(tokenState('t2'));
    });
  });
}
