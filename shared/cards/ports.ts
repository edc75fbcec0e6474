import type { CardTokenAction } from '../domain/card';

/** The officer every card-status policy action is audited under. */
export const POLICY_OFFICER = 'card-lifecycle-policy';

/** One action on one token, as the policy asks it. */
export interface TokenActionRequest {
  tokenId: string;
  cardId: string;
  action: CardTokenAction;
  /** "card 123 BLOCKED at T: temporary block". */
  reason: string;
  officer: typeof POLICY_OFFICER;
  /** The card event that caused the action. */
  cardEventId: string;
}

/**
 * What became of an action: `done`, or `refused` by the network or Pismo for this token (recorded
 * on the token, not retried). A transient failure throws: the unit is retried with backoff.
 */
export type TokenActionResult = { outcome: 'done' } | { outcome: 'refused'; detail: string };

/**
 * Acting on one token (issue 14). Implemented by the network-neutral token lifecycle use case
 * (issue 13: through Pismo or MDES, audited with the officer); each call must be idempotent per
 * (token, card event), as a unit may run again after a crash.
 */
export interface TokenActions {
  suspend(request: TokenActionRequest): Promise<TokenActionResult>;
  resume(request: TokenActionRequest): Promise<TokenActionResult>;
  delete(request: TokenActionRequest): Promise<TokenActionResult>;
}

/** One retry-safe unit of the fan-out: one token of one card event's plan. */
export interface TokenUnit {
  cardId: string;
  cardEventId: string;
  tokenId: string;
}

/** Sends the units of a plan to the fan-out (one message per token; at-least-once). */
export interface FanOutPort {
  enqueue(units: TokenUnit[]): Promise<void>;
}

/** The unit of a transfer retry has no one token: the card's tokens move together (`tokenId` is this). */
export const WHOLE_CARD = '*';

/** One request of Pismo's "transfer tokens" (the reissue's PAN update) for the old card's tokens. */
export interface TokenTransferRequest {
  oldCardId: string;
  newCardId: string;
  accountId?: string;
  /** The pan_update FAILURE that caused it. */
  failureEventId: string;
}

/**
 * Asks Pismo to move a reissued card's tokens to the new card (issue 14's one retry of a failed
 * transfer). `done`: Pismo accepted it (its `pan_update` event tells the outcome); `refused`: Pismo
 * said no, or the outcome of a lost answer is unknown (recorded, never resent). A throw is transient
 * and nothing was applied: the unit is retried.
 */
export interface TokenTransferPort {
  transferTokens(request: TokenTransferRequest): Promise<TokenActionResult>;
}
