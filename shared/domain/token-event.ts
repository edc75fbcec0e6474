import type { TokenStatus } from './token-status';

/** Card networks we normalise. */
export type Network = 'MDES' | 'VTS' | 'UNKNOWN';

/** How the cardholder proves identity in the yellow path. */
export type ActivationMethod = 'SMS' | 'EMAIL' | 'CALL_CENTER' | 'APP_TO_APP';

/**
 * Descriptive facts about a token. Every field is optional: each event carries only some of them,
 * and the token state keeps, per field, the value from the latest event that carried it.
 */
export interface TokenFacts {
  network?: Network;
  orgId?: string;
  cardId?: string;
  accountId?: string;
  /** MDES Token Unique Reference, or the VTS tokenReferenceID. */
  tokenUniqueReference?: string;
  /** MDES PAN Unique Reference, or the VTS panReferenceID. Never the PAN. */
  panReference?: string;
  tokenRequestorId?: string;
  walletId?: string;
  walletName?: string;
  walletAccountId?: string;
  paymentAppInstanceId?: string;
  deviceId?: string;
  deviceName?: string;
  deviceType?: string;
  deviceBrand?: string;
  deviceModel?: string;
  storageTechnology?: string;
  storageTechnologyCode?: string;
  tokenType?: string;
  panSource?: string;
  consumerLanguage?: string;
  eventIndicator?: string;
  eventReason?: string;
  eventRequestor?: string;
  customCodes?: string[];
  activeTokens?: number;
  correlationId?: string;
  activationMethod?: ActivationMethod;
  /** Destination hint as the network masked it, e.g. `(###)###7728`. */
  maskedDestination?: string;
  challengeExpiresAt?: string;
}

/** The one network-agnostic shape every Pismo tokenization event is normalised into. */
export interface TokenEvent {
  eventId: string;
  eventType: string;
  /** Event time, ISO-8601 UTC with milliseconds (fixed width, so it sorts as text). */
  occurredAt: string;
  /** Pismo token id; null for refusals, which belong to the card only. */
  tokenId: string | null;
  cardId: string;
  callMethod: string;
  /** False when the call method is not one we know: stored and reported, never dropped. */
  recognized: boolean;
  status?: TokenStatus;
  facts: TokenFacts;
}
