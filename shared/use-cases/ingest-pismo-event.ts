import { type Challenge, type ChallengeStatus, isDeliverable, type OtpSealer } from '../domain/challenge';
import { ConcurrencyError, ValidationError } from '../domain/errors';
import type { TokenEvent } from '../domain/token-event';
import { applyTokenEvent, type TokenState } from '../domain/token-state';
import type { TokenStatus } from '../domain/token-status';
import { type PismoEvent, parsePismoEvent } from '../pismo/event-schemas';
import { extractOtp } from '../pismo/extract-otp';
import { normalizePismoEvent } from '../pismo/normalize-event';
import { redactPismoEvent } from '../pismo/redact-event';
import { type TokenStore, VersionConflict } from '../store/token-store';
import type { IdvWorkflowPort } from '../workflow/idv-workflow';

/** Ports the ingestion use case needs. */
export interface IngestDeps {
  store: TokenStore;
  now?: () => Date;
  /** The ID&V workflow; without it, challenges are stored but no delivery starts. */
  workflow?: IdvWorkflowPort;
  /** Seals the code before it is stored; without it a code is never stored (the challenge fails). */
  otpSealer?: OtpSealer;
}

/** What happened to one event; handlers turn this into responses, logs and metrics. */
export interface IngestOutcome {
  outcome: 'applied' | 'duplicate';
  eventId: string;
  eventType: string;
  callMethod: string;
  recognized: boolean;
  tokenId: string | null;
  cardId: string;
  /** The token's status after this event (undefined for events without a token). */
  tokenStatus?: TokenStatus;
  /** Whether the token state changed (false for duplicates and already-superseded events). */
  stateChanged: boolean;
  /** The ID&V challenge this event carried, if any. */
  challenge?: { challengeId: string; status: ChallengeStatus; workflow: 'started' | 'duplicate' | 'none' };
  /** Whether a waiting ID&V workflow was resumed by this event. */
  resumedWorkflow?: boolean;
}

const CHALLENGE_METHODS = new Set(['AC', 'VTS_PASSCODE', 'SEND_CHALLENGE']);
const SETTLED: ReadonlySet<TokenStatus> = new Set<TokenStatus>(['active', 'deleted', 'declined']);

/** Execution names allow 1-80 of [A-Za-z0-9-_]. */
function challengeIdOf(eventId: string): string {
  return `ch-${eventId.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 80);
}

async function challengeOf(
  event: TokenEvent,
  parsed: PismoEvent,
  tokenStatus: TokenStatus | undefined,
  now: Date,
  sealer: OtpSealer | undefined,
): Promise<Challenge> {
  const method = event.facts.activationMethod;
  const otp = extractOtp(parsed);
  const challengeId = challengeIdOf(event.eventId);
  const tokenId = event.tokenId ?? '';
  let status: ChallengeStatus = 'PENDING';
  let failure: string | undefined;
  if (tokenStatus && SETTLED.has(tokenStatus)) status = 'SUPERSEDED';
  else if (!isDeliverable(method)) status = 'NOT_DELIVERED_BY_US';
  else if (!otp) [status, failure] = ['FAILED', 'NO_CODE_IN_MESSAGE'];
  else if (!sealer) [status, failure] = ['FAILED', 'CODE_NOT_SEALED'];
  // The code is sealed (bound to this challenge and token) before it is stored: never in clear at rest.
  const sealedOtp =
    status === 'PENDING' && otp && sealer ? await sealer.seal(otp, { challengeId, tokenId }) : undefined;
  return {
    challengeId,
    tokenId,
    cardId: event.cardId,
    accountId: event.facts.accountId,
    network: event.facts.network ?? 'UNKNOWN',
    method,
    maskedHint: event.facts.maskedDestination,
    expiresAt: event.facts.challengeExpiresAt,
    language: event.facts.consumerLanguage,
    status,
    sourceEventId: event.eventId,
    createdAt: now.toISOString(),
    attempts: 0,
    failure,
    sealedOtp,
  };
}

const MAX_STATE_ATTEMPTS = 5;

/**
 * Validates, normalises, redacts and stores one Pismo tokenization event.
 *
 * Order matters for crash safety without transactions: the token state is merged first and the
 * timeline entry (which doubles as the dedup record) is written last. A crash in between leaves
 * no timeline entry, so the redelivery runs again; the merge is idempotent, so running it twice
 * is harmless. Throws {@link ValidationError} (nothing written) for bad input.
 */
export async function ingestPismoEvent(raw: unknown, deps: IngestDeps): Promise<IngestOutcome> {
  const parsed = parsePismoEvent(raw);
  if (!parsed.ok) throw new ValidationError('invalid Pismo tokenization event', parsed.issues);
  const event = normalizePismoEvent(parsed.event);
  const now = (deps.now ?? (() => new Date()))();

  let tokenStatus: TokenStatus | undefined;
  let stateChanged = false;
  let merged: TokenState | undefined;
  if (event.tokenId !== null) {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.store.getTokenState(event.tokenId);
      const { state, changed } = applyTokenEvent(current?.state, event);
      tokenStatus = state.status;
      merged = state;
      if (!changed) break;
      try {
        await deps.store.putTokenState(state, current?.version);
        stateChanged = true;
        break;
      } catch (err) {
        if (!(err instanceof VersionConflict)) throw err;
        if (attempt >= MAX_STATE_ATTEMPTS) throw new ConcurrencyError(`token ${event.tokenId} is contended; retry`);
      }
    }
  }

  // Workflow side effects come before the timeline write, so a crash re-runs them on redelivery;
  // both are idempotent (conditional challenge put, execution name = challenge id, resume of a
  // finished task is a no-op).
  let challenge: IngestOutcome['challenge'];
  if (event.tokenId !== null && CHALLENGE_METHODS.has(event.callMethod.toUpperCase())) {
    const c = await challengeOf(event, parsed.event, tokenStatus, now, deps.otpSealer);
    await deps.store.putChallenge(c);
    const startable = c.status === 'PENDING' || c.status === 'NOT_DELIVERED_BY_US';
    const workflow =
      startable && deps.workflow
        ? await deps.workflow.start({ challengeId: c.challengeId, tokenId: c.tokenId })
        : 'none';
    challenge = { challengeId: c.challengeId, status: c.status, workflow };
  }
  let resumedWorkflow: boolean | undefined;
  const wait = merged?.activationWait;
  if (deps.workflow && wait && merged?.statusEventId === event.eventId && event.status && SETTLED.has(event.status)) {
    resumedWorkflow = await deps.workflow.resume(
      wait.taskToken,
      event.status === 'active' ? { activated: true } : { error: 'TokenNotActivated', cause: `token ${event.status}` },
    );
  }

  const owner = event.tokenId !== null ? { tokenId: event.tokenId } : { cardId: event.cardId };
  const created = await deps.store.addTimelineEntry(owner, {
    eventId: event.eventId,
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    callMethod: event.callMethod,
    recognized: event.recognized,
    status: event.status,
    facts: event.facts,
    payload: JSON.stringify(redactPismoEvent(raw)),
    receivedAt: now.toISOString(),
  });

  return {
    outcome: created ? 'applied' : 'duplicate',
    eventId: event.eventId,
    eventType: event.eventType,
    callMethod: event.callMethod,
    recognized: event.recognized,
    tokenId: event.tokenId,
    cardId: event.cardId,
    tokenStatus,
    stateChanged,
    challenge,
    resumedWorkflow,
  };
}
