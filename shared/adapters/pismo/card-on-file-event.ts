import * as z from '../../zod';
import { maskPans, REDACTED } from '../../domain/redaction';
import { checkEventLimits } from './event-schemas';
import { redactPismoEvent } from './redact-event';

/**
 * Pismo `cardsonfile` domain events (Pismo's digital wallet): `provision-1` "Card on file created",
 * `patch-cards-1` "Card on file updated", `verification-1` (validation result), `exclusion-1`
 * (card excluded). Read tolerantly like the `cards` events (card-event.ts): loose objects, unknown
 * keys counted, an unknown event type of the domain stored as unrecognised. Of a card on file we keep
 * only its status, the last four digits, whether it is the issuer's card and when it was created:
 * the card token (`card_uuid`, used in transactions), the expiry, names, document, first six digits,
 * metadata, profile and acquirer are replaced before anything is stored.
 *
 * UNCONFIRMED — in one place: the documented events name the account (`account_id`) and not the
 * Pismo card; the card is read from `pismo_card_id` (the list's name) or `card_id`. An event naming
 * neither cannot go on a card's timeline and is refused as invalid (visible in the dead-letter
 * queue) rather than dropped. `verification-1` / `exclusion-1` fields were not recovered: their
 * result is read from `validation_status`, `status` or `result`.
 */
export const CARD_ON_FILE_EVENT_DOMAIN = 'cardsonfile';
export const CARD_ON_FILE_EVENT_TYPES = ['provision', 'patch_cards', 'verification', 'exclusion'] as const;
export const CARD_ON_FILE_EVENT_UNCONFIRMED = {
  cardId: ['pismo_card_id', 'card_id'],
  result: ['validation_status', 'status', 'result'],
} as const;

/** `data` fields we keep (as sent, redacted); every other field's value is replaced. */
const KEPT = new Set([
  'account_id',
  'pismo_card_id',
  'card_id',
  'card_status',
  'last_4_digits',
  'issuer_card',
  'default_card',
  'created_at',
  'org',
  'validation_status',
  'status',
  'result',
]);
/** Documented fields we know but never keep (not counted as unknown). */
const DOCUMENTED = new Set([
  'card_uuid',
  'card_name',
  'card_profile',
  'expiration_date',
  'acquirer',
  'document_number',
  'first_6_digits',
  'metadata',
  'printed_name',
]);

const pismoId = z.pipe(
  z.union([z.int().check(z.positive()), z.string().check(z.regex(/^[1-9]\d{0,18}$/, 'must be a Pismo id'))]),
  z.transform((v) => String(v)),
);
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);
const envelopeSchema = z.looseObject({
  event_id: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9._:-]')),
  domain: z.literal(CARD_ON_FILE_EVENT_DOMAIN),
  event_type: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a lower-case event name, optionally -<version>')),
  schema_version: lenient(z.union([z.int(), z.string()])),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
const word = (v: unknown) => (typeof v === 'string' && /^[A-Za-z_]{1,32}$/.test(v) ? v.toUpperCase() : undefined);

/** One `cardsonfile` event, normalised (only what we keep). */
export interface CardOnFileEvent {
  eventId: string;
  eventType: string;
  schemaVersion?: string;
  occurredAt: string;
  cardId: string;
  accountId?: string;
  /** ACTIVE, SUSPENDED, PENDING… (or the validation's result word). */
  status?: string;
  lastFour?: string;
}

export type CardOnFileEventParseResult =
  | { ok: true; event: CardOnFileEvent; recognized: boolean; unknownFields: string[]; payload: string }
  | { ok: false; issues: string[] };

export function isCardOnFileDomainEvent(input: unknown): boolean {
  return (
    typeof input === 'object' && input !== null && (input as { domain?: unknown }).domain === CARD_ON_FILE_EVENT_DOMAIN
  );
}

/** Validates and normalises an untrusted `cardsonfile` event. Never throws on bad input. */
export function parsePismoCardOnFileEvent(input: unknown): CardOnFileEventParseResult {
  const tooBig = checkEventLimits(input);
  if (tooBig) return { ok: false, issues: [`(body): ${tooBig}`] };
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success)
    return { ok: false, issues: envelope.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) };
  const e = envelope.data;
  const [name = '', suffix] = e.event_type.split('-');
  const d = e.data;
  const cardRaw = CARD_ON_FILE_EVENT_UNCONFIRMED.cardId.map((n) => d[n]).find((v) => v !== undefined && v !== null);
  const card = z.safeParse(pismoId, cardRaw);
  if (!card.success) return { ok: false, issues: ['data.pismo_card_id: required (a Pismo card id)'] };
  const account = z.safeParse(pismoId, d.account_id);
  const statusRaw =
    name === 'verification' || name === 'exclusion'
      ? CARD_ON_FILE_EVENT_UNCONFIRMED.result.map((n) => d[n]).find((v) => v !== undefined)
      : d.card_status;
  const lastFour = typeof d.last_4_digits === 'string' && /^\d{4}$/.test(d.last_4_digits) ? d.last_4_digits : undefined;
  const kept = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, KEPT.has(k) ? v : REDACTED]));
  const payload = JSON.stringify(redactPismoEvent({ ...(input as Record<string, unknown>), data: kept }));
  const unknownFields = Object.keys(d)
    .filter((k) => !KEPT.has(k) && !DOCUMENTED.has(k))
    .map((k) => maskPans(`data.${k}`.slice(0, 128)));
  return {
    ok: true,
    recognized: (CARD_ON_FILE_EVENT_TYPES as readonly string[]).includes(name),
    unknownFields,
    payload,
    event: {
      eventId: e.event_id,
      eventType: name,
      schemaVersion: e.schema_version === undefined ? suffix : String(e.schema_version),
      occurredAt: new Date(e.timestamp).toISOString(),
      cardId: card.data,
      accountId: account.success ? account.data : undefined,
      status: word(statusRaw),
      lastFour,
    },
  };
}
