import { auditedAction } from '../domain/audit';
import { type Clock, systemClock } from '../domain/clock';
import { AppError, ValidationError } from '../domain/errors';
import type { RateLimitPort, RequestGuardPort, RequestKey, RequestOutcome } from '../domain/request-guards';
import type { AuditPort, CardPort, TokenStatePort } from '../domain/store';
import { ownedCard } from './ownership';

/**
 * What push provisioning and card on file share: the card checked against the caller's account,
 * its status, the request id claimed once, the account's rate, and the audit with the account as the
 * actor (docs/decisions/0027-cardholder-request-ids-without-payloads.md).
 */

/** Limits of the cardholder's write requests (shared/config.ts `loadCardholderProvisioningConfig`). */
export interface CardholderLimits {
  /** Attempts per account per window, per scope. */
  perWindow: number;
  windowSeconds: number;
  /** How long a request id is remembered. */
  requestIdTtlSeconds: number;
}

/** What ownership and the guards read and write in the store. */
export type GuardStore = Pick<CardPort, 'getCardState'> &
  Pick<TokenStatePort, 'getTokenState' | 'listTokensOfCard'> &
  Pick<AuditPort, 'putAudit'>;

export interface GuardDeps {
  store: GuardStore;
  guards: RequestGuardPort & RateLimitPort;
  limits: CardholderLimits;
  now?: Clock;
}

/** Card statuses that may be put in a wallet (Pismo's active statuses). */
export const USABLE_CARD_STATUSES: readonly string[] = ['NORMAL', 'REISSUED'];

/** The card is not usable (blocked, cancelled…): 409 with its status, nothing sent. */
export class CardNotUsableError extends AppError {
  constructor(readonly cardStatus: string) {
    super(`the card is ${cardStatus}: it cannot be added to a wallet`, 'conflict', {
      expose: true,
      details: [`card status: ${cardStatus}`],
    });
  }
}

/** The request id was used before: 409 with the first request's outcome (never its payload). */
export class RequestAlreadyDoneError extends AppError {
  constructor(readonly first: RequestOutcome | undefined) {
    super(
      first
        ? `request id already used: ${first.operation} done at ${first.at}; send a new request id to do it again`
        : 'request id already used: the first request with it is still running',
      'conflict',
      {
        expose: true,
        details: first
          ? [`first outcome: ${first.status}`, `at: ${first.at}`, `operation: ${first.operation}`]
          : undefined,
      },
    );
  }
}

/** The account's rate of this action is spent for the window: 429, nothing sent. */
export class RateLimitedError extends AppError {
  constructor(
    readonly scope: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`too many ${scope} requests for this account; retry in ${retryAfterSeconds} s`, 'too-many-requests', {
      expose: true,
      details: [`retry after: ${retryAfterSeconds} s`],
    });
  }
}

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The app's request id (`requestId` in the body): 8-64 letters, digits, `-` or `_`; 400 naming it. */
export function requestIdOf(body: unknown): string {
  const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).requestId : undefined;
  if (typeof id !== 'string' || !REQUEST_ID.test(id))
    throw new ValidationError('invalid request', ['requestId: required, 8-64 letters, digits, - or _']);
  return id;
}

/** The body without `requestId` (what the adapter validates strictly). */
export function withoutRequestId(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { requestId: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}

/**
 * The card, when our store ties it to the caller's account (ownership.ts: 404 otherwise, the same as
 * an unknown card), with its status when a `cards` event told us one.
 */
export async function ownedCardOf(
  store: Pick<CardPort, 'getCardState'> & Pick<TokenStatePort, 'getTokenState' | 'listTokensOfCard'>,
  accountId: string,
  cardId: string,
): Promise<{ cardId: string; status?: string }> {
  const owned = await ownedCard(accountId, cardId, store);
  const card = await store.getCardState(owned);
  return { cardId: owned, status: card?.state.status };
}

/**
 * The card may go into a wallet: 409 with its status when a `cards` event said it is not usable. A
 * card we know only from its tokens (no `cards` event yet) is left to Pismo, which refuses it if so.
 */
export function requireUsable(card: { status?: string }): void {
  if (card.status !== undefined && !USABLE_CARD_STATUSES.includes(card.status))
    throw new CardNotUsableError(card.status);
}

/** The cardholder as the audit's actor: the account. */
export const cardholderActor = (accountId: string) => ({
  userId: accountId,
  userName: 'cardholder',
  kind: 'cardholder' as const,
});

/**
 * Runs a write once per request id, within the account's rate, audited (PENDING, then the outcome).
 * The first request's outcome is recorded with `storable(result)` (undefined: nothing to replay); a
 * failed action frees the id (nothing was done). A repeated id gets `replay(first)`.
 */
export async function guardedWrite<T>(
  input: { key: RequestKey; cardId: string; operation: string },
  deps: GuardDeps,
  action: () => Promise<T>,
  options: { storable: (result: T) => string | undefined; replay: (first: RequestOutcome | undefined) => T },
): Promise<T> {
  const now = (deps.now ?? systemClock)();
  const claim = await deps.guards.claimRequest(
    input.key,
    Math.floor(now.getTime() / 1000) + deps.limits.requestIdTtlSeconds,
  );
  if (!claim.first) return options.replay(claim.outcome);
  let result: T;
  try {
    const rate = await deps.guards.takeRateLimit(
      input.key.accountId,
      input.key.scope,
      deps.limits.perWindow,
      deps.limits.windowSeconds,
      now,
    );
    if (!rate.allowed) throw new RateLimitedError(input.key.scope, rate.retryAfterSeconds);
    result = await auditedAction(
      {
        owner: { day: now.toISOString().slice(0, 10) },
        operation: input.operation,
        officer: cardholderActor(input.key.accountId),
        customerId: `account:${input.key.accountId}`,
        params: {},
      },
      { store: deps.store, now: deps.now },
      action,
      () => `card ${input.cardId}`,
    );
  } catch (err) {
    await deps.guards.releaseRequest(input.key);
    throw err;
  }
  await deps.guards.recordOutcome(input.key, {
    status: 'DONE',
    at: (deps.now ?? systemClock)().toISOString(),
    cardId: input.cardId,
    operation: input.operation,
    result: options.storable(result),
  });
  return result;
}
