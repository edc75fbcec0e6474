import { AppError } from '../domain/errors';

/**
 * Errors of the reconciliation flow. Upstream failures for one card are not errors of a run: they
 * are recorded on the card's result (`failed` or `partial`), the card is flagged, and the run goes on.
 */

/** MDES could not answer a search (timeout, 5xx, open circuit, refused): `retryable` says whether trying again may help. */
export class MdesSearchFailedError extends Error {
  override readonly name = 'MdesSearchFailedError';
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
  ) {
    super(`MDES search failed: ${reason}`);
  }
}

/** A card we hold no token of, asked for without its account id (Pismo's account token needs it): 422. */
export class AccountUnknownError extends AppError {
  constructor(cardId: string) {
    super(
      `no token of card ${cardId} is in our store, so its account is unknown: send {"accountId": "…"} in the body`,
      'refused',
      { expose: true },
    );
  }
}
