import { AppError } from '../../domain/errors';

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

/** MDES refused the request (its 4xx): the caller sees MDES's reason (422, or 404 for an unknown token). */
export class MdesRejected extends AppError {
  constructor(
    readonly operation: string,
    readonly httpStatus: number,
    readonly errors: readonly MdesErrorDetail[],
  ) {
    super(
      `MDES refused ${operation}: ${errors[0]?.reasonCode ?? `HTTP ${httpStatus}`}${errors[0]?.description ? ` (${errors[0].description})` : ''}`,
      httpStatus === 404 ? 404 : 422,
      true,
      summary(errors),
    );
  }
}

/**
 * MDES could not be reached or failed (timeout, 5xx, 429, our credentials refused, circuit open):
 * 502 for the caller, with the reason. `retryable` says whether trying later makes sense.
 */
export class MdesUnavailable extends AppError {
  constructor(
    readonly operation: string,
    reason: string,
    readonly retryable: boolean,
    readonly errors: readonly MdesErrorDetail[] = [],
    /** Mastercard refused our key (401/403): the key store may hold a rotated one. */
    readonly credentialsRefused = false,
  ) {
    super(`MDES ${operation} unavailable: ${reason}`, 502, true, summary(errors));
  }
}

/** The circuit breaker is open: MDES is failing, calls are refused without trying (503). */
export class MdesCircuitOpen extends AppError {
  constructor(readonly operation: string) {
    super(
      `MDES calls are paused after repeated failures (circuit open); ${operation} not sent, retry later`,
      503,
      true,
    );
  }
}
