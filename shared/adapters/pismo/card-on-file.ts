import { ValidationError } from '../../domain/errors';
import * as z from '../../zod';
import { PismoUnavailableError } from './errors';
import { PismoTokenOperationsClient, type PismoTokenOperationsConfig } from './token-operations';

/**
 * Pismo's card on file (Pismo's own digital wallet, "Card issuing - Cards on file"): create a card on
 * file (with the micro-charge validation unless skipped), list the account's cards on file, change a
 * card on file's status. PCI endpoints with an *account token* ("an account token is embedded with an
 * account ID"): the account token handling, breaker, timeouts and error classes are those of the
 * token-operations client (`callWithAccountToken`), one instance of it for this adapter.
 *
 * The PAN, CVV and expiry are passed straight to Pismo: never kept, never logged, cut from any error
 * text Pismo sends back. Nothing returned by this adapter holds them.
 *
 * What Pismo documents and we rely on: the create body's `card_name`, `cvv`, `expiration_date`
 * (`mmyy`), `name` (printed name), `skip_validation`; the validation (a random 1.00–5.00 charge the
 * cardholder confirms, 3 tries, 96 hours); the list's `CardOnFileResponse` fields (`card_name`,
 * `pismo_card_id`, `card_status`, `creation_date`, …) and its `status` filter; update's status enum
 * `ACTIVE` | `SUSPENDED` with the card's token in the body. The rest is in
 * {@link PISMO_CARD_ON_FILE_UNCONFIRMED}.
 */

/**
 * UNCONFIRMED — every detail of these calls that Pismo's recovered docs do not state, in one place.
 * Confirm each against Pismo's sandbox before go-live and change it here:
 * - `paths`: no path of the cards-on-file API was recovered (server `https://gw-pci.pismolabs.io`,
 *   no `/cards-tokenization` prefix); these are our guess.
 * - `createFields.pan`, `.cardId`, `.issuerCard`: names not recovered (PAN 12..19, "Card ID",
 *   "issuer card" flag); `number`, `card_id`, `issuer_card` are our reading.
 * - `updateFields.token`: "API-generated card token from registration", name not recovered; the
 *   events call it `card_uuid`.
 * - `createResponse`: the create answer was not recovered ("returns a card token"): the token is read
 *   from `card_uuid` or `uuid` or `id`, the status from `card_status` or `status`.
 * - `listResponse`: the wrapper (`items`, `cards` or a bare array) was not recovered.
 * - `validation`: the validation's own state is read from `validation.status` or `validation_status`
 *   when present; otherwise a `PENDING` card on file is taken as "waiting for the cardholder to
 *   confirm the micro-charge".
 */
export const PISMO_CARD_ON_FILE_UNCONFIRMED = {
  paths: {
    create: '/wallet/v3/cards-on-file',
    list: '/wallet/v1/cards-on-file',
    update: '/wallet/v1/cards-on-file',
  },
  createFields: { pan: 'number', cardId: 'card_id', issuerCard: 'issuer_card' },
  updateFields: { token: 'card_uuid' },
  createResponse: { token: ['card_uuid', 'uuid', 'id'], status: ['card_status', 'status'] },
  listResponse: { wrappers: ['items', 'cards', 'cards_on_file'] },
  validation: { object: 'validation', field: 'status', flat: 'validation_status' },
} as const;

/** Pismo's servers for cards on file (PCI). */
export const PISMO_CARD_ON_FILE_SERVERS = { pciTesting: 'https://gw-pci.pismolabs.io' } as const;

export const CARD_ON_FILE_STATUSES = ['ACTIVE', 'SUSPENDED'] as const;
export type CardOnFileStatusChange = (typeof CARD_ON_FILE_STATUSES)[number];

/** Our words for the validation (micro-charge confirmation) state. */
export type CardOnFileValidation = 'PENDING_CONFIRMATION' | 'CONFIRMED' | 'FAILED' | 'NOT_REQUIRED' | 'UNKNOWN';

const luhn = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
};
const label = z
  .string()
  .check(z.regex(/^[^\p{Cc}]{1,64}$/u, 'must be 1-64 characters without control characters'), z.regex(/\S/));

/** The app's request to create a card on file (the values are never echoed in an error). */
export const createCardOnFileSchema = z.strictObject({
  pan: z
    .string()
    .check(z.regex(/^\d{12,19}$/, 'must be 12-19 digits'), z.refine(luhn, 'must be a valid card number (check digit)')),
  cvv: z.string().check(z.regex(/^\d{3,4}$/, 'must be 3 or 4 digits')),
  expiry: z.string().check(z.regex(/^(0[1-9]|1[0-2])\d{2}$/, 'must be MMYY')),
  cardName: label,
  printedName: label,
});
export type CreateCardOnFileInput = z.infer<typeof createCardOnFileSchema>;

export const updateCardOnFileStatusSchema = z.strictObject({ status: z.enum(CARD_ON_FILE_STATUSES) });

/** A card on file as we show it: no PAN, no CVV, no expiry. */
export interface CardOnFile {
  cardOnFileId: string;
  pismoCardId?: string;
  cardName?: string;
  /** Pismo's word, upper case: ACTIVE, SUSPENDED, PENDING or another. */
  status?: string;
  validation: CardOnFileValidation;
  lastFour?: string;
  createdAt?: string;
  defaultCard?: boolean;
}

/** Validates with zod; a failure is a 400 naming each field (never its value). */
export function parseCardOnFileInput<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
  const parsed = z.safeParse(schema, body);
  if (!parsed.success)
    throw new ValidationError(
      `invalid ${what}`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    );
  return parsed.data;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
const first = (o: Json, names: readonly string[]) => names.map((n) => text(o[n])).find((v) => v !== undefined);

function validationOf(item: Json, status: string | undefined, skipped: boolean): CardOnFileValidation {
  const u = PISMO_CARD_ON_FILE_UNCONFIRMED.validation;
  const inner = isObject(item[u.object]) ? (item[u.object] as Json)[u.field] : undefined;
  const word = text(inner ?? item[u.flat])?.toUpperCase();
  if (word) {
    if (/PENDING|WAITING|CREATED/.test(word)) return 'PENDING_CONFIRMATION';
    if (/SUCCESS|CONFIRMED|VALID|APPROVED/.test(word) && !/INVALID/.test(word)) return 'CONFIRMED';
    if (/FAIL|EXPIRED|INVALID|DENIED|REFUSED/.test(word)) return 'FAILED';
    return 'UNKNOWN';
  }
  if (skipped) return 'NOT_REQUIRED';
  if (status === 'PENDING') return 'PENDING_CONFIRMATION';
  if (status === 'ACTIVE') return 'CONFIRMED';
  return 'UNKNOWN';
}

/** One card on file as Pismo sends it, read tolerantly; undefined without an id. */
export function parseCardOnFile(item: unknown, fallback: { cardId?: string } = {}): CardOnFile | undefined {
  if (!isObject(item)) return undefined;
  const u = PISMO_CARD_ON_FILE_UNCONFIRMED.createResponse;
  const cardOnFileId = first(item, u.token);
  if (!cardOnFileId || !/^[A-Za-z0-9-]{1,64}$/.test(cardOnFileId)) return undefined;
  const status = first(item, u.status)?.toUpperCase();
  const lastFour = text(item.last_4_digits);
  const out: CardOnFile = {
    cardOnFileId,
    pismoCardId: text(item.pismo_card_id) ?? text(item.card_id) ?? fallback.cardId,
    cardName: text(item.card_name)?.slice(0, 64),
    status,
    validation: validationOf(item, status, false),
    lastFour: lastFour && /^\d{4}$/.test(lastFour) ? lastFour : undefined,
    createdAt: text(item.creation_date) ?? text(item.created_at),
    defaultCard: typeof item.default_card === 'boolean' ? item.default_card : undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as unknown as CardOnFile;
}

/** The list's items, read tolerantly (odd items are skipped, never reject the answer). */
export function parseCardsOnFile(body: unknown): CardOnFile[] | undefined {
  const wrappers = PISMO_CARD_ON_FILE_UNCONFIRMED.listResponse.wrappers;
  const list = Array.isArray(body)
    ? body
    : isObject(body)
      ? wrappers.map((w) => body[w]).find((v) => Array.isArray(v))
      : undefined;
  if (!Array.isArray(list)) return undefined;
  return list.map((i) => parseCardOnFile(i)).filter((c): c is CardOnFile => c !== undefined);
}

/** What the cardholder flow needs of cards on file (the use case's port). */
export interface CardOnFilePort {
  create(ref: { accountId: string; cardId: string }, input: CreateCardOnFileInput): Promise<CardOnFile>;
  /** The account's cards on file for this Pismo card. */
  list(ref: { accountId: string; cardId: string }): Promise<CardOnFile[]>;
  updateStatus(ref: { accountId: string; cardOnFileId: string }, status: CardOnFileStatusChange): Promise<void>;
}

/**
 * Pismo cards-on-file client. Create and update are writes (sent once); the list is a read (retried).
 * Config: the cards-on-file base (PCI host, {@link PISMO_CARD_ON_FILE_SERVERS}).
 */
export class PismoCardOnFileClient implements CardOnFilePort {
  private readonly http: PismoTokenOperationsClient;

  constructor(config: PismoTokenOperationsConfig) {
    this.http = new PismoTokenOperationsClient(config);
  }

  get circuitState(): 'closed' | 'open' | 'halfOpen' {
    return this.http.circuitState;
  }

  async create(ref: { accountId: string; cardId: string }, input: CreateCardOnFileInput): Promise<CardOnFile> {
    const r = parseCardOnFileInput(createCardOnFileSchema, input, 'card on file');
    const u = PISMO_CARD_ON_FILE_UNCONFIRMED;
    const { body } = await this.http.callWithAccountToken('createCardOnFile', ref.accountId, {
      method: 'POST',
      path: u.paths.create,
      body: {
        card_name: r.cardName,
        name: r.printedName,
        [u.createFields.pan]: r.pan,
        cvv: r.cvv,
        expiration_date: r.expiry,
        [u.createFields.cardId]: ref.cardId,
        [u.createFields.issuerCard]: true,
        skip_validation: false,
      },
      read: false,
      scrub: [r.pan, r.cvv, r.expiry],
    });
    const created = parseCardOnFile(body, { cardId: ref.cardId });
    if (!created) throw new PismoUnavailableError('createCardOnFile', 'the answer has no card token', false);
    return { ...created, lastFour: created.lastFour ?? r.pan.slice(-4) };
  }

  async list(ref: { accountId: string; cardId: string }): Promise<CardOnFile[]> {
    const { body } = await this.http.callWithAccountToken('listCardsOnFile', ref.accountId, {
      method: 'GET',
      path: PISMO_CARD_ON_FILE_UNCONFIRMED.paths.list,
      read: true,
    });
    const items = parseCardsOnFile(body);
    if (!items) throw new PismoUnavailableError('listCardsOnFile', 'the answer has no list', false);
    return items.filter((c) => c.pismoCardId === ref.cardId);
  }

  async updateStatus(ref: { accountId: string; cardOnFileId: string }, status: CardOnFileStatusChange): Promise<void> {
    const u = PISMO_CARD_ON_FILE_UNCONFIRMED;
    await this.http.callWithAccountToken('updateCardOnFile', ref.accountId, {
      method: 'PATCH',
      path: u.paths.update,
      body: { [u.updateFields.token]: ref.cardOnFileId, status },
      read: false,
    });
  }
}
