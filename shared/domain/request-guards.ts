/**
 * Guards of the cardholder's write requests (push provisioning, card on file): one claim per request
 * id (a repeated id never runs the action twice) and a per-account counter per time window (rate
 * limit). Both live in the store (shared/adapters/dynamo/request-guards.ts) so every container of
 * every function agrees; both expire by themselves (the table's TTL).
 */

/** Which request: the account, the action's scope (e.g. `push-provisioning`) and the app's request id. */
export interface RequestKey {
  accountId: string;
  scope: string;
  requestId: string;
}

/**
 * What the first request with an id left: when it finished, on which card, and what may be shown
 * again. `result` holds only what may be stored (never a card number, a CVV, an expiry, wallet
 * data or an activation code): the use case decides.
 */
export interface RequestOutcome {
  status: 'DONE';
  at: string;
  cardId: string;
  operation: string;
  /** JSON text of a storable result, replayed as is (absent: the replay answers 409 with the outcome). */
  result?: string;
}

export type RequestClaim = { first: true } | { first: false; outcome?: RequestOutcome };

export interface RequestGuardPort {
  /**
   * Claims the request id until `expiresAt` (epoch s): `first` the first time; afterwards the first
   * request's outcome (undefined while it is still running).
   */
  claimRequest(key: RequestKey, expiresAt: number): Promise<RequestClaim>;
  /** Records the first request's outcome on its claim (same expiry). */
  recordOutcome(key: RequestKey, outcome: RequestOutcome): Promise<void>;
  /** Frees the id after a failure (nothing was done: the same id may be tried again). */
  releaseRequest(key: RequestKey): Promise<void>;
}

export interface RateLimitPort {
  /**
   * Counts one attempt of `accountId` for `scope` in the fixed window containing `now`: allowed
   * while fewer than `limit` were counted in it; otherwise not counted, with the seconds to wait.
   */
  takeRateLimit(
    accountId: string,
    scope: string,
    limit: number,
    windowSeconds: number,
    now: Date,
  ): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}
