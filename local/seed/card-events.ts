/**
 * Pismo `cards` `update` events (developers.pismo.io/events/docs/cards-update-1), for tests, the
 * simulator (`npm run pismo -- send card-blocked`…) and the demo. The card data is made up: the
 * hash and names are placeholders we never keep.
 */
export interface CardUpdateOptions {
  eventId: string;
  cardId: string | number;
  status: string;
  previousStatus?: string;
  timestamp?: string;
  cardType?: string;
  lastFour?: string;
  accountId?: number;
  /** Extra `data` fields (an additive change from Pismo). */
  extra?: Record<string, unknown>;
}

export function cardUpdateEvent(o: CardUpdateOptions): Record<string, unknown> {
  return {
    event_id: o.eventId,
    domain: 'cards',
    event_type: 'update-1',
    org_id: 'TN-local-org',
    timestamp: o.timestamp ?? new Date().toISOString(),
    data: {
      account_id: o.accountId ?? 102030,
      activation_date: '2026-01-02T10:00:00Z',
      card_hash: 'c2ltdWxhdGVkLWNhcmQtaGFzaA==',
      card_id: typeof o.cardId === 'number' ? o.cardId : Number.isNaN(Number(o.cardId)) ? o.cardId : Number(o.cardId),
      card_last_four_numbers: o.lastFour ?? '0042',
      card_name: 'Main card',
      card_previous_status: o.previousStatus ?? 'NORMAL',
      card_printed_name: 'A CARDHOLDER',
      card_status: o.status,
      card_type: o.cardType ?? 'VIRTUAL',
      ...o.extra,
    },
  };
}

/** `npm run pismo -- send card-blocked [--card <id>]` and friends: a new card status change, now. */
export const CARD_SCENARIOS: Readonly<Record<string, { status: string; previousStatus: string }>> = {
  'card-blocked': { status: 'BLOCKED', previousStatus: 'NORMAL' },
  'card-unblocked': { status: 'NORMAL', previousStatus: 'BLOCKED' },
  'card-lost': { status: 'LOST', previousStatus: 'NORMAL' },
  'card-fraud': { status: 'FRAUD', previousStatus: 'WARNING' },
  'card-canceled': { status: 'CANCELED', previousStatus: 'NORMAL' },
  'card-unknown-status': { status: 'MELTED', previousStatus: 'NORMAL' },
};

/** A card scenario as a new event (fresh id, now) for the card. */
export function cardScenarioEvent(name: string, cardId: string | number, eventId: string): Record<string, unknown> {
  const s = CARD_SCENARIOS[name];
  if (!s) throw new Error(`no card scenario ${name}`);
  return cardUpdateEvent({ eventId, cardId, ...s });
}
