import type { Challenge } from '../../../shared/domain/challenge';
import { NotFoundError } from '../../../shared/domain/errors';
import type { TokenState } from '../../../shared/domain/token-state';
import { getTokenWithTimeline, listChallengesOfToken, listTokensOfCard } from '../../../shared/tokens/read-tokens';
import type { DecisionRecord, Page, TimelineEntry, TimelineOwner } from '../../../shared/domain/store';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

/** Pages of `limit` items; the cursor is the offset of the next page (opaque to the use case). */
function paged<T>(all: T[], limit: number, cursor: string | undefined): Page<T> {
  const from = cursor ? Number(cursor) : 0;
  const next = from + limit;
  return { items: all.slice(from, next), nextCursor: next < all.length ? String(next) : undefined };
}

/** The in-memory store with paging, recording the queries it was asked. */
class PagingStore extends MemoryTokenStore {
  readonly queries: { query: string; limit: number; cursor?: string }[] = [];

  override async listTimeline(owner: TimelineOwner, limit: number, cursor?: string): Promise<Page<TimelineEntry>> {
    this.queries.push({ query: `timeline ${'tokenId' in owner ? owner.tokenId : owner.cardId}`, limit, cursor });
    return paged((await super.listTimeline(owner, 10_000)).items, limit, cursor);
  }

  override async listTokensOfCard(cardId: string, limit: number, cursor?: string): Promise<Page<TokenState>> {
    this.queries.push({ query: `tokens ${cardId}`, limit, cursor });
    return paged((await super.listTokensOfCard(cardId, 10_000)).items, limit, cursor);
  }
}

function state(tokenId: string, cardId = 'card-1'): TokenState {
  return {
    tokenId,
    status: 'active',
    facts: { cardId, network: 'MDES' },
    clocks: {},
    firstEventAt: '2026-03-01T10:00:00.000Z',
    lastEventAt: '2026-03-01T10:00:00.000Z',
  };
}

function entry(n: number): TimelineEntry {
  return {
    eventId: `evt-${n}`,
    eventType: 'notification',
    occurredAt: `2026-03-01T10:00:0${n}.000Z`,
    callMethod: 'TAR',
    recognized: true,
    facts: {},
    payload: '{}',
    receivedAt: `2026-03-01T10:00:0${n}.000Z`,
  };
}

function decision(decisionId: string): DecisionRecord {
  return {
    decisionId,
    decidedAt: '2026-03-01T09:59:00.000Z',
    decision: 'APPROVED',
    reasonCodes: [],
    firedRules: [],
    latencyMs: 12,
  };
}

function challenge(challengeId: string, createdAt: string, sealedOtp?: string): Challenge {
  return {
    challengeId,
    tokenId: 'tok-1',
    cardId: 'card-1',
    network: 'VTS',
    method: 'SMS',
    status: sealedOtp ? 'PENDING' : 'DELIVERED',
    sourceEventId: `evt-${challengeId}`,
    createdAt,
    attempts: 0,
    sealedOtp,
  };
}

describe('read API use cases', () => {
  let store: PagingStore;
  beforeEach(() => {
    store = new PagingStore();
  });

  describe('getTokenWithTimeline', () => {
    it('shows the token with its version, one timeline page, decisions and audit', async () => {
      // Prepare
      await store.putTokenState(state('tok-1'), undefined);
      for (const n of [1, 2, 3]) await store.addTimelineEntry({ tokenId: 'tok-1' }, entry(n));
      await store.putDecision({ tokenId: 'tok-1' }, decision('d-1'));

      // Act
      const view = await getTokenWithTimeline(store, 'tok-1', 50);

      // Assess
      expect(view.token).toMatchObject({ tokenId: 'tok-1', status: 'active', version: 1 });
      expect(view.timeline.items.map((e) => e.eventId)).toEqual(['evt-1', 'evt-2', 'evt-3']);
      expect(view.timeline.nextCursor).toBeUndefined();
      expect(view.decisions.map((d) => d.decisionId)).toEqual(['d-1']);
      expect(view.audit).toEqual([]);
    });

    it('pages the timeline: the page size and the cursor go to the store, the next cursor comes back', async () => {
      // Prepare
      await store.putTokenState(state('tok-1'), undefined);
      for (const n of [1, 2, 3]) await store.addTimelineEntry({ tokenId: 'tok-1' }, entry(n));

      // Act
      const first = await getTokenWithTimeline(store, 'tok-1', 2);
      const second = await getTokenWithTimeline(store, 'tok-1', 2, first.timeline.nextCursor);

      // Assess
      expect(first.timeline.items.map((e) => e.eventId)).toEqual(['evt-1', 'evt-2']);
      expect(first.timeline.nextCursor).toBe('2');
      expect(second.timeline.items.map((e) => e.eventId)).toEqual(['evt-3']);
      expect(second.timeline.nextCursor).toBeUndefined();
      expect(store.queries).toEqual([
        { query: 'timeline tok-1', limit: 2, cursor: undefined },
        { query: 'timeline tok-1', limit: 2, cursor: '2' },
      ]);
    });

    it('answers 404 for a token with neither state nor decisions', async () => {
      // Act
      const reading = getTokenWithTimeline(store, 'tok-unknown', 50);

      // Assess
      await expect(reading).rejects.toThrow(NotFoundError);
      await expect(reading).rejects.toThrow('token tok-unknown not found');
    });

    it('shows a token only decided on (declined before any event) with an empty state', async () => {
      // Prepare
      await store.putDecision({ tokenId: 'tok-2' }, decision('d-2'));

      // Act
      const view = await getTokenWithTimeline(store, 'tok-2', 50);

      // Assess
      expect(view.token).toEqual({
        tokenId: 'tok-2',
        facts: {},
        clocks: {},
        firstEventAt: '',
        lastEventAt: '',
        version: 0,
      });
      expect(view.decisions.map((d) => d.decisionId)).toEqual(['d-2']);
    });
  });

  describe('listTokensOfCard', () => {
    it("lists the card's tokens and, on the first page, its card-level refusals", async () => {
      // Prepare
      await store.putTokenState(state('tok-1'), undefined);
      await store.putTokenState(state('tok-9', 'card-2'), undefined);
      await store.addTimelineEntry({ cardId: 'card-1' }, entry(1));

      // Act
      const view = await listTokensOfCard(store, 'card-1', 50);

      // Assess
      expect(view.cardId).toBe('card-1');
      expect(view.tokens.items.map((t) => t.tokenId)).toEqual(['tok-1']);
      expect(view.refusals.map((e) => e.eventId)).toEqual(['evt-1']);
    });

    it('pages the tokens; later pages carry no refusals', async () => {
      // Prepare
      for (const id of ['tok-1', 'tok-2', 'tok-3']) await store.putTokenState(state(id), undefined);
      await store.addTimelineEntry({ cardId: 'card-1' }, entry(1));

      // Act
      const first = await listTokensOfCard(store, 'card-1', 2);
      const second = await listTokensOfCard(store, 'card-1', 2, first.tokens.nextCursor);

      // Assess
      expect(first.tokens.items.map((t) => t.tokenId)).toEqual(['tok-1', 'tok-2']);
      expect(first.refusals).toHaveLength(1);
      expect(second.tokens.items.map((t) => t.tokenId)).toEqual(['tok-3']);
      expect(second.tokens.nextCursor).toBeUndefined();
      expect(second.refusals).toEqual([]);
      expect(store.queries.filter((q) => q.query.startsWith('tokens'))).toEqual([
        { query: 'tokens card-1', limit: 2, cursor: undefined },
        { query: 'tokens card-1', limit: 2, cursor: '2' },
      ]);
      expect(store.queries.filter((q) => q.query.startsWith('timeline'))).toHaveLength(1);
    });

    it('answers an unknown card with an empty list', async () => {
      // Act
      const view = await listTokensOfCard(store, 'card-unknown', 50);

      // Assess
      expect(view).toEqual({ cardId: 'card-unknown', tokens: { items: [] }, refusals: [] });
    });
  });

  describe('listChallengesOfToken', () => {
    it('lists the challenges newest first, never with their codes', async () => {
      // Prepare
      await store.putChallenge(challenge('ch-old', '2026-03-01T10:00:00.000Z'));
      await store.putChallenge(challenge('ch-new', '2026-03-01T11:00:00.000Z', 'c2VhbGVkLWNvZGU='));

      // Act
      const view = await listChallengesOfToken(store, 'tok-1');

      // Assess
      expect(view.tokenId).toBe('tok-1');
      expect(view.challenges.map((c) => c.challengeId)).toEqual(['ch-new', 'ch-old']);
      for (const c of view.challenges) expect(c).not.toHaveProperty('sealedOtp');
      expect(JSON.stringify(view)).not.toContain('c2VhbGVkLWNvZGU=');
    });

    it('answers a token without challenges with an empty list', async () => {
      // Act
      const view = await listChallengesOfToken(store, 'tok-none');

      // Assess
      expect(view).toEqual({ tokenId: 'tok-none', challenges: [] });
    });
  });
});
