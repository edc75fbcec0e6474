/**
 * Flow "tokens": the internal read API (GET /tokens…, scope tokens:read). Primary course:
 *
 * 1. An internal client calls with a JWT the gateway has verified (functions/tokens/read-tokens.ts).
 * 2. The handler validates the ids, the page size and the cursor.
 * 3. A card's tokens: one page of its tokens, plus its recent card-level refusals on the first page.
 * 4. One token: its state, one page of its timeline, its latest decisions and audit records.
 * 5. A token's challenges: newest first, never with their codes.
 * 6. Unknown token: 404; a cursor of another query: 400.
 */
import type { Challenge } from '../domain/challenge';
import { NotFoundError } from '../domain/errors';
import {
  type AllowedAction,
  allowedActionsOf,
  type PendingRequest,
  pendingRequestOf,
} from '../domain/lifecycle-actions';
import type { TokenState } from '../domain/token-state';
import type {
  AuditPort,
  AuditRecord,
  ChallengePort,
  DecisionPort,
  DecisionRecord,
  Page,
  TimelineEntry,
  TimelinePort,
  TokenStatePort,
} from '../domain/store';

/** A token as the internal API shows it: state, one page of its timeline, its latest decisions. */
export interface TokenView {
  token: TokenState & { version: number };
  timeline: Page<TimelineEntry>;
  /** Newest first, at most 20. */
  decisions: DecisionRecord[];
  /** Customer Service actions on the token (who, what, outcome), newest first, at most 20. */
  audit: AuditRecord[];
  /** Every lifecycle action of the token's network: allowed now, or the rule that forbids it. */
  allowedActions: AllowedAction[];
  /** A lifecycle request the network accepted and whose event has not arrived yet. */
  pendingRequest?: PendingRequest;
}

/** Reads one token with the first page (or the page at `cursor`) of its timeline. */
export async function getTokenWithTimeline(
  store: TokenStatePort & TimelinePort & DecisionPort & AuditPort,
  tokenId: string,
  limit: number,
  cursor?: string,
): Promise<TokenView> {
  const [current, timeline, decisions, audit] = await Promise.all([
    store.getTokenState(tokenId),
    store.listTimeline({ tokenId }, limit, cursor),
    store.listDecisions({ tokenId }, 20),
    store.listAudit({ tokenId }, 20),
  ]);
  if (!current && decisions.length === 0) throw new NotFoundError(`token ${tokenId} not found`);
  const token = current
    ? { ...current.state, version: current.version }
    : { tokenId, facts: {}, clocks: {}, firstEventAt: '', lastEventAt: '', version: 0 };
  const pendingRequest = pendingRequestOf(audit, token);
  return {
    token,
    timeline,
    decisions,
    audit,
    allowedActions: allowedActionsOf(token.facts.network, token.status),
    ...(pendingRequest ? { pendingRequest } : {}),
  };
}

/** The tokens of a card, plus the card-level events (refusals) that never became tokens. */
export interface CardTokensView {
  cardId: string;
  tokens: Page<TokenState>;
  refusals: TimelineEntry[];
}

/** Lists a card's tokens (one page) and its most recent card-level refusals. */
export async function listTokensOfCard(
  store: TokenStatePort & TimelinePort,
  cardId: string,
  limit: number,
  cursor?: string,
): Promise<CardTokensView> {
  const [tokens, refusals] = await Promise.all([
    store.listTokensOfCard(cardId, limit, cursor),
    cursor ? Promise.resolve({ items: [] }) : store.listTimeline({ cardId }, 50),
  ]);
  return { cardId, tokens, refusals: refusals.items };
}

/** A challenge as the internal API shows it: never the code. */
export type ChallengeView = Omit<Challenge, 'sealedOtp'>;

/** The token's ID&V challenges, newest first, without codes. */
export async function listChallengesOfToken(
  store: ChallengePort,
  tokenId: string,
): Promise<{ tokenId: string; challenges: ChallengeView[] }> {
  const challenges = (await store.listChallenges(tokenId))
    .map(({ sealedOtp: _sealed, ...rest }) => rest)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { tokenId, challenges };
}

/** One page of a token's timeline (`GET /tokens/{tokenId}/timeline`). */
export interface TimelinePage extends Page<TimelineEntry> {
  tokenId: string;
}

/** One page of the token's timeline, oldest first; 404 when the token is unknown and has no entry. */
export async function getTimelinePage(
  store: Pick<TokenStatePort, 'getTokenState'> & Pick<TimelinePort, 'listTimeline'>,
  tokenId: string,
  limit: number,
  cursor?: string,
): Promise<TimelinePage> {
  const [current, page] = await Promise.all([
    cursor ? Promise.resolve(undefined) : store.getTokenState(tokenId),
    store.listTimeline({ tokenId }, limit, cursor),
  ]);
  if (!cursor && !current && page.items.length === 0) throw new NotFoundError(`token ${tokenId} not found`);
  return { tokenId, items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
