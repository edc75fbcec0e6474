import * as z from '../../zod';

/**
 * Pismo `cards-tokenization` event schemas, read tolerantly (DESIGN §3a): we validate the fields
 * we use, keep (redacted) what we do not know, and never reject an event for an additive field.
 *
 * - Envelope and `data` are loose objects. A key we do not know is kept in the stored (redacted)
 *   payload and its path is returned in `unknownFields`, so handlers count it.
 * - An event type of the domain we do not know is accepted as `kind: 'unknown'` and stored on its
 *   token's or card's timeline with `recognized: false`.
 * - Rejected (400 on the webhook, a failed record on the queue) is only what makes an event
 *   unusable: a body too deep or too large to process safely, no/invalid `event_id`, another
 *   domain, no parseable `timestamp` (it orders the timeline and is part of the dedup key), ids that
 *   do not parse, no token or card to file the event under, or a wrong type in a field we use.
 * - Fields we only record (`program_id`, `cid`, `schema_version`, `pismo_response`…) never reject:
 *   an unexpected type there is ignored (the raw value stays in the stored payload).
 *
 * Documented shapes: developers.pismo.io events catalog, `cards-tokenization-*-1` pages.
 */

export const EVENT_DOMAIN = 'cards-tokenization';
export const EVENT_TYPES = [
  'notification',
  'notification_refusal',
  'patch',
  'pan_update',
  'send_challenge',
  'token_resync',
] as const;
export type PismoEventType = (typeof EVENT_TYPES)[number];

/**
 * Bounds checked before anything else (issue: a 3,000-deep body overflowed the stack after the
 * state write). Pismo's deepest documented event (MDES DE48) nests 7 levels; DynamoDB maps nest 32.
 */
export const EVENT_LIMITS = { maxDepth: 32, maxNodes: 20_000, maxChars: 256 * 1024 } as const;

const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const pattern = (re: RegExp, message: string) => z.string().check(z.regex(re, message));
/** For fields we only record: any unexpected value becomes undefined instead of a rejection. */
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);

/** Pismo ids arrive as JSON numbers (token_id 17556) or strings; we keep them as strings. */
const pismoId = z.pipe(
  z.union([z.int().check(z.nonnegative()), pattern(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')]),
  z.transform((v) => String(v)),
);
const optionalId = z.nullish(pismoId);
const callMethod = pattern(/^[A-Za-z0-9_]{1,64}$/, 'must be 1-64 letters, digits or _');
const openObject = z.record(z.string(), z.unknown());
/** A short string field we read (a status word, a code, a reference). */
const word = z.nullish(text(0, 256));
/** OTP values are strings in Pismo's examples; a numeric one would lose leading zeros, so refuse it. */
const otpValue = z.nullish(text(0, 64));
const customCodes = lenient(
  z.pipe(
    z.array(z.unknown()),
    z.transform((codes) =>
      codes.filter((c): c is string => typeof c === 'string' && c.length > 0 && c.length <= 32).slice(0, 50),
    ),
  ),
);
const version = z.pipe(
  z.union([z.int().check(z.nonnegative()), pattern(/^\d{1,6}$/, 'must be digits')]),
  z.transform((v) => String(v)),
);
/** `notification`, `notification-1`, `notification_refusal-1`; the suffix is the schema version. */
const eventType = pattern(
  /^[a-z][a-z0-9_]{0,62}(-\d{1,6})?$/,
  'must be a lower-case event name, optionally -<version>',
);

const envelopeShape = {
  event_id: pattern(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9._:-]'),
  domain: z.literal(EVENT_DOMAIN),
  event_type: eventType,
  schema_version: lenient(version),
  org_id: lenient(text(1, 128)),
  cid: lenient(text(1, 128)),
  timestamp: z.iso.datetime({ offset: true }),
  data: openObject,
};
export const envelopeSchema = z.looseObject(envelopeShape);

const sendChallengeShape = { otp_value: otpValue, otp_method: word };

const notificationShape = {
  account_id: optionalId,
  program_id: lenient(pismoId),
  card_id: optionalId,
  token_id: optionalId,
  network_call_method: callMethod,
  network_data: z.nullish(openObject),
  /** Present when the issuer must deliver the code (notification-1, "newer version"). */
  send_challenge: z.nullish(z.looseObject(sendChallengeShape)),
  /** Not on the notification page; the anti-fraud webhook carries it (UNCONFIRMED for events). */
  network_brand: lenient(z.string()),
  custom_codes: customCodes,
};

const refusalShape = {
  ...notificationShape,
  /** The final answer Pismo gave the network (null for asynchronous calls); recorded only. */
  pismo_response: lenient(z.nullable(openObject)),
};

const patchShape = {
  account_id: optionalId,
  card_id: optionalId,
  token_id: optionalId,
  patch: z.nullish(z.looseObject({ status: word })),
};

const panUpdateShape = {
  account_id: optionalId,
  old_card_id: optionalId,
  new_card_id: optionalId,
  /** Documented as an array; item type inferred (token ids), so read leniently. */
  migrated_tokens: lenient(z.array(z.unknown())),
  status: word,
  reason: lenient(z.nullable(text(0, 256))),
  reason_code: lenient(z.nullable(text(0, 64))),
};

const sendChallengeDataShape = {
  card_id: optionalId,
  token_id: optionalId,
  otp_type: word,
  otp_value: otpValue,
};

const resyncDetailShape = {
  token_unique_reference: word,
  pan_unique_reference: word,
  pan_source: word,
  token_type: word,
  token_activation_date: word,
  token_expiration_date: word,
  status: word,
  token_requestor: z.nullish(z.union([text(0, 64), z.number()])),
  device_id: word,
};

const tokenResyncShape = {
  account_id: optionalId,
  card_id: optionalId,
  token_id: optionalId,
  network: word,
  detail: z.nullish(z.looseObject(resyncDetailShape)),
  /**
   * Our guess before Pismo's page was recovered (flat fields instead of `detail`). Still read when
   * `detail` is absent, so producers built to the guess keep working (UNCONFIRMED, to be removed).
   */
  token_status: word,
  token_unique_reference: word,
};

/** Any other event type of the domain: only the ids that place it on a timeline are read. */
const unknownTypeShape = {
  account_id: optionalId,
  card_id: optionalId,
  token_id: optionalId,
};

export const notificationDataSchema = z.looseObject(notificationShape);
export const notificationRefusalDataSchema = z.looseObject(refusalShape);
export const patchDataSchema = z.looseObject(patchShape);
export const panUpdateDataSchema = z.looseObject(panUpdateShape);
export const sendChallengeDataSchema = z.looseObject(sendChallengeDataShape);
export const tokenResyncDataSchema = z.looseObject(tokenResyncShape);
export const unknownTypeDataSchema = z.looseObject(unknownTypeShape);

export type NotificationData = z.infer<typeof notificationDataSchema>;
export type NotificationRefusalData = z.infer<typeof notificationRefusalDataSchema>;
export type PatchData = z.infer<typeof patchDataSchema>;
export type PanUpdateData = z.infer<typeof panUpdateDataSchema>;
export type SendChallengeData = z.infer<typeof sendChallengeDataSchema>;
export type TokenResyncData = z.infer<typeof tokenResyncDataSchema>;
export type UnknownTypeData = z.infer<typeof unknownTypeDataSchema>;

/** The envelope as we keep it: `event_type` without its version suffix, the version apart. */
export interface PismoEnvelope {
  event_id: string;
  domain: typeof EVENT_DOMAIN;
  /** The event name without a version suffix (`notification-1` → `notification`). */
  event_type: string;
  /** `schema_version`, else the `event_type` suffix; undefined when neither says. */
  schema_version?: string;
  org_id?: string;
  cid?: string;
  timestamp: string;
}

/** One validated Pismo event, discriminated by `kind` (`unknown` for event types we do not know). */
export type PismoEvent = PismoEnvelope &
  (
    | { kind: 'notification'; data: NotificationData }
    | { kind: 'notification_refusal'; data: NotificationRefusalData }
    | { kind: 'patch'; data: PatchData }
    | { kind: 'pan_update'; data: PanUpdateData }
    | { kind: 'send_challenge'; data: SendChallengeData }
    | { kind: 'token_resync'; data: TokenResyncData }
    | { kind: 'unknown'; data: UnknownTypeData }
  );

const DATA_SCHEMAS = {
  notification: notificationDataSchema,
  notification_refusal: notificationRefusalDataSchema,
  patch: patchDataSchema,
  pan_update: panUpdateDataSchema,
  send_challenge: sendChallengeDataSchema,
  token_resync: tokenResyncDataSchema,
  unknown: unknownTypeDataSchema,
} as const;

/**
 * The keys we know, per level, for counting unknown fields. `true`: a known leaf or an open object
 * (network messages, `pismo_response`) whose keys are the network's and not ours to count.
 */
type KnownKeys = { readonly [key: string]: true | KnownKeys };
const leaves = (shape: object): KnownKeys => Object.fromEntries(Object.keys(shape).map((k) => [k, true]));
const KNOWN_DATA: Readonly<Record<PismoEventType, KnownKeys>> = {
  notification: { ...leaves(notificationShape), send_challenge: leaves(sendChallengeShape) },
  notification_refusal: { ...leaves(refusalShape), send_challenge: leaves(sendChallengeShape) },
  patch: { ...leaves(patchShape), patch: leaves({ status: true }) },
  pan_update: leaves(panUpdateShape),
  send_challenge: leaves(sendChallengeDataShape),
  token_resync: { ...leaves(tokenResyncShape), detail: leaves(resyncDetailShape) },
};
const KNOWN_ENVELOPE = leaves(envelopeShape);

/** Paths (`data.detail.new_field`) of keys not in `known`, depth-first; bounded by `known`'s depth. */
function unknownKeys(value: unknown, known: KnownKeys, prefix: string, out: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const rule = Object.hasOwn(known, key) ? known[key] : undefined;
    if (rule === undefined) out.push(`${prefix}${key}`);
    else if (rule !== true) unknownKeys(child, rule, `${prefix}${key}.`, out);
  }
}

/**
 * Checks depth, node count and text size without recursion, so a hostile body (arrays nested
 * thousands deep) is refused before any code walks it recursively. Returns the problem, if any.
 */
export function checkEventLimits(input: unknown, limits = EVENT_LIMITS): string | undefined {
  const stack: [unknown, number][] = [[input, 1]];
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    nodes++;
    if (nodes > limits.maxNodes) return `more than ${limits.maxNodes} JSON values`;
    if (typeof value === 'string') chars += value.length;
    if (chars > limits.maxChars) return `more than ${limits.maxChars} characters of text`;
    if (value === null || typeof value !== 'object') continue;
    if (depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
    const entries = Array.isArray(value) ? value.map((v): [string, unknown] => ['', v]) : Object.entries(value);
    for (const [key, child] of entries) {
      chars += key.length;
      stack.push([child, depth + 1]);
    }
    if (chars > limits.maxChars) return `more than ${limits.maxChars} characters of text`;
  }
  return undefined;
}

/** Result of validating an untrusted event: the event and its unknown field paths, or every problem. */
export type EventParseResult =
  { ok: true; event: PismoEvent; unknownFields: string[] } | { ok: false; issues: string[] };

function describe(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path || '(body)'}: ${i.message}`;
  });
}

function kindOf(name: string): PismoEvent['kind'] {
  return (EVENT_TYPES as readonly string[]).includes(name) ? (name as PismoEventType) : 'unknown';
}

/** Whether the event names a token or a card to file it under (else it is unusable). */
function hasOwner(kind: PismoEvent['kind'], data: Record<string, unknown>): boolean {
  const present = (k: string) => data[k] !== undefined && data[k] !== null;
  if (kind === 'pan_update') return present('old_card_id') || present('new_card_id');
  return present('token_id') || present('card_id');
}

/** Validates an untrusted, already JSON-parsed Pismo event. Never throws on bad input. */
export function parsePismoEvent(input: unknown): EventParseResult {
  const tooBig = checkEventLimits(input);
  if (tooBig) return { ok: false, issues: [`(body): ${tooBig}`] };
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success) return { ok: false, issues: describe(envelope.error.issues, '') };
  const [name = '', suffix] = envelope.data.event_type.split('-');
  const kind = kindOf(name);
  const data = DATA_SCHEMAS[kind].safeParse(envelope.data.data);
  if (!data.success) return { ok: false, issues: describe(data.error.issues, 'data') };
  if (!hasOwner(kind, data.data)) {
    const ids = kind === 'pan_update' ? 'old_card_id or new_card_id' : 'token_id or card_id';
    return { ok: false, issues: [`data: needs ${ids} to file the event under`] };
  }
  // An unknown type's data is not counted field by field: the whole type is counted as unknown.
  const unknownFields: string[] = [];
  unknownKeys(input, KNOWN_ENVELOPE, '', unknownFields);
  if (kind !== 'unknown') unknownKeys(envelope.data.data, KNOWN_DATA[kind], 'data.', unknownFields);
  const { event_id, domain, org_id, cid, timestamp } = envelope.data;
  const event = {
    event_id,
    domain,
    event_type: name,
    schema_version: envelope.data.schema_version ?? suffix,
    org_id,
    cid,
    timestamp,
    kind,
    data: data.data,
  } as PismoEvent;
  return { ok: true, event, unknownFields };
}
