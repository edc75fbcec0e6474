/**
 * The application's error family: one base class, {@link AppError}, and every error named `…Error`
 * except the ID&V workflow's, whose names the state machine's Retry/Catch match (kept stable).
 *
 * An error says what **kind** of failure it is; the HTTP status a kind answers is decided once,
 * in {@link HTTP_STATUS_OF_KIND} (read by the HTTP adapter and by the audit, which records the
 * status the caller got), and the audit outcome once, in `auditOutcomeOf` (shared/domain/audit.ts).
 */

/**
 * What went wrong, as the caller should understand it:
 * - `invalid`: the input does not satisfy the contract; `too-large` / `unsupported-media-type` its body;
 * - `unauthenticated`: the caller is not who it claims; `forbidden`: it may not do this;
 * - `not-found`: the addressed thing does not exist (here or at the network);
 * - `conflict`: a rule forbids it in the current state (nothing was done);
 * - `refused`: the network said no, with its own reason;
 * - `upstream-failed`: a system we call failed or answered outside its contract;
 * - `unavailable`: a dependency (keys, circuit, store, provider) cannot serve now: retry later;
 * - `internal`: our bug or an unexpected state.
 */
export type ErrorKind =
  | 'invalid'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'refused'
  | 'upstream-failed'
  | 'unavailable'
  | 'internal'
  | 'too-many-requests';

/** The one place a kind becomes an HTTP status (the API's status codes are pinned by the integration tests). */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  refused: 422,
  internal: 500,
  'upstream-failed': 502,
  unavailable: 503,
  'too-many-requests': 429,
};

export interface AppErrorOptions {
  /** Whether `message` (and `details`) may be shown to the caller (default false). */
  expose?: boolean;
  details?: readonly string[];
  /** The error this one wraps (kept for the stack and the logs of the process, never sent to a caller). */
  cause?: unknown;
  /** The network's own reason for a refusal (its reason codes), kept in the audit. */
  networkReason?: string;
}

/**
 * The base of every error of ours. `name` is the class name (stable: clients, metric filters and
 * Step Functions match on it); `expose` says whether `message` may be shown to the caller.
 */
export class AppError extends Error {
  readonly expose: boolean;
  readonly details?: readonly string[];
  readonly networkReason?: string;

  constructor(
    message: string,
    readonly kind: ErrorKind,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.expose = options.expose ?? false;
    this.details = options.details;
    this.networkReason = options.networkReason;
  }

  /** The HTTP status of this error's kind (derived: see {@link HTTP_STATUS_OF_KIND}). */
  get statusCode(): number {
    return HTTP_STATUS_OF_KIND[this.kind];
  }
}

/** Input that does not satisfy the contract. */
export class ValidationError extends AppError {
  constructor(message: string, details?: readonly string[]) {
    super(message, 'invalid', { expose: true, details });
  }
}

/** Request body is not JSON. */
export class MalformedJsonError extends AppError {
  constructor(cause?: unknown) {
    super('request body is not valid JSON', 'invalid', { expose: true, cause });
  }
}

/** Request body is not `application/json`. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(contentType: string | undefined) {
    super(
      `content-type must be application/json, got ${contentType ? `'${contentType.slice(0, 64)}'` : 'none'}`,
      'unsupported-media-type',
      { expose: true },
    );
  }
}

/** Request body over the limit. */
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`, 'too-large', { expose: true });
  }
}

/** The addressed resource does not exist. */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, 'not-found', { expose: true });
  }
}

/** Optimistic-concurrency retries ran out (safe to retry). */
export class ConcurrencyError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, 'unavailable', { cause });
  }
}

/** The HTTP status the caller gets for any thrown value: its kind's, or 500 for anything not ours. */
export function httpStatusOf(err: unknown): number {
  return err instanceof AppError ? err.statusCode : HTTP_STATUS_OF_KIND.internal;
}
