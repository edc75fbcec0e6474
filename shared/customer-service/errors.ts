import { AppError } from '../domain/errors';

/** The errors of the Customer Service flow: each stops an action before MDES is asked to do it. */

/** A rule of the FAQ's status table (or the multi-suspender logic) forbids the call. */
export class StatusRuleViolationError extends AppError {
  constructor(rule: string) {
    super(rule, 'conflict', { expose: true });
  }
}

/** Two or more of our tokens carry one TUR: acting on either would be a guess (naming them). */
export class TurCollisionError extends AppError {
  constructor(
    readonly tur: string,
    readonly tokenIds: readonly string[],
  ) {
    super(
      `Token Unique Reference collision: tokens ${tokenIds.join(', ')} all carry this TUR; nothing was done (fix the token data, then retry)`,
      'conflict',
      { expose: true, details: tokenIds.map((id) => `tokenId: ${id}`) },
    );
  }
}

/** The token belongs to an MDES customer other than the one the request acts for. */
export class TokenOfOtherCustomerError extends AppError {
  constructor(tokenId: string, customerId: string) {
    super(`token ${tokenId} is not served by MDES customer ${customerId}`, 'forbidden', { expose: true });
  }
}
