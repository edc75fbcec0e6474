/**
 * The application's error family. `name` is stable (Step Functions Retry/Catch and clients match
 * on it); `expose` says whether `message` may be shown to the caller.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly expose: boolean,
    readonly details?: readonly string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that does not satisfy the contract (400). */
export class ValidationError extends AppError {
  constructor(message: string, details?: readonly string[]) {
    super(message, 400, true, details);
  }
}

/** Request body is not JSON (400). */
export class MalformedJsonError extends AppError {
  constructor() {
    super('request body is not valid JSON', 400, true);
  }
}

/** Request body is not `application/json` (415). */
export class UnsupportedMediaTypeError extends AppError {
  constructor(contentType: string | undefined) {
    super(
      `content-type must be application/json, got ${contentType ? `'${contentType.slice(0, 64)}'` : 'none'}`,
      415,
      true,
    );
  }
}

/** Request body over the limit (413). */
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`, 413, true);
  }
}

/** The addressed resource does not exist (404). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, 404, true);
  }
}

/** Optimistic-concurrency retries ran out (503: safe to retry). */
export class ConcurrencyError extends AppError {
  constructor(message: string) {
    super(message, 503, false);
  }
}
