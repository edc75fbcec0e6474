import { AppError } from '../../domain/errors';

/** The errors of the MDES adapter: the network's answers, our keys, the customers' configuration. */

/** One entry of MDES's `ErrorsResponse`, kept whole. */
export interface MdesErrorDetail {
  reasonCode?: string;
  errorCode?: string;
  source?: string;
  description?: string;
  recoverable: boolean;
}

function summary(errors: readonly MdesErrorDetail[]): string[] {
  return errors.map((e) =>
    [e.reasonCode, e.errorCode, e.source, e.description].filter((x) => x !== undefined && x !== '').join(' | '),
  );
}

/**
 * MDES refused the request (its 4xx): the caller sees MDES's reason (kind `refused`, or `not-found`
 * for an unknown token), and the audit keeps it as the network's reason.
 */
export class MdesRejectedError extends AppError {
  constructor(
    readonly operation: string,
    readonly httpStatus: number,
    readonly errors: readonly MdesErrorDetail[],
  ) {
    const details = summary(errors);
    super(
      `MDES refused ${operation}: ${errors[0]?.reasonCode ?? `HTTP ${httpStatus}`}${errors[0]?.description ? ` (${errors[0].description})` : ''}`,
      httpStatus === 404 ? 'not-found' : 'refused',
      { expose: true, details, networkReason: details.join('; ') },
    );
  }
}

/**
 * MDES could not be reached or failed (timeout, 5xx, 429, our credentials refused, an answer outside
 * the contract): kind `upstream-failed`, with the reason. `retryable` says whether trying later makes sense.
 */
export class MdesUnavailableError extends AppError {
  constructor(
    readonly operation: string,
    reason: string,
    readonly retryable: boolean,
    readonly errors: readonly MdesErrorDetail[] = [],
    /** Mastercard refused our key (401/403): the key store may hold a rotated one. */
    readonly credentialsRefused = false,
    cause?: unknown,
  ) {
    super(`MDES ${operation} unavailable: ${reason}`, 'upstream-failed', {
      expose: true,
      details: summary(errors),
      cause,
    });
  }
}

/** The circuit breaker is open: MDES is failing, calls are refused without trying (retry later). */
export class MdesCircuitOpenError extends AppError {
  constructor(
    readonly operation: string,
    cause?: unknown,
  ) {
    super(
      `MDES calls are paused after repeated failures (circuit open); ${operation} not sent, retry later`,
      'unavailable',
      { expose: true, cause },
    );
  }
}

/**
 * Our Mastercard keys cannot be used (expired, unreadable secret, Secrets Manager down past the
 * grace). Not MDES failing: it never counts toward opening the circuit breaker.
 */
export class KeysUnavailableError extends AppError {
  constructor(reason: string, cause?: unknown) {
    super(`Mastercard keys unavailable: ${reason}`, 'unavailable', { expose: true, cause });
  }
}

/** A key secret that does not match the documented format (never echoes the secret). */
export class MalformedSecretError extends AppError {
  constructor(
    readonly secretId: string,
    readonly problems: string[],
    cause?: unknown,
  ) {
    super(`secret ${secretId} is not a valid MDES key secret: ${problems.join('; ')}`, 'internal', { cause });
  }
}

/** The Mastercard credentials API (key registrar) refused or failed (the rotation step fails; AWSCURRENT is untouched). */
export class RegistrarError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, 'upstream-failed', { cause });
  }
}

/** Unknown MDES customer id in a request. */
export class UnknownCustomerError extends AppError {
  constructor(message: string) {
    super(message, 'invalid', { expose: true });
  }
}
