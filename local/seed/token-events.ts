import type { TokenEvent } from '../../shared/domain/token-event';
import { parsePismoEvent } from '../../shared/adapters/pismo/event-schemas';
import { normalizePismoEvent } from '../../shared/adapters/pismo/normalize-event';
import { type SeedEventName, seedEvent } from './pismo-events';

/** The normalised form of a raw Pismo event (throws on invalid input: fixtures must be valid). */
export function toTokenEvent(raw: unknown): TokenEvent {
  const parsed = parsePismoEvent(raw);
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return normalizePismoEvent(parsed.event);
}

/** Normalised seed events. */
export function seedTokenEvents(names: SeedEventName[]): TokenEvent[] {
  return names.map((n) => toTokenEvent(seedEvent(n)));
}

/** A builder for a token event with just the fields a case needs. */
export function tokenEvent(overrides: Partial<TokenEvent> & { eventId: string; occurredAt: string }): TokenEvent {
  return {
    eventType: 'notification',
    tokenId: 't1',
    cardId: 'c1',
    callMethod: 'TC',
    recognized: true,
    facts: {},
    ...overrides,
  };
}
