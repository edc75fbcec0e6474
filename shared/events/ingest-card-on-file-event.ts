/**
 * Flow "events", `cardsonfile` domain (Pismo's digital wallet, issue 16): a card-on-file event onto
 * the Pismo card's timeline, through the same idempotent timeline write as every event (a redelivery
 * is a duplicate). Nothing of the card on file but its status and last four digits is kept
 * (shared/adapters/pismo/card-on-file-event.ts); no state changes: the timeline is the record.
 */
import { type Clock, systemClock } from '../domain/clock';
import { ValidationError } from '../domain/errors';
import type { TimelineEntry, TimelinePort } from '../domain/store';
import { parsePismoCardOnFileEvent } from '../adapters/pismo/card-on-file-event';
import type { IngestOutcome } from './ingest-outcome';

export async function ingestCardOnFileEvent(
  raw: unknown,
  deps: { store: TimelinePort; now?: Clock },
): Promise<IngestOutcome> {
  const parsed = parsePismoCardOnFileEvent(raw);
  if (!parsed.ok) throw new ValidationError('invalid Pismo card on file event', parsed.issues);
  const { event, recognized, payload, unknownFields } = parsed;
  const callMethod = `CARD_ON_FILE_${event.eventType.toUpperCase()}`;
  const entry: TimelineEntry = {
    eventId: event.eventId,
    eventType: event.eventType,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    callMethod,
    recognized,
    facts: { cardId: event.cardId, accountId: event.accountId },
    unknownFields: unknownFields.length > 0 ? unknownFields.slice(0, 20) : undefined,
    payload,
    receivedAt: (deps.now ?? systemClock)().toISOString(),
    note: `card on file ${event.eventType.replace('_', ' ')}${event.status ? `: ${event.status}` : ''}${
      event.lastFour ? ` (card ending ${event.lastFour})` : ''
    }`,
  };
  const created = await deps.store.addTimelineEntry({ cardId: event.cardId }, entry);
  return {
    outcome: created ? 'applied' : 'duplicate',
    eventId: event.eventId,
    eventType: event.eventType,
    callMethod,
    recognized,
    schemaVersion: event.schemaVersion,
    unknownFields: unknownFields.slice(0, 20),
    tokenId: null,
    cardId: event.cardId,
    stateChanged: false,
  };
}
