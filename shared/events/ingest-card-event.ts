/**
 * Flow "events", `cards` domain (issue 14): a Pismo card event into the card's state and timeline.
 *
 * 1. The body is validated (limits first) and normalised (shared/adapters/pismo/card-event.ts):
 *    status, previous status, type and last four of the card; nothing else of it.
 * 2. An `update` is merged into the card's state in event order (shared/domain/card.ts): an event
 *    older than the last one applied for the card, or the same one again, changes nothing.
 * 3. When the card's state is this event's (applied now, or by a delivery that crashed before its
 *    timeline write), the change is handed to the card-status policy ({@link CardChangePort}).
 * 4. The timeline entry of the card is written last: it decides applied or duplicate.
 * An unknown card status is stored (and counted by report-outcome.ts); it never fails the event.
 */
import { type Clock, type Sleep, systemClock } from '../domain/clock';
import { applyCardEvent, type CardChangePort, type CardState, isKnownCardStatus } from '../domain/card';
import { ConcurrencyError, ValidationError } from '../domain/errors';
import { maskPans } from '../domain/redaction';
import { type CardPort, type TimelineEntry, type TimelinePort, VersionConflictError } from '../domain/store';
import { parsePismoCardEvent } from '../adapters/pismo/card-event';
import type { IngestOutcome } from './ingest-outcome';

export interface IngestCardDeps {
  store: CardPort & TimelinePort;
  now?: Clock;
  /** The card-status policy; without it the card's state is stored and nothing acts on tokens. */
  cardChanges?: CardChangePort;
  sleep?: Sleep;
  random?: () => number;
}

const MAX_PAYLOAD_BYTES = 300 * 1024;
const RETRY = { maxAttempts: 10, baseMs: 20, capMs: 500 } as const;
const defaultSleep: Sleep = (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function mergeCard(
  event: Parameters<typeof applyCardEvent>[1],
  deps: IngestCardDeps,
): Promise<{ state: CardState; changed: boolean }> {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.getCardState(event.cardId);
    const result = applyCardEvent(current?.state, event);
    if (!result.changed) return result;
    try {
      await deps.store.putCardState(result.state, current?.version);
      return result;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    if (attempt >= RETRY.maxAttempts) throw new ConcurrencyError(`card ${event.cardId} is contended; retry`);
    await sleep(Math.floor(random() * Math.min(RETRY.capMs, RETRY.baseMs * 2 ** (attempt - 1))));
  }
}

/** Validates and stores one Pismo `cards` event; throws {@link ValidationError} (nothing written) for bad input. */
export async function ingestCardEvent(raw: unknown, deps: IngestCardDeps): Promise<IngestOutcome> {
  const parsed = parsePismoCardEvent(raw);
  if (!parsed.ok) throw new ValidationError('invalid Pismo card event', parsed.issues);
  const { event, recognized, payload } = parsed;
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
    throw new ValidationError('invalid Pismo card event', [`(body): over ${MAX_PAYLOAD_BYTES} bytes to store`]);
  }
  const now = (deps.now ?? systemClock)();
  const unknownFields = parsed.unknownFields.slice(0, 20).map((p) => maskPans(p.slice(0, 128)));
  const entry: TimelineEntry = {
    eventId: event.eventId,
    eventType: event.eventType,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    callMethod: recognized ? `CARD_${event.eventType.toUpperCase()}` : event.eventType.toUpperCase(),
    recognized,
    facts: { cardId: event.cardId, accountId: event.accountId },
    unknownFields: unknownFields.length > 0 ? unknownFields : undefined,
    payload,
    receivedAt: now.toISOString(),
  };

  let stateChanged = false;
  let card: IngestOutcome['card'];
  if (recognized) {
    const { state, changed } = await mergeCard(event, deps);
    stateChanged = changed;
    entry.card = {
      status: event.status,
      statusKnown: isKnownCardStatus(event.status),
      previousStatus: event.previousStatus,
      cardType: event.cardType,
      lastFour: event.lastFour,
    };
    const current = state.lastEventId === event.eventId;
    card = { status: event.status, statusKnown: entry.card.statusKnown, current, cardStatus: state.status };
    // Before the timeline write: a crash in between re-runs this on redelivery (the policy is idempotent).
    if (current && deps.cardChanges) {
      await deps.cardChanges.cardChanged({
        cardId: event.cardId,
        cardEventId: event.eventId,
        status: event.status,
        previousStatus: event.previousStatus,
        occurredAt: event.occurredAt,
      });
    }
  }
  const created = await deps.store.addTimelineEntry({ cardId: event.cardId }, entry);
  return {
    outcome: created ? 'applied' : 'duplicate',
    eventId: event.eventId,
    eventType: event.eventType,
    callMethod: entry.callMethod,
    recognized,
    schemaVersion: event.schemaVersion,
    unknownFields,
    tokenId: null,
    cardId: event.cardId,
    stateChanged,
    card,
  };
}
