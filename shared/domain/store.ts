import type { Challenge, ChallengeStatus } from './challenge';
import type { TokenEvent } from './token-event';
import type { TokenState } from './token-state';
import type { TokenStatus } from './token-status';

/**
 * The token store port: what the flows need from storage, in the model's terms. The only code that
 * knows item keys is its DynamoDB adapter (shared/adapters/dynamo/token-store.ts); the in-memory
 * fake for unit tests is test/fixtures/memory-token-store.ts.
 */

/** A token state with the version used for optimistic concurrency. */
export interface VersionedTokenState {
  state: TokenState;
  version: number;
}

/** One timeline entry as stored: the normalised event plus the redacted envelope. */
export interface TimelineEntry {
  eventId: string;
  eventType: string;
  /** Pismo's schema version of the event, when it said one. */
  schemaVersion?: string;
  occurredAt: string;
  callMethod: string;
  recognized: boolean;
  status?: TokenStatus;
  facts: TokenEvent['facts'];
  /** Paths of fields we did not know (kept in `payload`, redacted like the rest). */
  unknownFields?: string[];
  /** Redacted Pismo envelope as JSON text. */
  payload: string;
  receivedAt: string;
}

/** One page of a query, with an opaque cursor for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Where a timeline hangs: the token, or the card for events without a token (refusals). */
export type TimelineOwner = { tokenId: string } | { cardId: string };

/** Where a decision is recorded: its token, its card, or (unattributable requests) the day. */
export type DecisionOwner = TimelineOwner | { invalidOn: string };

/** One recorded tokenization decision (docs/security/data-at-rest.md, stored items). Never holds card data. */
export interface DecisionRecord {
  decisionId: string;
  decidedAt: string;
  /** Wire decision returned to Pismo. */
  decision: string;
  reasonCodes: string[];
  ruleSetVersion?: string;
  firedRules: { id: string; outcome: string; reasonCode: string }[];
  signals?: Record<string, unknown>;
  shadow?: { ruleSetVersion: string; decision: string; reasonCodes: string[]; firedRules: { id: string }[] };
  callMethod?: string;
  network?: string;
  cardId?: string;
  latencyMs: number;
  storeFailure?: string;
  details?: string[];
}

/**
 * Where an audit record hangs: the token, its TUR when the token is not (yet) in our store, or the
 * day for calls that concern no token (a search that found nothing).
 */
export type AuditOwner = { tokenId: string } | { tur: string } | { day: string };

/** One Customer Service action (docs/security/data-at-rest.md, stored items): who, what, on which token, and the outcome. */
export interface AuditRecord {
  auditId: string;
  at: string;
  operation: string;
  customerId: string;
  tokenId?: string;
  tokenUniqueReference?: string;
  userId: string;
  userName: string;
  /**
   * PENDING: written before MDES is called; DONE: MDES did it; REFUSED: a rule forbade it (MDES not
   * called) or MDES refused it; FAILED: MDES unavailable or an internal error.
   */
  outcome: 'PENDING' | 'DONE' | 'REFUSED' | 'FAILED';
  httpStatus: number;
  reason?: string;
  /** Non-card request parameters (reason code, comment); never a PAN. */
  parameters?: Record<string, string>;
  mdesStatusBefore?: string;
  mdesReason?: string;
  latencyMs: number;
}

/** Thrown when a conditional state write lost a race; the caller re-reads and retries. */
export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
}

/** What a challenge update may change (never its identity, never the code: that is only removed). */
export type ChallengeChanges = Partial<Omit<Challenge, 'challengeId' | 'tokenId' | 'sealedOtp'>>;

/** The token store port: the only code that knows item keys is its DynamoDB adapter below. */
export interface TokenStore {
  getTokenState(tokenId: string): Promise<VersionedTokenState | undefined>;
  /** Writes the state if the stored version is still `expectedVersion` (undefined: must not exist). */
  putTokenState(state: TokenState, expectedVersion: number | undefined): Promise<void>;
  /** Adds a timeline entry; false when the same event is already there (a duplicate). */
  addTimelineEntry(owner: TimelineOwner, entry: TimelineEntry): Promise<boolean>;
  listTimeline(owner: TimelineOwner, limit: number, cursor?: string): Promise<Page<TimelineEntry>>;
  listTokensOfCard(cardId: string, limit: number, cursor?: string): Promise<Page<TokenState>>;
  putDecision(owner: DecisionOwner, record: DecisionRecord): Promise<void>;
  /** Adds a challenge; false when it already exists (a duplicate event). */
  putChallenge(challenge: Challenge): Promise<boolean>;
  getChallenge(tokenId: string, challengeId: string): Promise<Challenge | undefined>;
  listChallenges(tokenId: string): Promise<Challenge[]>;
  /**
   * Changes a challenge if its status is one of `from`; `removeOtp` deletes the code in the same
   * write. Returns the updated challenge, or undefined when the status did not allow it.
   */
  updateChallenge(
    tokenId: string,
    challengeId: string,
    from: readonly ChallengeStatus[],
    changes: ChallengeChanges,
    removeOtp?: boolean,
  ): Promise<Challenge | undefined>;
  /** Records the waiting workflow's task token on the token; returns the token state after it. */
  registerActivationWait(
    tokenId: string,
    wait: { challengeId: string; taskToken: string },
  ): Promise<TokenState | undefined>;
  listDecisions(owner: TimelineOwner, limit: number): Promise<DecisionRecord[]>;
  /** The token id whose state carries this Token Unique Reference (GSI2), if any. */
  findTokenIdByTur(tur: string): Promise<string | undefined>;
  /** Every token id whose state carries this TUR (at most `limit`); more than one is a collision. */
  findTokenIdsByTur(tur: string, limit?: number): Promise<string[]>;
  putAudit(owner: AuditOwner, record: AuditRecord): Promise<void>;
  /** Newest first. */
  listAudit(owner: AuditOwner, limit: number): Promise<AuditRecord[]>;
}
