import { AppError } from '../../domain/errors';

/**
 * Errors of the Pismo API adapters. Each keeps the failure it wraps as `cause` (for the logs' stack)
 * and never carries a request body: no activation code, token or secret can reach a message.
 */

/** Pismo's standard error object, `{ error_code, message }`, kept as Pismo sent it. */
export interface PismoErrorBody {
  errorCode?: string;
  message?: string;
}

/** Pismo refused the request (its 4xx other than an expired account token): 422 with Pismo's reason. */
export class PismoRejectedError extends AppError {
  readonly errorCode?: string;
  readonly pismoMessage?: string;
  constructor(
    readonly operation: string,
    readonly httpStatus: number,
    error: PismoErrorBody,
    cause?: unknown,
  ) {
    const pismoReason = [`HTTP ${httpStatus}`, error.errorCode, error.message]
      .filter((x) => x !== undefined && x !== '')
      .join(' | ');
    super(
      `Pismo refused ${operation}: ${error.errorCode ?? `HTTP ${httpStatus}`}${error.message ? ` (${error.message})` : ''}`,
      'refused',
      { expose: true, details: [pismoReason], networkReason: pismoReason, cause },
    );
    this.errorCode = error.errorCode;
    this.pismoMessage = error.message;
  }
}

/**
 * Pismo could not be reached or failed (timeout, connection reset, 5xx, 429, our credentials or
 * account token refused): 502 for the caller. `retryable` says whether trying later makes sense;
 * `outcome` says, for a write, whether it may have been applied (`unknown`: its response was lost
 * and no read could tell).
 */
export class PismoUnavailableError extends AppError {
  readonly httpStatus?: number;
  readonly errorCode?: string;
  readonly pismoMessage?: string;
  readonly credentialsRefused: boolean;
  readonly outcome?: 'not-applied' | 'unknown';
  constructor(
    readonly operation: string,
    readonly reason: string,
    readonly retryable: boolean,
    options: {
      httpStatus?: number;
      error?: PismoErrorBody;
      /** Pismo refused our client credentials or, twice in a row, the account token. */
      credentialsRefused?: boolean;
      /** For a write: `not-applied` (Pismo never saw it) or `unknown` (response lost, not verified). */
      outcome?: 'not-applied' | 'unknown';
      cause?: unknown;
    } = {},
  ) {
    super(
      `Pismo ${operation} unavailable: ${reason}${options.outcome === 'unknown' ? ' (outcome unknown: it may have been applied)' : ''}`,
      'upstream-failed',
      {
        expose: true,
        details:
          options.error?.errorCode || options.error?.message
            ? [[options.error.errorCode, options.error.message].filter(Boolean).join(' | ')]
            : undefined,
        cause: options.cause,
      },
    );
    this.httpStatus = options.httpStatus;
    this.errorCode = options.error?.errorCode;
    this.pismoMessage = options.error?.message;
    this.credentialsRefused = options.credentialsRefused ?? false;
    this.outcome = options.outcome;
  }
}

/** The circuit breaker is open: Pismo is failing, calls are refused without trying (503). */
export class PismoCircuitOpenError extends AppError {
  constructor(
    readonly operation: string,
    cause?: unknown,
  ) {
    super(
      `Pismo calls are paused after repeated failures (circuit open); ${operation} not sent, retry later`,
      'unavailable',
      { expose: true, cause },
    );
  }
}
