import type { CardPlan, CardState, PolicySuspension, VersionedCardState } from './card';
import type { Challenge, ChallengeStatus } from './challenge';
import type { TokenEvent } from './token-event';
import type { TokenState } from './token-state';
import type { TokenStatus } from './token-status';

/**
 * The store's ports: what the flows need from storage, in the model's terms, one port per aggregate
 * (a group of items that change together and are read by their own key):
 *
 * - tokens ({@link TokenStatePort}): the token's state, versioned for optimistic concurrency, found
 *   by id, by card (GSI1) or by Token Unique Reference (GSI2; more than one token is a collision);
 * - timeline ({@link TimelinePort}): the redacted events of a token, or of a card for events that
 *   never became a token; append-only, a duplicate event is refused, read oldest first in pages;
 * - challenges ({@link ChallengePort}): a token's ID&V challenges, created once, then changed only
 *   from an expected status (the sealed code is only ever removed);
 * - decisions ({@link DecisionPort}): the tokenization decisions of a token, a card or (requests
 *   that name neither) a day; a re-put of the same decision replaces it; read newest first;
 * - audit ({@link AuditPort}): Customer Service actions on a token, a TUR or a day; the outcome is
 *   written over the PENDING record (same record); read newest first;
 * - cards ({@link CardPort}): a card's state (versioned, from Pismo `cards` events), the card-status
 *   policy's plans (one per card event, created once) and which tokens that policy suspended;
 * - keys ({@link KeyRevocationPort}): which rotated-out Mastercard keys were revoked, recorded once;
 * - webhook replay ({@link ReplayMemory}): the Pismo webhook token ids (`jti`) already seen, with
 *   the answer given to the first call. It is its own object, not part of {@link TokenStore}: it
 *   is generic in the answer, and every call takes an AbortSignal (the decision has a deadline).
 *
 * {@link TokenStore} is the intersection of the first seven, so a composition root passes one object;
 * use cases name only the ports they use. The only code that knows item keys is the DynamoDB adapter
 * (shared/adapters/dynamo/token-store.ts and webhook-replay-store.ts: one table, single-item
 * conditional writes, no transactions); the in-memory fakes for unit tests are
 * test/fixtures/memory-token-store.ts and memory-replay-memory.ts. One contract suite
 * (test/contract/store/) runs against both: the DynamoDB adapter is the reference.
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
  /** A card event's fields (status, previous status, type, last four): never more of the card. */
  card?: Pick<CardState, 'status' | 'statusKnown' | 'previousStatus' | 'cardType' | 'lastFour'>;
  /** A line for people, on entries we write ourselves ("suspended: card 123 BLOCKED at T"). */
  note?: string;
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
  firedRules: { id: string; outcome: string; reasonCode: string; waivesIdAndV?: true }[];
  /** Ids of the fired rules that waived the ID&V the rule set asked for (the outcome is APPROVE because of them). */
  waivedBy?: string[];
  signals?: Record<string, unknown>;
  shadow?: {
    ruleSetVersion: string;
    decision: string;
    reasonCodes: string[];
    firedRules: { id: string }[];
    waivedBy?: string[];
  };
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

/**
 * Who acts: issuer staff (an agent, the default), the card-status policy, the ID&V workflow, or the
 * cardholder through the issuer's app (then the user id is the Pismo account id).
 */
export type ActorKind = 'agent' | 'policy' | 'workflow' | 'cardholder';

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
  /** Who acted when not issuer staff (`cardholder`: the user id is the Pismo account id). */
  actorKind?: ActorKind;
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
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
}

/** What a challenge update may change (never its identity, never the code: that is only removed). */
export type ChallengeChanges = Partial<Omit<Challenge, 'challengeId' | 'tokenId' | 'sealedOtp'>>;

/**
 * Tokens: the state of each token, versioned. Lists and lookups are in token id order; a cursor is
 * opaque, valid only for the query that issued it (another is refused with InvalidCursorError).
 */
export interface TokenStatePort {
  getTokenState(tokenId: string): Promise<VersionedTokenState | undefined>;
  /**
   * Writes the state if the stored version is still `expectedVersion` (undefined: must not exist),
   * as version `expectedVersion + 1`; else throws {@link VersionConflictError}.
   */
  putTokenState(state: TokenState, expectedVersion: number | undefined): Promise<void>;
  /** Records the waiting workflow's task token on the token (a new version); the state after it, or undefined without a token. */
  registerActivationWait(
    tokenId: string,
    wait: { challengeId: string; taskToken: string },
  ): Promise<TokenState | undefined>;
  /** The tokens whose state names this card, one page (a full page may come with a cursor to an empty one). */
  listTokensOfCard(cardId: string, limit: number, cursor?: string): Promise<Page<TokenState>>;
  /** The token id whose state carries this Token Unique Reference (GSI2), if any: the first by token id. */
  findTokenIdByTur(tur: string): Promise<string | undefined>;
  /** Every token id whose state carries this TUR (at most `limit`); more than one is a collision. */
  findTokenIdsByTur(tur: string, limit?: number): Promise<string[]>;
}

/** Tokens by Pismo account (GSI3): the cardholder's digital cards (docs/decisions/0025-account-index-for-the-cardholder.md). */
export interface AccountTokensPort {
  /** The tokens whose state names this account, one page, in token id order (a cursor as for a card's). */
  listTokensOfAccount(accountId: string, limit: number, cursor?: string): Promise<Page<TokenState>>;
}

/** Timeline: the events of a token, or of a card (refusals), oldest first. */
export interface TimelinePort {
  /** Adds a timeline entry; false when the same event (same `occurredAt` and `eventId`) is already there (a duplicate). */
  addTimelineEntry(owner: TimelineOwner, entry: TimelineEntry): Promise<boolean>;
  /** One page, oldest first (by `occurredAt`, then `eventId`); a full page may come with a cursor to an empty one. */
  listTimeline(owner: TimelineOwner, limit: number, cursor?: string): Promise<Page<TimelineEntry>>;
}

/** Challenges: a token's ID&V challenges. */
export interface ChallengePort {
  /** Adds a challenge; false when it already exists (a duplicate event). */
  putChallenge(challenge: Challenge): Promise<boolean>;
  getChallenge(tokenId: string, challengeId: string): Promise<Challenge | undefined>;
  /** Every challenge of the token, by challenge id. */
  listChallenges(tokenId: string): Promise<Challenge[]>;
  /**
   * Changes a challenge if its status is one of `from`; `removeOtp` deletes the code in the same
   * write. Returns the updated challenge, or undefined when the status did not allow it (or there is none).
   */
  updateChallenge(
    tokenId: string,
    challengeId: string,
    from: readonly ChallengeStatus[],
    changes: ChallengeChanges,
    removeOtp?: boolean,
  ): Promise<Challenge | undefined>;
}

/** Decisions: the tokenization decisions, by owner. */
export interface DecisionPort {
  /** Records a decision; the same decision (same `decidedAt` and `decisionId`) again replaces it. */
  putDecision(owner: DecisionOwner, record: DecisionRecord): Promise<void>;
  /** Newest first (by `decidedAt`, then `decisionId`), at most `limit`. */
  listDecisions(owner: TimelineOwner, limit: number): Promise<DecisionRecord[]>;
}

/** Audit: Customer Service actions, by owner. */
export interface AuditPort {
  /** Writes the record; the same record (same `at` and `auditId`) again replaces it (PENDING, then the outcome). */
  putAudit(owner: AuditOwner, record: AuditRecord): Promise<void>;
  /** Newest first (by `at`, then `auditId`), at most `limit`. */
  listAudit(owner: AuditOwner, limit: number): Promise<AuditRecord[]>;
}

/** Keys: the rotated-out Mastercard keys whose revocation was recorded (per customer). */
export interface KeyRevocationPort {
  /** Records that a rotated-out Mastercard key was revoked; false when already recorded. */
  recordKeyRevocation(customerId: string, consumerKey: string): Promise<boolean>;
  wasKeyRevoked(customerId: string, consumerKey: string): Promise<boolean>;
}

/** Cards: a card's state, the card-status policy's plans, and the tokens that policy suspended. */
export interface CardPort {
  getCardState(cardId: string): Promise<VersionedCardState | undefined>;
  /** Like {@link TokenStatePort.putTokenState}: conditional on the version, else {@link VersionConflictError}. */
  putCardState(state: CardState, expectedVersion: number | undefined): Promise<void>;
  /** Records a plan once; false when a plan for that card event already exists (the first is kept). */
  putCardPlan(plan: CardPlan): Promise<boolean>;
  getCardPlan(cardId: string, cardEventId: string): Promise<CardPlan | undefined>;
  /** Marks the token suspended by the policy (a re-put replaces the mark). */
  putPolicySuspension(mark: PolicySuspension): Promise<void>;
  getPolicySuspension(tokenId: string): Promise<PolicySuspension | undefined>;
  /** Removes the mark (nothing when there is none). */
  deletePolicySuspension(tokenId: string): Promise<void>;
}

/** The token store: every aggregate of the table but the replay memory, as one object. */
export interface TokenStore
  extends
    TokenStatePort,
    TimelinePort,
    ChallengePort,
    DecisionPort,
    AuditPort,
    CardPort,
    KeyRevocationPort,
    ReconciliationPort,
    AccountTokensPort,
    DecisionLogPort,
    KeyExpiryPort {}

/**
 * Webhook replay: Pismo's webhook tokens already seen. Each token id (`jti`, hashed by the verifier)
 * is claimed once for as long as the token is acceptable, and the answer given to the first call is
 * kept with it so a replay gets that answer instead of a second decision.
 */
export interface ReplayMemory<Answer> {
  /**
   * Claims the token id until `acceptedUntil` (epoch s): 'first' the first time (or when the earlier
   * claim has expired), 'replay' afterwards.
   */
  claim(replayKey: string, acceptedUntil: number, signal?: AbortSignal): Promise<'first' | 'replay'>;
  /** Keeps the answer given to the call that claimed the id (creates the claim if it was lost). */
  saveAnswer(replayKey: string, acceptedUntil: number, answer: Answer, signal?: AbortSignal): Promise<void>;
  /** The answer given to the first call; undefined while that call is still deciding (or never saved it). */
  firstAnswer(replayKey: string, signal?: AbortSignal): Promise<Answer | undefined>;
}

// ---- reconciliation (shared/reconciliation/): runs, per-card results, flagged cards ----

/** How our token store can disagree with Pismo or Mastercard (docs/flows/reconciliation.md). */
export const DRIFT_CLASSES = [
  'statusDiffers',
  'unknownToUs',
  'unknownUpstream',
  'differentCard',
  'turDiffers',
] as const;
export type DriftClass = (typeof DRIFT_CLASSES)[number];

/** One disagreement about one token, and what was done about it. */
export interface DriftFinding {
  tokenId: string;
  cardId: string;
  driftClass: DriftClass;
  /** What our store said, and what upstream said (statuses, card ids or TURs; never a PAN). */
  ours?: string;
  upstream?: string;
  /** Who said it: Pismo's get card tokens, or MDES Customer Service Search by TUR. */
  source: 'pismo' | 'mdes';
  /**
   * `repaired`: a reconciliation entry was merged; `superseded`: a newer event already holds the
   * field (the merge kept it); `reported`: not safe to repair, left for a person; `retry`: an
   * upstream failed, the card is flagged for the next run.
   */
  action: 'repaired' | 'superseded' | 'reported' | 'retry';
  reason?: string;
}

/** The result of reconciling one card in one run. */
export interface CardReconciliation {
  runId: string;
  cardId: string;
  checkedAt: string;
  /** `failed`: Pismo could not be read (nothing compared); `partial`: some tokens stay in doubt (MDES failed). */
  outcome: 'in-sync' | 'drift' | 'partial' | 'failed';
  tokensCompared: number;
  findings: DriftFinding[];
  /** Upstream calls made for this card (attempts, retries included). */
  calls: { pismo: number; mdes: number };
  error?: string;
}

/** One run: its counts per drift class and the tokens affected. */
export interface ReconciliationRun {
  runId: string;
  trigger: 'on-demand' | 'scheduled' | 'sweep';
  startedAt: string;
  finishedAt?: string;
  status: 'RUNNING' | 'DONE';
  cards: number;
  cardsFailed: number;
  tokensCompared: number;
  counts: Record<DriftClass, number>;
  repaired: number;
  reported: number;
  /** The tokens affected (at most 500; `tokensTruncated` says when more were). */
  tokens: { tokenId: string; cardId: string; driftClass: DriftClass; action: DriftFinding['action'] }[];
  tokensTruncated?: boolean;
  /** Cards whose upstream failed (at most 500): flagged, retried by the next run. */
  failedCards: string[];
  calls: { pismo: number; mdes: number };
}

/** A card flagged for the next scheduled run (an upstream failed, or another flow asked). */
export interface ReconciliationFlag {
  cardId: string;
  accountId?: string;
  reason: string;
  at: string;
}

/**
 * Reconciliation: runs (newest first), each card's results (newest first, and by run), the cards
 * flagged for the next run, and a scan of every token state (the scheduled run picks tokens in doubt
 * from it; the full sweep in AWS reads a table export instead).
 */
export interface ReconciliationPort {
  /** Writes the run; the same run (same `startedAt` and `runId`) again replaces it. */
  putReconciliationRun(run: ReconciliationRun): Promise<void>;
  /** Newest first (by `startedAt`, then `runId`), one page. */
  listReconciliationRuns(limit: number, cursor?: string): Promise<Page<ReconciliationRun>>;
  /** Records a card's result, under the card and under its run; the same card in the same run again replaces it. */
  putCardReconciliation(result: CardReconciliation): Promise<void>;
  /** The card's newest result (by `checkedAt`, then `runId`). */
  latestCardReconciliation(cardId: string): Promise<CardReconciliation | undefined>;
  /** The card results of one run, by card id, one page. */
  listCardReconciliationsOfRun(runId: string, limit: number, cursor?: string): Promise<Page<CardReconciliation>>;
  /** Flags a card for the next run (a re-flag replaces the flag). */
  flagCardForReconciliation(flag: ReconciliationFlag): Promise<void>;
  clearReconciliationFlag(cardId: string): Promise<void>;
  /** The flagged cards, by card id, one page. */
  listReconciliationFlags(limit: number, cursor?: string): Promise<Page<ReconciliationFlag>>;
  /** Every token state, one page in no particular order (a page may be short, even empty, with a cursor). */
  scanTokenStates(limit: number, cursor?: string): Promise<Page<TokenState>>;
}

// ---- the console's reads (issue 15): decisions by day, the key monitor's latest report ----

/** A stored decision with where it is recorded (its token, its card, or the day of an unattributable request). */
export type DecisionListItem = DecisionRecord & { owner: DecisionOwner };

/** Decisions by day, whatever their owner (the console's decisions page and its statistics). */
export interface DecisionLogPort {
  /**
   * One page of the decisions made on the UTC days `from`..`to` (YYYY-MM-DD, inclusive), newest
   * first (by `decidedAt`, then `decisionId`); a full page may come with a cursor to an empty one.
   */
  listDecisionsByDay(
    days: { from: string; to: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<DecisionListItem>>;
}

/** What the daily key monitor last saw of one MDES customer's keys (names and dates only, never key material). */
export interface KeyExpiryReport {
  customerId: string;
  checkedAt: string;
  keys: { key: string; notAfter: string }[];
  /** Why the check failed (then `keys` is empty). */
  error?: string;
}

/** Keys: the monitor's latest report per customer (each report replaces the previous one). */
export interface KeyExpiryPort {
  putKeyExpiryReport(report: KeyExpiryReport): Promise<void>;
  /** Every customer's latest report, by customer id. */
  listKeyExpiryReports(): Promise<KeyExpiryReport[]>;
}
