import * as z from '../../zod';
import type { CardEvent } from '../../domain/card';
import { maskPans, REDACTED } from '../../domain/redaction';
import { checkEventLimits } from './event-schemas';
import { redactPismoEvent } from './redact-event';

/**
 * Pismo `cards` domain events (issue 14), read tolerantly like the `cards-tokenization` ones
 * (event-schemas.ts): the envelope and `data` are loose objects, a key we do not know is kept
 * (redacted) in the stored payload and its path counted; an event type of the domain other than
 * `update` is stored on the card's timeline as unrecognised; an unknown card status is kept.
 * Rejected is only what makes the event unusable: limits, no/invalid `event_id`, no parseable
 * `timestamp`, no `card_id`, no `card_status` on an `update`, a wrong type in a field we use.
 *
 * Of the card we keep its status, previous status, type and last four digits: never the hash, the
 * names or anything else (`card_hash`, `card_name`, `card_printed_name` are dropped from the payload).
 * Documented shape: developers.pismo.io/events/docs/cards-update-1.
 */

export const CARD_EVENT_DOMAIN = 'cards';
/** The `cards` event types whose fields we read; others are stored as unrecognised. */
export const CARD_EVENT_TYPES = ['update'] as const;

const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const pattern = (re: RegExp, message: string) => z.string().check(z.regex(re, message));
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);
const pismoId = z.pipe(
  z.union([z.int().check(z.nonnegative()), pattern(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')]),
  z.transform((v) => String(v)),
);
/** A status word: any short text (an unknown status is stored and counted, never refused). */
const statusWord = text(1, 64);

const envelopeShape = {
  event_id: pattern(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9._:-]'),
  domain: z.literal(CARD_EVENT_DOMAIN),
  event_type: pattern(/^[a-z][a-z0-9_]{0,62}(-\d{1,6})?$/, 'must be a lower-case event name, optionally -<version>'),
  schema_version: lenient(pattern(/^\d{1,6}$/, 'must be digits')),
  org_id: lenient(text(1, 128)),
  cid: lenient(text(1, 128)),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
};

/** Read fields of `update`; the personal ones are known (not counted as unknown) but never kept. */
const updateShape = {
  card_id: pismoId,
  account_id: lenient(pismoId),
  card_status: statusWord,
  card_previous_status: z.nullish(statusWord),
  card_type: lenient(z.nullable(text(0, 32))),
  card_last_four_numbers: lenient(z.nullable(text(0, 8))),
  operation_type: lenient(z.nullable(text(0, 64))),
};
const NOT_KEPT = ['card_hash', 'card_name', 'card_printed_name'] as const;
const KNOWN_UPDATE = new Set<string>([...Object.keys(updateShape), ...NOT_KEPT, 'activation_date']);
const KNOWN_ENVELOPE = new Set<string>(Object.keys(envelopeShape));

const envelopeSchema = z.looseObject(envelopeShape);
const updateSchema = z.looseObject(updateShape);
const otherSchema = z.looseObject({ card_id: pismoId, account_id: lenient(pismoId) });

export type CardEventParseResult =
  | { ok: true; event: CardEvent; recognized: boolean; unknownFields: string[]; payload: string }
  | { ok: false; issues: string[] };

function describe(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path || '(body)'}: ${i.message}`;
  });
}

/** Whether an untrusted body says it is of the `cards` domain (the ingestion dispatches on it). */
export function isCardDomainEvent(input: unknown): boolean {
  return typeof input === 'object' && input !== null && (input as { domain?: unknown }).domain === CARD_EVENT_DOMAIN;
}

/** The stored payload: the event without the card data we do not keep, redacted like token events. */
function payloadOf(input: Record<string, unknown>): string {
  const data = { ...(input.data as Record<string, unknown>) };
  for (const key of NOT_KEPT) if (key in data) data[key] = REDACTED;
  return JSON.stringify(redactPismoEvent({ ...input, data }));
}

/** Validates and normalises an untrusted, JSON-parsed Pismo `cards` event. Never throws on bad input. */
export function parsePismoCardEvent(input: unknown): CardEventParseResult {
  const tooBig = checkEventLimits(input);
  if (tooBig) return { ok: false, issues: [`(body): ${tooBig}`] };
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success) return { ok: false, issues: describe(envelope.error.issues, '') };
  const [name = '', suffix] = envelope.data.event_type.split('-');
  const recognized = (CARD_EVENT_TYPES as readonly string[]).includes(name);
  const unknownFields = Object.keys(input as object)
    .filter((k) => !KNOWN_ENVELOPE.has(k))
    .concat(
      recognized
        ? Object.keys(envelope.data.data)
            .filter((k) => !KNOWN_UPDATE.has(k))
            .map((k) => `data.${k}`)
        : [],
    );
  const base = {
    eventId: envelope.data.event_id,
    eventType: name,
    schemaVersion: envelope.data.schema_version ?? suffix,
    occurredAt: new Date(envelope.data.timestamp).toISOString(),
  };
  const payload = payloadOf(input as Record<string, unknown>);
  if (!recognized) {
    const data = otherSchema.safeParse(envelope.data.data);
    if (!data.success) return { ok: false, issues: describe(data.error.issues, 'data') };
    return {
      ok: true,
      recognized,
      unknownFields,
      payload,
      event: { ...base, cardId: data.data.card_id, accountId: data.data.account_id, status: '' },
    };
  }
  const data = updateSchema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, issues: describe(data.error.issues, 'data') };
  const d = data.data;
  const lastFour =
    d.card_last_four_numbers && /^\d{4}$/.test(d.card_last_four_numbers) ? d.card_last_four_numbers : undefined;
  const cardType = d.card_type && /^[A-Za-z_]{1,32}$/.test(d.card_type) ? d.card_type.toUpperCase() : undefined;
  const operationType =
    d.operation_type && /^[A-Za-z0-9_-]{1,64}$/.test(d.operation_type) ? d.operation_type.toUpperCase() : undefined;
  return {
    ok: true,
    recognized,
    unknownFields,
    payload,
    event: {
      ...base,
      cardId: d.card_id,
      accountId: d.account_id,
      status: maskPans(d.card_status.trim().toUpperCase()),
      previousStatus: d.card_previous_status ? maskPans(d.card_previous_status.trim().toUpperCase()) : undefined,
      cardType,
      lastFour,
      operationType,
    },
  };
}
