import { ConcurrencyError, ValidationError } from '../domain/errors';
import { applyTokenEvent } from '../domain/token-state';
import type { TokenStatus } from '../domain/token-status';
import { parsePismoEvent } from '../pismo/event-schemas';
import { normalizePismoEvent } from '../pismo/normalize-event';
import { redactPismoEvent } from '../pismo/redact-event';
import { type TokenStore, VersionConflict } from '../store/token-store';

/** Ports the ingestion use case needs. */
export interface IngestDeps {
  store: TokenStore;
  now?: () => Date;
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

  let tokenStatus: TokenStatus | undefined;
  let stateChanged = false;
  if (event.tokenId !== null) {
    for (let attempt = 1; ; attempt++) {
      const current = await deps.store.getTokenState(event.tokenId);
      const { state, changed } = applyTokenEvent(current?.state, event);
      tokenStatus = state.status;
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
    receivedAt: (deps.now ?? (() => new Date()))().toISOString(),
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
  };
}
