import * as z from '../zod';

/**
 * Pismo `cards-tokenization` event schemas.
 *
 * Envelope and `data` are strict (an unexpected field is a 4xx, or a DLQ message on the queue path,
 * never silently stored); `network_data` is the network's own message (MDES ISO fields or VTS JSON)
 * and is kept loose: it is normalised field by field and redacted before it is stored.
 * `send_challenge` and `token_resync` are not shown on Pismo's public page, so their shapes are our
 * best reading and are marked unconfirmed in the README.
 */

export const EVENT_DOMAIN = 'cards-tokenization';
export const EVENT_TYPES = ['notification', 'notification_refusal', 'send_challenge', 'token_resync'] as const;
export type PismoEventType = (typeof EVENT_TYPES)[number];

/** Pismo ids arrive as JSON numbers (token_id 17556) or strings; we keep them as strings. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const pattern = (re: RegExp, message: string) => z.string().check(z.regex(re, message));

const pismoId = z.pipe(
  z.union([z.int().check(z.nonnegative()), pattern(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')]),
  z.transform((v) => String(v)),
);
const callMethod = pattern(/^[A-Za-z0-9_]{1,64}$/, 'must be 1-64 letters, digits or _');
const networkData = z.record(z.string(), z.unknown());
const customCodes = z.array(text(1, 32)).check(z.maxLength(50));
const networkBrand = z.pipe(
  z.enum(['mdes', 'vts', 'MDES', 'VTS']),
  z.transform((v) => v.toLowerCase() as 'mdes' | 'vts'),
);

export const envelopeSchema = z.strictObject({
  event_id: pattern(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9._:-]'),
  domain: z.literal(EVENT_DOMAIN),
  event_type: z.enum(EVENT_TYPES),
  schema_version: z.pipe(
    z.union([z.number(), text(1, 16)]),
    z.transform((v) => String(v)),
  ),
  org_id: text(1, 128),
  cid: z.optional(text(1, 128)),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

const tokenEventCommon = {
  account_id: z.nullish(pismoId),
  card_id: pismoId,
  token_id: z.nullable(pismoId),
  network_brand: z.optional(networkBrand),
  custom_codes: z.optional(customCodes),
};

export const notificationDataSchema = z.strictObject({
  ...tokenEventCommon,
  network_call_method: callMethod,
  network_data: networkData,
});

export const notificationRefusalDataSchema = notificationDataSchema;

/** Unconfirmed shape: Pismo's challenge for OTP delivery (OTP SMS / email). */
export const sendChallengeDataSchema = z.strictObject({
  ...tokenEventCommon,
  token_id: pismoId,
  network_call_method: z.optional(callMethod),
  otp_type: z.optional(pattern(/^[A-Za-z_]{1,32}$/, 'must be 1-32 letters or _')),
  otp_method: z.optional(text(1, 64)),
  otp_value: z.optional(text(1, 32)),
  otp_expiration_date: z.optional(text(1, 64)),
  network_data: z.optional(networkData),
});

/** Unconfirmed shape: Pismo's re-synchronisation of one token's state. */
export const tokenResyncDataSchema = z.strictObject({
  ...tokenEventCommon,
  token_id: pismoId,
  network_call_method: z.optional(callMethod),
  token_status: z.optional(text(1, 32)),
  token_unique_reference: z.optional(text(1, 64)),
  network_data: z.optional(networkData),
});

export type PismoEnvelope = z.infer<typeof envelopeSchema>;
export type NotificationData = z.infer<typeof notificationDataSchema>;
export type SendChallengeData = z.infer<typeof sendChallengeDataSchema>;
export type TokenResyncData = z.infer<typeof tokenResyncDataSchema>;

/** One validated Pismo event: the envelope with `data` parsed by its event type. */
export type PismoEvent =
  | (Omit<PismoEnvelope, 'data' | 'event_type'> & { event_type: 'notification'; data: NotificationData })
  | (Omit<PismoEnvelope, 'data' | 'event_type'> & { event_type: 'notification_refusal'; data: NotificationData })
  | (Omit<PismoEnvelope, 'data' | 'event_type'> & { event_type: 'send_challenge'; data: SendChallengeData })
  | (Omit<PismoEnvelope, 'data' | 'event_type'> & { event_type: 'token_resync'; data: TokenResyncData });

const DATA_SCHEMAS = {
  notification: notificationDataSchema,
  notification_refusal: notificationRefusalDataSchema,
  send_challenge: sendChallengeDataSchema,
  token_resync: tokenResyncDataSchema,
} as const;

/** Result of validating an untrusted event: the event, or every problem with its JSON path. */
export type EventParseResult = { ok: true; event: PismoEvent } | { ok: false; issues: string[] };

function describe(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path || '(body)'}: ${i.message}`;
  });
}

/** Validates an untrusted, already JSON-parsed Pismo event. Never throws on bad input. */
export function parsePismoEvent(input: unknown): EventParseResult {
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success) return { ok: false, issues: describe(envelope.error.issues, '') };
  const type = envelope.data.event_type;
  const data = DATA_SCHEMAS[type].safeParse(envelope.data.data);
  if (!data.success) return { ok: false, issues: describe(data.error.issues, 'data') };
  return { ok: true, event: { ...envelope.data, event_type: type, data: data.data } as PismoEvent };
}
