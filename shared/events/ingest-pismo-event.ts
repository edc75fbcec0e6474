/**
 * Flow "events": Pismo tokenization events into the token store. Primary course:
 *
 * 1. An event arrives, as a signed webhook (POST /pismo/events) or from the SQS queue fed by SNS and
 *    EventBridge (functions/events/).
 * 2. The body is validated against Pismo's schemas (size and depth first) and normalised into a
 *    network-agnostic TokenEvent; unknown fields are kept, redacted, and counted.
 * 3. The event is merged into its token's state (last writer wins per field, terminal statuses win),
 *    with optimistic concurrency and jittered retries.
 * 4. An event carrying an ID&V code becomes a challenge (shared/domain/challenge.ts): the code is
 *    sealed, the challenge stored, and the ID&V workflow started (IdvWorkflowPort).
 * 5. An event that settles the token resumes the workflow waiting for its activation.
 * 6. The redacted event is written to the token's (or card's) timeline last: that write decides
 *    applied or duplicate, so a redelivery after a crash runs again harmlessly.
 * 7. The outcome is reported as logs (ids only) and metrics (report-outcome.ts).
 */
import { type Clock, type Sleep, systemClock } from '../domain/clock';
import {
  type Challenge,
  challengeIdOf,
  isSettledToken,
  newChallenge,
  openingOf,
  type OtpSealer,
  startsWorkflow,
} from '../domain/challenge';
import { ConcurrencyError, ValidationError } from '../domain/errors';
import { maskPans } from '../domain/redaction';
import type { TokenEvent } from '../domain/token-event';
import { applyTokenEvent, type TokenState } from '../domain/token-state';
import type { TokenStatus } from '../domain/token-status';
import { type PismoEvent, parsePismoEvent } from '../adapters/pismo/event-schemas';
import { carriesChallenge, extractOtp } from '../adapters/pismo/extract-otp';
import { normalizePismoEvent } from '../adapters/pismo/normalize-event';
import { redactPismoEvent } from '../adapters/pismo/redact-event';
import {
  type CardPort,
  type ChallengePort,
  type TimelineEntry,
  type TimelineOwner,
  type TimelinePort,
  type TokenStatePort,
  VersionConflictError,
} from '../domain/store';
import type { IdvWorkflowPort } from '../adapters/aws/idv-workflow';
import type { CardChangePort } from '../domain/card';
import { isCardDomainEvent } from '../adapters/pismo/card-event';
import { isCardOnFileDomainEvent } from '../adapters/pismo/card-on-file-event';
import { ingestCardOnFileEvent } from './ingest-card-on-file-event';
import { ingestCardEvent } from './ingest-card-event';
import { applyPanUpdate, panUpdateNote } from './apply-pan-update';
import type { IngestOutcome } from './ingest-outcome';

/** Ports the ingestion use case needs. */
export interface IngestDeps {
  store: TokenStatePort & TimelinePort & ChallengePort & CardPort;
  /** Card events: where a card's status change goes (the card-status policy); see ingest-card-event.ts. */
  cardChanges?: CardChangePort;
  now?: Clock;
  /** The ID&V workflow; without it, challenges are stored but no delivery starts. */
  workflow?: IdvWorkflowPort;
  /** Seals the code before it is stored; without it a code is never stored (the challenge fails). */
  otpSealer?: OtpSealer;
  /** Waits between state-merge retries (tests pass a fake clock). */
  sleep?: Sleep;
  /** Uniform in [0, 1): the jitter source (tests pass a fixed one). */
  random?: () => number;
}

export type { IngestOutcome } from './ingest-outcome';

/**
 * State-merge retry under contention (optimistic concurrency on one item). Full jitter (a delay
 * uniform in [0, min(cap, base·2^n))) spreads competing writers apart instead of letting them
 * collide again in lock step. Sizing: one round is a read plus a conditional put (~10-20 ms on
 * DynamoDB, several times that at p99 or on a loaded local stand-in), and only one writer of a
 * contended item wins per round, so N concurrent events on one token need ~N rounds in total: the
 * cap (1 s) lets 50 writers spread over ~50 rounds, the attempts (20) and the total sleep budget
 * (6 s, inside the 10 s function timeout) bound what one event may wait before a 503.
 */
export const STATE_RETRY = { maxAttempts: 20, baseMs: 20, capMs: 1000, budgetMs: 6000 } as const;

/** Largest redacted payload we store: a DynamoDB item holds 400 KB with the facts beside it. */
const MAX_PAYLOAD_BYTES = 300 * 1024;
const MAX_REPORTED_UNKNOWN_FIELDS = 20;

const defaultSleep: Sleep = (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Merges the event into its token's state, retrying lost races; throws ConcurrencyError when out of budget. */
async function mergeState(
  event: TokenEvent,
  tokenId: string,
  deps: IngestDeps,
): Promise<{ state: TokenState; changed: boolean }> {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  let slept = 0;
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.getTokenState(tokenId);
    const { state, changed } = applyTokenEvent(current?.state, event);
    if (!changed) return { state, changed: false };
    try {
      await deps.store.putTokenState(state, current?.version);
      return { state, changed: true };
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    const delay = Math.floor(random() * Math.min(STATE_RETRY.capMs, STATE_RETRY.baseMs * 2 ** (attempt - 1)));
    if (attempt >= STATE_RETRY.maxAttempts || slept + delay > STATE_RETRY.budgetMs) {
      throw new ConcurrencyError(`token ${tokenId} is contended; retry`);
    }
    slept += delay;
    await sleep(delay);
  }
}

/**
 * The challenge the event carries (model: shared/domain/challenge.ts). The impure part is here: the
 * code is read from the Pismo message and sealed (bound to this challenge and token) before it is
 * stored, so it is never in clear at rest.
 */
async function challengeOf(
  event: TokenEvent,
  parsed: PismoEvent,
  tokenStatus: TokenStatus | undefined,
  now: Date,
  sealer: OtpSealer | undefined,
): Promise<Challenge> {
  const otp = extractOtp(parsed);
  const opening = openingOf({
    method: event.facts.activationMethod,
    tokenStatus,
    hasCode: Boolean(otp),
    canSeal: sealer !== undefined,
  });
  const binding = { challengeId: challengeIdOf(event.eventId), tokenId: event.tokenId ?? '' };
  const sealedOtp = opening.status === 'PENDING' && otp && sealer ? await sealer.seal(otp, binding) : undefined;
  return newChallenge(event, { ...opening, sealedOtp }, now);
}

/**
 * Validates, normalises, redacts and stores one Pismo tokenization event.
 *
 * Crash safety without transactions: everything that depends on the input (limits, validation,
 * normalisation, redaction, the timeline entry) is computed before the first write, so a hostile
 * body is refused with nothing written. Then the token state is merged and the timeline entry
 * (which doubles as the dedup record) is written last: a crash in between (an outage, not input)
 * leaves no timeline entry, so the redelivery runs again, and the merge is idempotent.
 * Throws {@link ValidationError} (nothing written) for bad input, {@link ConcurrencyError} (503,
 * nothing written by this call) when the token stays contended past the retry budget.
 */
export async function ingestPismoEvent(raw: unknown, deps: IngestDeps): Promise<IngestOutcome> {
  // Pismo's `cards` domain (card status changes) arrives through the same entry points.
  if (isCardDomainEvent(raw)) return ingestCardEvent(raw, deps);
  if (isCardOnFileDomainEvent(raw)) return ingestCardOnFileEvent(raw, deps);
  const parsed = parsePismoEvent(raw);
  if (!parsed.ok) throw new ValidationError('invalid Pismo tokenization event', parsed.issues);
  const event = normalizePismoEvent(parsed.event);
  const now = (deps.now ?? systemClock)();
  const unknownFields = parsed.unknownFields
    .slice(0, MAX_REPORTED_UNKNOWN_FIELDS)
    .map((p) => maskPans(p.slice(0, 128)));
  const payload = JSON.stringify(redactPismoEvent(raw));
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
    throw new ValidationError('invalid Pismo tokenization event', [`(body): over ${MAX_PAYLOAD_BYTES} bytes to store`]);
  }
  const entry: TimelineEntry = {
    eventId: event.eventId,
    eventType: event.eventType,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    callMethod: event.callMethod,
    recognized: event.recognized,
    status: event.status,
    facts: event.facts,
    unknownFields: unknownFields.length > 0 ? unknownFields : undefined,
    payload,
    receivedAt: now.toISOString(),
  };
  const owners = timelineOwners(event);

  let tokenStatus: TokenStatus | undefined;
  let stateChanged = false;
  let merged: TokenState | undefined;
  if (event.tokenId !== null) {
    const result = await mergeState(event, event.tokenId, deps);
    merged = result.state;
    tokenStatus = result.state.status;
    stateChanged = result.changed;
  }

  // Workflow side effects come before the timeline write, so a crash re-runs them on redelivery;
  // both are idempotent (conditional challenge put, execution name = challenge id, resume of a
  // finished task is a no-op).
  let challenge: IngestOutcome['challenge'];
  if (event.tokenId !== null && carriesChallenge(parsed.event)) {
    const c = await challengeOf(event, parsed.event, tokenStatus, now, deps.otpSealer);
    await deps.store.putChallenge(c);
    const workflow =
      startsWorkflow(c.status) && deps.workflow
        ? await deps.workflow.start({ challengeId: c.challengeId, tokenId: c.tokenId })
        : 'none';
    challenge = { challengeId: c.challengeId, status: c.status, workflow };
  }
  let resumedWorkflow: boolean | undefined;
  const wait = merged?.activationWait;
  if (deps.workflow && wait && merged?.statusEventId === event.eventId && isSettledToken(event.status)) {
    resumedWorkflow = await deps.workflow.resume(
      wait.taskToken,
      event.status === 'active' ? { activated: true } : { error: 'TokenNotActivated', cause: `token ${event.status}` },
    );
  }

  // Reissue: a pan_update SUCCESS moves the migrated tokens to the new card (apply-pan-update.ts),
  // before the card timelines (the dedup record), so a crash re-runs it; it is idempotent.
  let panUpdate: IngestOutcome['panUpdate'];
  if (event.callMethod === 'PAN_UPDATE') {
    entry.note = panUpdateNote(event);
    const r = await applyPanUpdate(event, entry, deps.store);
    panUpdate = { status: r.status, moved: r.moved.length, unknown: r.unknown.length };
    // FAILURE: the card-status policy may retry the transfer once (idempotent per event and per card pair).
    if (r.status === 'FAILURE' && r.oldCardId && r.newCardId && deps.cardChanges?.panUpdateFailed)
      await deps.cardChanges.panUpdateFailed({
        oldCardId: r.oldCardId,
        newCardId: r.newCardId,
        accountId: event.facts.accountId,
        eventId: event.eventId,
        occurredAt: event.occurredAt,
        reasonCode: event.facts.panUpdateReasonCode,
      });
  }

  // The primary owner is written last, so its conditional put decides applied/duplicate.
  let created = false;
  for (const owner of owners) created = await deps.store.addTimelineEntry(owner, entry);

  return {
    outcome: created ? 'applied' : 'duplicate',
    eventId: event.eventId,
    eventType: event.eventType,
    callMethod: event.callMethod,
    recognized: event.recognized,
    schemaVersion: event.schemaVersion,
    unknownFields,
    tokenId: event.tokenId,
    cardId: event.cardId,
    tokenStatus,
    stateChanged,
    challenge,
    resumedWorkflow,
    panUpdate,
  };
}

/** Where the event is kept: its token, else its card (pan_update: both cards, the old one last). */
function timelineOwners(event: TokenEvent): TimelineOwner[] {
  if (event.tokenId !== null) return [{ tokenId: event.tokenId }];
  if (event.cardId === null) throw new ValidationError('invalid Pismo tokenization event', ['data: no owner']);
  return [...(event.otherCardIds ?? []), event.cardId].map((cardId) => ({ cardId }));
}
