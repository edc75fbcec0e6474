import type {
  CardReconciliation,
  ReconciliationPort,
  ReconciliationRun,
  TimelinePort,
  TokenStatePort,
} from '../domain/store';

/** What the reconciliation needs of the token store. */
export type ReconciliationStore = TokenStatePort & TimelinePort & ReconciliationPort;

/** A card to reconcile: its Pismo card id and, when known, its account (Pismo's account token needs it). */
export interface CardRef {
  cardId: string;
  accountId?: string;
}

/** One token as Pismo's "get card tokens" lists it (the Pismo adapter's `PismoCardToken` is one). */
export interface UpstreamToken {
  tokenId?: string;
  /** Pismo's word, upper case: INACTIVE, ACTIVE, SUSPENDED, DEACTIVATED, FAILED, or one we do not know. */
  status?: string;
  /** `mdes`, `vts` or another. */
  network?: string;
  tokenUniqueReference?: string;
}

/** Pismo's "get card tokens" (both networks): `PismoTokenOperationsClient` implements it. */
export interface PismoCardTokensPort {
  getCardTokens(card: { accountId: string; cardId: string }): Promise<{ tokens: UpstreamToken[]; attempts: number }>;
}

/** MDES Customer Service "Search" by Token Unique Reference: exactly one HTTP attempt per call (no retry inside). */
export interface MdesSearchPort {
  /**
   * The token's `CurrentStatusCode` (U, A, S, D) at MDES, or `undefined` when MDES does not know the
   * TUR. Throws {@link MdesSearchFailedError} when MDES could not answer.
   */
  statusByTur(tur: string, orgId?: string): Promise<{ statusCode?: string } | undefined>;
}

/** Hands out permits at a configured rate: `acquire` resolves when the caller may make one call. */
export interface RateLimiter {
  acquire(): Promise<void>;
}

/** Told of each card result and of each finished run (the handlers turn them into logs and metrics). */
export interface ReconciliationObserver {
  onCard?(result: CardReconciliation): void;
  onRun?(run: ReconciliationRun): void;
}
