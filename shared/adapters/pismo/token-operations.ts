import CircuitBreaker from 'opossum';
import { ValidationError } from '../../domain/errors';
import * as z from '../../zod';
import { PismoCircuitOpenError, type PismoErrorBody, PismoRejectedError, PismoUnavailableError } from './errors';
import { redactPismoEvent } from './redact-event';

/**
 * Pismo's network-token operations (Card issuing - Tokenization API, tags "Token lifecycle" and
 * "Card lifecycle"): perform an operation on one token, on every token of a card, and list a card's
 * tokens. Both networks (Visa VTS, Mastercard MDES) go through these same endpoints.
 *
 * What Pismo documents and we rely on: `POST /v1/cards/{cardId}/network-tokens/{tokenId}` (path
 * params `cardId`, `tokenId`), `GET /v1/cards/{cardId}/network-tokens` → `{ tokens: [...] }`, the
 * body fields `operation_type` (enum below), `operation_reason` (≤ 254; 255 on the card operation),
 * `operator_id` (≤ 16), an activation code required with `CALL_CENTER_ACTIVATION`, the card
 * operation's `SUSPEND`/`RESUME`/`DELETE`, the error object `{ error_code, message }`, and that the
 * calls take an *account token* (OAuth client credentials with the account id) that "can expire
 * quickly, which can result in a 401". Everything else is our reading, in
 * {@link PISMO_TOKEN_OPERATIONS_UNCONFIRMED}.
 */

/**
 * UNCONFIRMED — every detail of these calls that Pismo's recovered docs do not state, in one place.
 * Confirm each against Pismo's sandbox before go-live and change it here:
 * - `accountToken.path`: the OAuth2 client-credentials token endpoint of Pismo's guide
 *   (`/passport/v2/oauth/token`, on the non-PCI host). The accounts client calls
 *   `/passport/v1/oauth2/token` with the same credentials; one of the two is wrong for a tenant.
 * - `accountToken.fields`: form-encoded (RFC 6749). The guide prints the secret's parameter as
 *   `client_secret_string` (likely the name and its type run together): we send `client_secret`.
 *   The account id goes in `uid` ("Account ID for account-specific token generation").
 * - `accountToken.scope`: the permission group the tokenization endpoints need is not published.
 * - `accountToken.defaultLifetimeSeconds`: used when the answer has no `expires_in` (Pismo gives no
 *   lifetime; OpenID JWTs live ≤ 3600 s, account tokens "expire quickly").
 * - `tokenOperationPath`: the portal blanks the path params; `{tokenId}` last is inferred.
 * - `cardOperation`: method and path of "Card token operation" were not recovered; we POST to the
 *   card's token collection (the documented GET path). Its 200 is documented "No Content": per-token
 *   results, should Pismo send any, are read from `tokens` or `results` items (`token_id`, `status`,
 *   `result`, `error_code`, `message`).
 * - `activationCodeField`: inferred from the schema name `ActivationCode`; sent with
 *   `CALL_CENTER_ACTIVATION` (required) and, optionally, `TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER`.
 * - `tokenItem`: the list's item schema is truncated after `{ "token": { "$ref" … } }`; fields are read
 *   from `item.token` and `item` alike: id `token_id` or `id`, `status` (words of the `patch` and
 *   `token_resync` events: INACTIVE, ACTIVE, SUSPENDED, DEACTIVATED, FAILED), `network`,
 *   `token_unique_reference`.
 * - `effectsVisibleWhenAnswered`: a write's effect shows in the token list as soon as Pismo would
 *   have answered it (Pismo does not say whether it waits for the network). If Pismo applies it later,
 *   a lost write verified too early is resent (Pismo would then refuse it on the token's status).
 * - `deletedTokensListed`: deleted tokens stay in the list as DEACTIVATED; a token missing from it
 *   leaves a lost write unverified (not resent).
 * - No extra header (`x-cid`, `x-tenant`) is sent: none appears in the recovered pages.
 * - `transferTokens` ("Transfer card tokens to other card", the PAN update; issue 14's one retry of
 *   a failed reissue transfer): the reference renders `post …/cards-tokenization/v1/cards//network-tokens/pan-update`
 *   with the card id blanked; we read it as the source (old) card, as the `pan_update` event's
 *   `old_card_id`. The request body was NOT recovered: we send the destination as `new_card_id`
 *   (the event's name for it; a number, as in the event). The outcome is inferred to come later, as
 *   a `pan_update` event (SUCCESS or FAILURE); the answer's body is not read. No idempotency key is
 *   documented: a lost answer is never resent (it cannot be verified by a read).
 */
export const PISMO_TOKEN_OPERATIONS_UNCONFIRMED = {
  accountToken: {
    path: '/passport/v2/oauth/token',
    fields: { clientId: 'client_id', clientSecret: 'client_secret', account: 'uid', scope: 'scope' },
    scope: 'pismo-v1:cards:rw',
    defaultLifetimeSeconds: 300,
  },
  tokenOperationPath: (cardId: string, tokenId: string) => `/v1/cards/${cardId}/network-tokens/${tokenId}`,
  cardOperation: {
    method: 'POST',
    path: (cardId: string) => `/v1/cards/${cardId}/network-tokens`,
    resultLists: ['tokens', 'results'],
  },
  activationCodeField: 'activation_code',
  tokenItem: { wrapper: 'token', id: ['token_id', 'id'], status: ['status', 'token_status'] },
  effectsVisibleWhenAnswered: true,
  deletedTokensListed: true,
  transferTokens: {
    method: 'POST',
    path: (cardId: string) => `/v1/cards/${cardId}/network-tokens/pan-update`,
    body: (newCardId: string) => ({
      new_card_id: Number.isSafeInteger(Number(newCardId)) ? Number(newCardId) : newCardId,
    }),
  },
} as const;

/** The documented GET path (confirmed: `get …/cards-tokenization/v1/cards//network-tokens`). */
const cardTokensPath = (cardId: string) => `/v1/cards/${cardId}/network-tokens`;

/** Pismo's servers for the tokenization API (PCI). */
export const PISMO_TOKENIZATION_SERVERS = {
  pciTesting: 'https://gw-pci.pismolabs.io/cards-tokenization',
  sandbox: 'https://pci.pismolabs.io/cards-tokenization',
} as const;

/** `operation_type` of "Perform token operation", as listed by Pismo (`BIDING` is Pismo's spelling). */
export const TOKEN_OPERATION_TYPES = [
  'DELETE',
  'SUSPEND',
  'RESUME',
  'CALL_CENTER_ACTIVATION',
  'CARDHOLDER_STEPUP_APP_TO_APP',
  'TOKEN_DEVICE_BIDING_APPROVE',
  'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER',
  'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP',
] as const;
export type TokenOperationType = (typeof TOKEN_OPERATION_TYPES)[number];

/** The three Visa-only device-binding approvals. */
export const VISA_DEVICE_BINDING_OPERATIONS: readonly TokenOperationType[] = [
  'TOKEN_DEVICE_BIDING_APPROVE',
  'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER',
  'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP',
];

/** `operation_type` of "Card token operation" (schema `TokenOperationByCard`). */
export const CARD_TOKEN_OPERATION_TYPES = ['SUSPEND', 'RESUME', 'DELETE'] as const;
export type CardTokenOperationType = (typeof CARD_TOKEN_OPERATION_TYPES)[number];

/** Limits we enforce before sending (the stricter of Pismo's two: 254 for the reason everywhere). */
export const OPERATION_LIMITS = { reason: 254, operatorId: 16, activationCode: 8 } as const;

const pismoId = z.string().check(z.regex(/^[1-9]\d{0,18}$/, 'must be a Pismo id (1-19 digits)'));
const reason = z
  .string()
  .check(
    z.maxLength(OPERATION_LIMITS.reason),
    z.regex(/\S/, 'must not be blank'),
    z.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  );
const operatorId = z
  .string()
  .check(z.regex(/^[\x21-\x7e]{1,16}$/, 'must be 1-16 printable ASCII characters without spaces'));
const activationCode = z.string().check(z.regex(/^[A-Za-z0-9]{1,8}$/, 'must be 1-8 letters or digits'));

const tokenRefSchema = z.strictObject({ accountId: pismoId, cardId: pismoId, tokenId: pismoId });
const cardRefSchema = z.strictObject({ accountId: pismoId, cardId: pismoId });
const tokenOperationSchema = z.strictObject({
  operationType: z.enum(TOKEN_OPERATION_TYPES),
  reason,
  operatorId: z.optional(operatorId),
  activationCode: z.optional(activationCode),
});
const cardOperationSchema = z.strictObject({
  operationType: z.enum(CARD_TOKEN_OPERATION_TYPES),
  reason,
  operatorId: z.optional(operatorId),
});

/** One token: its account (for the account token), card and Pismo token id. */
export interface TokenRef {
  accountId: string;
  cardId: string;
  tokenId: string;
}
export type CardRef = Omit<TokenRef, 'tokenId'>;

export interface TokenOperationInput {
  operationType: TokenOperationType;
  /** Shown to the cardholder by some wallets: say what they need to do. */
  reason: string;
  /** Who performs it (agent or system id), for Pismo's records. */
  operatorId?: string;
  /** Required with `CALL_CENTER_ACTIVATION`. Never logged nor kept. */
  activationCode?: string;
}
export interface CardTokenOperationInput {
  operationType: CardTokenOperationType;
  reason: string;
  operatorId?: string;
}

/** One token as Pismo lists it: what we read, plus the item as received (redacted: no token number). */
export interface PismoCardToken {
  tokenId?: string;
  /** Pismo's word, upper case: INACTIVE, ACTIVE, SUSPENDED, DEACTIVATED, FAILED, or another. */
  status?: string;
  network?: string;
  tokenUniqueReference?: string;
  raw: Record<string, unknown>;
}

/** One token's result of a card operation, as Pismo returns it (when it returns any). */
export interface PismoCardTokenResult {
  tokenId?: string;
  status?: string;
  result?: string;
  errorCode?: string;
  message?: string;
  raw: Record<string, unknown>;
}

export interface WriteResult<B> {
  /** Pismo's answer (undefined when empty, or when the write was confirmed by a read). */
  body: B | undefined;
  attempts: number;
  /** The response was lost, and a get-card-tokens read showed the operation had been applied. */
  confirmedByRead?: boolean;
}

export interface CardTokensResult {
  tokens: PismoCardToken[];
  attempts: number;
}

/** What one HTTP attempt did, for logs and metrics: never a body, an id of a card or a token. */
export interface PismoAttemptInfo {
  operation: string;
  attempt: number;
  status: number | 'timeout' | 'network';
  durationMs: number;
}

export interface PismoTokenOperationsConfig {
  /** The tokenization API base, e.g. {@link PISMO_TOKENIZATION_SERVERS}`.pciTesting`. */
  baseUrl: string;
  /** The host serving the OAuth token endpoint (e.g. `https://sandbox.pismolabs.io`). */
  authUrl: string;
  clientId: string;
  /** The secret, or how to get it (`pismoClientSecretFrom(secretId)`, read on first use). */
  clientSecret: string | (() => Promise<string>);
  /** Permission groups to ask for; default {@link PISMO_TOKEN_OPERATIONS_UNCONFIRMED}. */
  scope?: string;
  timeoutMs?: number;
  /** Extra attempts for reads and verified writes (default 2). */
  retries?: number;
  /** First backoff step; each retry waits a random time up to base × 2^attempt ("full jitter"). */
  retryBaseMs?: number;
  /** Circuit breaker: open after this share of failures (default 50 %) over at least `breakerVolume` calls. */
  breakerErrorPercentage?: number;
  breakerVolume?: number;
  /** How long the circuit stays open before one trial call (default 30 s). */
  breakerResetMs?: number;
  /** An account token is renewed this long before it expires (capped at a quarter of its lifetime). */
  tokenRefreshMarginMs?: number;
  onAttempt?: (attempt: PismoAttemptInfo) => void;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The account token answered 401 (expired or revoked): renewed once by the caller. Not a Pismo failure. */
class AccountTokenRefused extends Error {
  constructor(readonly error: PismoErrorBody) {
    super('account token refused (HTTP 401)');
  }
}

/** Validates with zod; a failure is a 400 listing each problem (never the values). */
function parse<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const parsed = z.safeParse(schema, value);
  if (!parsed.success)
    throw new ValidationError(
      `invalid Pismo ${what}`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`),
    );
  return parsed.data;
}

/** Pismo's `{ error_code, message }` when the body is one (strings only, capped). */
function errorBody(body: unknown, scrub: readonly string[]): PismoErrorBody {
  if (!isObject(body)) return {};
  const clean = (v: unknown) => {
    let s = typeof v === 'string' ? v.slice(0, 512) : undefined;
    for (const secret of scrub) if (s && secret) s = s.split(secret).join('[REDACTED]');
    return s;
  };
  return { errorCode: clean(body.error_code), message: clean(body.message) };
}

const pick = (o: Json, names: readonly string[]) => names.map((n) => o[n]).find((v) => v !== undefined);

/** The token list, read tolerantly: unknown fields are kept (redacted), odd items never reject the answer. */
export function parseCardTokens(body: unknown): PismoCardToken[] | undefined {
  const list = isObject(body) ? body.tokens : Array.isArray(body) ? body : undefined;
  if (!Array.isArray(list)) return undefined;
  const u = PISMO_TOKEN_OPERATIONS_UNCONFIRMED.tokenItem;
  return list.filter(isObject).map((item) => {
    const inner = item[u.wrapper];
    const fields = isObject(inner) ? { ...item, ...inner } : item;
    const status = text(pick(fields, u.status));
    return {
      tokenId: text(pick(fields, u.id)),
      status: status?.toUpperCase(),
      network: text(fields.network)?.toLowerCase(),
      tokenUniqueReference: text(fields.token_unique_reference),
      raw: redactPismoEvent(item) as Json,
    };
  });
}

/** Per-token results of a card operation, when Pismo sends any (its 200 is documented "No Content"). */
export function parseCardResults(body: unknown): PismoCardTokenResult[] | undefined {
  if (!isObject(body)) return undefined;
  const list = pick(body, PISMO_TOKEN_OPERATIONS_UNCONFIRMED.cardOperation.resultLists);
  if (!Array.isArray(list)) return undefined;
  return list.filter(isObject).map((item) => {
    const inner = item[PISMO_TOKEN_OPERATIONS_UNCONFIRMED.tokenItem.wrapper];
    const fields = isObject(inner) ? { ...item, ...inner } : item;
    return {
      tokenId: text(pick(fields, PISMO_TOKEN_OPERATIONS_UNCONFIRMED.tokenItem.id)),
      status: text(pick(fields, PISMO_TOKEN_OPERATIONS_UNCONFIRMED.tokenItem.status))?.toUpperCase(),
      result: text(fields.result),
      errorCode: text(fields.error_code),
      message: text(fields.message),
      raw: redactPismoEvent(item) as Json,
    };
  });
}

/**
 * The token status each operation leaves, to verify a write whose response was lost. Operations
 * absent here (device-binding approvals: the token status does not show them) are never resent.
 */
const TOKEN_EFFECT: Partial<Record<TokenOperationType, string>> = {
  SUSPEND: 'SUSPENDED',
  RESUME: 'ACTIVE',
  DELETE: 'DEACTIVATED',
  CALL_CENTER_ACTIVATION: 'ACTIVE',
  CARDHOLDER_STEPUP_APP_TO_APP: 'ACTIVE',
};

/** A card operation is done when no token is left in the status it moves tokens out of. */
const CARD_EFFECT: Record<CardTokenOperationType, (status: string | undefined) => boolean> = {
  SUSPEND: (s) => s !== 'ACTIVE',
  RESUME: (s) => s !== 'SUSPENDED',
  DELETE: (s) => s === 'DEACTIVATED',
};

/** true: applied; false: not applied (safe to resend); undefined: cannot tell. */
type Verifier = (tokens: PismoCardToken[]) => boolean | undefined;

/**
 * Pismo token-operations client. Every request is validated strictly before anything is sent; calls
 * carry an account token cached per account until shortly before it expires and renewed once on a
 * 401; reads are retried with full-jitter backoff; a write whose response was lost is resent only
 * after a get-card-tokens read shows it was not applied (and reported confirmed when the read shows
 * it was); a circuit breaker stops calling a failing Pismo (its 4xx answers do not count). Nothing
 * here logs: `onAttempt` reports status and timing only.
 */
export class PismoTokenOperationsClient {
  private readonly baseUrl: string;
  private readonly authUrl: string;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();
  private readonly tokenRequests = new Map<string, Promise<string>>();
  /** Account tokens issued to us (for tests and metrics). */
  accountTokensIssued = 0;

  constructor(private readonly config: PismoTokenOperationsConfig) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.authUrl = config.authUrl.replace(/\/+$/, '');
    this.breaker = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
      timeout: false,
      errorThresholdPercentage: config.breakerErrorPercentage ?? 50,
      volumeThreshold: config.breakerVolume ?? 5,
      resetTimeout: config.breakerResetMs ?? 30_000,
      // Pismo answering "no" (any 4xx but 429, an expired account token included) is not Pismo failing.
      errorFilter: (err: unknown) =>
        err instanceof PismoRejectedError ||
        err instanceof AccountTokenRefused ||
        (err instanceof PismoUnavailableError &&
          err.httpStatus !== undefined &&
          err.httpStatus >= 400 &&
          err.httpStatus < 500 &&
          err.httpStatus !== 429),
    });
  }

  /** `closed`, `open` or `halfOpen`. */
  get circuitState(): 'closed' | 'open' | 'halfOpen' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'halfOpen' : 'closed';
  }

  /** The body "Perform token operation" sends, validated (throws ValidationError, 400). */
  static buildTokenOperationBody(input: TokenOperationInput): Json {
    const r = parse(tokenOperationSchema, input, 'token operation');
    const needsCode = r.operationType === 'CALL_CENTER_ACTIVATION';
    const mayHaveCode = needsCode || r.operationType === 'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER';
    if (needsCode && r.activationCode === undefined)
      throw new ValidationError('invalid Pismo token operation', [
        'activationCode: required with CALL_CENTER_ACTIVATION',
      ]);
    if (!mayHaveCode && r.activationCode !== undefined)
      throw new ValidationError('invalid Pismo token operation', [
        `activationCode: not allowed with ${r.operationType}`,
      ]);
    return {
      operation_type: r.operationType,
      operation_reason: r.reason,
      ...(r.operatorId === undefined ? {} : { operator_id: r.operatorId }),
      ...(r.activationCode === undefined
        ? {}
        : { [PISMO_TOKEN_OPERATIONS_UNCONFIRMED.activationCodeField]: r.activationCode }),
    };
  }

  /** The body "Card token operation" sends, validated (throws ValidationError, 400). */
  static buildCardOperationBody(input: CardTokenOperationInput): Json {
    const r = parse(cardOperationSchema, input, 'card token operation');
    return {
      operation_type: r.operationType,
      operation_reason: r.reason,
      ...(r.operatorId === undefined ? {} : { operator_id: r.operatorId }),
    };
  }

  /** "Perform token operation" on one token. */
  async performTokenOperation(ref: TokenRef, input: TokenOperationInput): Promise<WriteResult<Json>> {
    const { accountId, cardId, tokenId } = parse(tokenRefSchema, ref, 'token reference');
    const body = PismoTokenOperationsClient.buildTokenOperationBody(input);
    const effect = TOKEN_EFFECT[input.operationType];
    const verify: Verifier | undefined = effect
      ? (tokens) => {
          const token = tokens.find((t) => t.tokenId === tokenId);
          return token?.status === undefined ? undefined : token.status === effect;
        }
      : undefined;
    const path = PISMO_TOKEN_OPERATIONS_UNCONFIRMED.tokenOperationPath(cardId, tokenId);
    const result = await this.write(
      'performTokenOperation',
      { accountId, cardId },
      'POST',
      path,
      body,
      verify,
      input.activationCode ? [input.activationCode] : [],
    );
    return { ...result, body: isObject(result.body) ? (redactPismoEvent(result.body) as Json) : undefined };
  }

  /** "Card token operation": one operation on every token of a card; per-token results as Pismo returns them. */
  async performCardTokenOperation(
    ref: CardRef,
    input: CardTokenOperationInput,
  ): Promise<WriteResult<unknown> & { results?: PismoCardTokenResult[] }> {
    const { accountId, cardId } = parse(cardRefSchema, ref, 'card reference');
    const body = PismoTokenOperationsClient.buildCardOperationBody(input);
    const done = CARD_EFFECT[input.operationType];
    const op = PISMO_TOKEN_OPERATIONS_UNCONFIRMED.cardOperation;
    const result = await this.write(
      'cardTokenOperation',
      { accountId, cardId },
      op.method,
      op.path(cardId),
      body,
      (tokens) => tokens.every((t) => done(t.status)),
      [],
    );
    const results = parseCardResults(result.body);
    return { ...result, body: result.body === undefined ? undefined : redactPismoEvent(result.body), results };
  }

  /**
   * "Transfer card tokens to other card" (PAN update): every active or suspended token of `ref`'s
   * card to `newCardId`. Pismo reports the outcome with a `pan_update` event (inferred). A lost
   * answer is never resent (no read can tell whether it was applied): the error says `unknown`.
   */
  async transferCardTokens(ref: CardRef, newCardId: string): Promise<WriteResult<unknown>> {
    const { accountId, cardId } = parse(cardRefSchema, ref, 'card reference');
    const to = parse(pismoId, newCardId, 'destination card id');
    if (to === cardId)
      throw new ValidationError('invalid Pismo token transfer', ['newCardId: must differ from the source card']);
    const t = PISMO_TOKEN_OPERATIONS_UNCONFIRMED.transferTokens;
    const result = await this.write(
      'transferCardTokens',
      { accountId, cardId },
      t.method,
      t.path(cardId),
      t.body(to),
      undefined,
      [],
    );
    return { ...result, body: result.body === undefined ? undefined : redactPismoEvent(result.body) };
  }

  /** "Get card tokens": the network tokens of a card, read tolerantly. */
  async getCardTokens(ref: CardRef): Promise<CardTokensResult> {
    const { accountId, cardId } = parse(cardRefSchema, ref, 'card reference');
    const { value, attempts } = await this.read(async (attempt) => {
      const body = await this.exchange('getCardTokens', accountId, 'GET', cardTokensPath(cardId), undefined, attempt);
      const tokens = parseCardTokens(body);
      if (!tokens) throw new PismoUnavailableError('getCardTokens', 'the answer has no token list', false);
      return tokens;
    });
    return { tokens: value, attempts };
  }

  /**
   * One call to another endpoint of Pismo's PCI APIs (push provisioning, cards on file: their own
   * adapters) with this client's account tokens, circuit breaker, timeout and error classes. `read`
   * calls are retried with backoff; anything else is sent once (a lost answer is reported as
   * PismoUnavailableError with `outcome: 'unknown'`). `scrub` values are cut from Pismo's error text.
   */
  async callWithAccountToken(
    operation: string,
    accountId: string,
    request: { method: string; path: string; body?: Json; read: boolean; scrub?: readonly string[] },
  ): Promise<{ body: unknown; attempts: number }> {
    const account = parse(pismoId, accountId, 'account id');
    const once = (attempt: number) =>
      this.exchange(operation, account, request.method, request.path, request.body, attempt, request.scrub ?? []);
    if (!request.read) return { body: await once(1), attempts: 1 };
    const { value, attempts } = await this.read(once);
    return { body: value, attempts };
  }

  // ---- retries ----

  private backoff(attempt: number): Promise<unknown> {
    return sleep(Math.random() * (this.config.retryBaseMs ?? 100) * 2 ** (attempt - 1));
  }

  private async read<T>(fn: (attempt: number) => Promise<T>): Promise<{ value: T; attempts: number }> {
    const retries = this.config.retries ?? 2;
    for (let attempt = 1; ; attempt++) {
      try {
        return { value: await fn(attempt), attempts: attempt };
      } catch (err) {
        if (!(err instanceof PismoUnavailableError) || !err.retryable || attempt > retries) throw err;
        await this.backoff(attempt);
      }
    }
  }

  private async write(
    operation: string,
    card: CardRef,
    method: string,
    path: string,
    body: Json,
    verify: Verifier | undefined,
    scrub: readonly string[],
  ): Promise<WriteResult<unknown>> {
    const retries = this.config.retries ?? 2;
    for (let attempt = 1; ; attempt++) {
      let lost: PismoUnavailableError;
      try {
        return {
          body: await this.exchange(operation, card.accountId, method, path, body, attempt, scrub),
          attempts: attempt,
        };
      } catch (err) {
        if (!(err instanceof PismoUnavailableError) || !err.retryable) throw err;
        if (err.outcome === 'not-applied') {
          if (attempt > retries) throw err;
          await this.backoff(attempt);
          continue;
        }
        lost = err;
      }
      const unknown = (why: string, cause: unknown) =>
        new PismoUnavailableError(operation, `${lost.reason}; ${why}`, true, {
          outcome: 'unknown',
          httpStatus: lost.httpStatus,
          error: { errorCode: lost.errorCode, message: lost.pismoMessage },
          cause,
        });
      if (!verify) throw unknown('this operation cannot be verified by a read, so it is not resent', lost);
      if (attempt > retries) throw unknown('no attempt left', lost);
      let tokens: PismoCardToken[];
      try {
        tokens = (await this.getCardTokens(card)).tokens;
      } catch (readErr) {
        throw unknown('the read to verify it failed', readErr);
      }
      const applied = verify(tokens);
      if (applied === true) return { body: undefined, attempts: attempt, confirmedByRead: true };
      if (applied === undefined) throw unknown('the read does not show the token', lost);
      await this.backoff(attempt);
    }
  }

  // ---- one exchange: account token, breaker, HTTP ----

  /** One call with the account's token; a 401 renews the token once (a second 401 fails). */
  private async exchange(
    operation: string,
    accountId: string,
    method: string,
    path: string,
    body: Json | undefined,
    attempt: number,
    scrub: readonly string[] = [],
  ): Promise<unknown> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.accountTokenFor(operation, accountId);
      try {
        return await this.fire(operation, () =>
          this.send(operation, method, `${this.baseUrl}${path}`, body, token, attempt, scrub),
        );
      } catch (err) {
        if (!(err instanceof AccountTokenRefused)) throw err;
        this.forgetToken(accountId, token);
        if (renewed)
          throw new PismoUnavailableError(operation, 'the account token was refused twice (HTTP 401)', false, {
            httpStatus: 401,
            error: err.error,
            credentialsRefused: true,
            outcome: 'not-applied',
            cause: err,
          });
      }
    }
  }

  private async fire(operation: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await this.breaker.fire(call);
    } catch (err) {
      if ((err as { code?: string }).code === 'EOPENBREAKER') throw new PismoCircuitOpenError(operation, err);
      throw err;
    }
  }

  private async send(
    operation: string,
    method: string,
    url: string,
    body: Json | URLSearchParams | undefined,
    bearer: string | undefined,
    attempt: number,
    scrub: readonly string[],
  ): Promise<unknown> {
    const started = performance.now();
    const report = (status: PismoAttemptInfo['status']) =>
      this.config.onAttempt?.({ operation, attempt, status, durationMs: performance.now() - started });
    const form = body instanceof URLSearchParams;
    let res: Response;
    let raw: string;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body === undefined
            ? {}
            : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
        },
        body: body === undefined ? undefined : form ? body.toString() : JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 4000),
      });
      raw = await res.text();
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError';
      const refused = ((err as { cause?: { code?: string } }).cause?.code ?? '') === 'ECONNREFUSED';
      report(timeout ? 'timeout' : 'network');
      throw new PismoUnavailableError(
        operation,
        timeout ? 'timed out' : refused ? 'connection refused' : 'connection lost',
        true,
        { outcome: refused ? 'not-applied' : 'unknown', cause: err },
      );
    }
    report(res.status);
    let parsed: unknown;
    try {
      parsed = raw.trim() ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed;
    const error = errorBody(parsed, scrub);
    if (res.status === 401 && bearer) throw new AccountTokenRefused(error);
    if (res.status === 429)
      throw new PismoUnavailableError(operation, 'HTTP 429', true, { httpStatus: 429, error, outcome: 'not-applied' });
    if (res.status >= 500)
      throw new PismoUnavailableError(operation, `HTTP ${res.status}`, true, { httpStatus: res.status, error });
    if (!bearer)
      throw new PismoUnavailableError(operation, `our client credentials were refused (HTTP ${res.status})`, false, {
        httpStatus: res.status,
        error,
        credentialsRefused: true,
      });
    throw new PismoRejectedError(operation, res.status, error);
  }

  // ---- account tokens ----

  private async accountTokenFor(operation: string, accountId: string): Promise<string> {
    try {
      return await this.accountToken(accountId);
    } catch (err) {
      if (!(err instanceof PismoUnavailableError)) throw err;
      throw new PismoUnavailableError(operation, `no account token: ${err.reason}`, err.retryable, {
        httpStatus: err.httpStatus,
        error: { errorCode: err.errorCode, message: err.pismoMessage },
        credentialsRefused: err.credentialsRefused,
        outcome: 'not-applied',
        cause: err,
      });
    }
  }

  /** The account's token, cached until shortly before it expires; one request shared by concurrent calls. */
  private accountToken(accountId: string): Promise<string> {
    const held = this.tokens.get(accountId);
    if (held && held.expiresAt > Date.now()) return Promise.resolve(held.value);
    let request = this.tokenRequests.get(accountId);
    if (!request) {
      request = this.read((attempt) => this.requestAccountToken(accountId, attempt))
        .then((r) => r.value)
        .finally(() => this.tokenRequests.delete(accountId));
      this.tokenRequests.set(accountId, request);
    }
    return request;
  }

  private forgetToken(accountId: string, token: string): void {
    if (this.tokens.get(accountId)?.value === token) this.tokens.delete(accountId);
  }

  private async requestAccountToken(accountId: string, attempt: number): Promise<string> {
    const u = PISMO_TOKEN_OPERATIONS_UNCONFIRMED.accountToken;
    const secret =
      typeof this.config.clientSecret === 'string' ? this.config.clientSecret : await this.config.clientSecret();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      [u.fields.clientId]: this.config.clientId,
      [u.fields.clientSecret]: secret,
      [u.fields.scope]: this.config.scope ?? u.scope,
      [u.fields.account]: accountId,
    });
    const res = await this.fire('accountToken', () =>
      this.send('accountToken', 'POST', `${this.authUrl}${u.path}`, form, undefined, attempt, [secret]),
    );
    const value = isObject(res) && typeof res.access_token === 'string' ? res.access_token : undefined;
    if (!value || !isObject(res))
      throw new PismoUnavailableError('accountToken', 'the answer has no access_token', false);
    const seconds = Number(res.expires_in ?? u.defaultLifetimeSeconds);
    const lifetimeMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : u.defaultLifetimeSeconds) * 1000;
    const margin = Math.min(this.config.tokenRefreshMarginMs ?? 30_000, lifetimeMs / 4);
    if (this.tokens.size >= 1000) {
      const now = Date.now();
      for (const [id, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(id);
      if (this.tokens.size >= 1000) this.tokens.delete(this.tokens.keys().next().value as string);
    }
    this.tokens.set(accountId, { value, expiresAt: Date.now() + lifetimeMs - margin });
    this.accountTokensIssued++;
    return value;
  }
}
