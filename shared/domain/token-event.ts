import type { TokenStatus } from './token-status';

/** Card networks we normalise. */
export type Network = 'MDES' | 'VTS' | 'UNKNOWN';

/** Where the wallet got the PAN from. */
export type PanSourceLabel = 'card on file' | 'manual' | 'via application';

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
  /** The network's PAN source code (MDES `1`/`2`/`3`, VTS `KEY_ENTERED`…). */
  panSource?: string;
  /** {@link panSource} as a label: `card on file`, `manual` or `via application`. */
  panSourceLabel?: PanSourceLabel;
  /** Token expiry, `YYYY-MM` (MDES DE48 SE33 SF3, VTS tokenExpirationDate, resync detail). */
  tokenExpiry?: string;
  /** When the network activated the token (resync detail), ISO-8601. */
  tokenActivatedAt?: string;
  /** MDES TC final tokenization decision code, and its label where known. */
  finalTokenDecision?: string;
  finalTokenDecisionLabel?: string;
  /** MDES TC final tokenization decision indicator (which party decided), raw code. */
  finalTokenDecisionIndicator?: string;
  /** MDES TC number of activation attempts. */
  activationAttempts?: number;
  /** VTS free-text reason of a lifecycle notification (`*CUSTOMER_CONFIRMED||Delete initiated…`). */
  messageReason?: string;
  /** When the network says the event happened (VTS dateTimeOfEvent), ISO-8601. */
  networkEventAt?: string;
  /** Why VTS asks for an OTP (`PROVISIONING`…) and whether the cardholder hit the OTP limit. */
  otpReason?: string;
  otpMaxReached?: boolean;
  /** Device operating system (`ANDROID`, `IOS`…) and version. */
  deviceOs?: string;
  deviceOsVersion?: string;
  /** Pismo program id (notification-1, newer version). */
  programId?: string;
  consumerLanguage?: string;
  eventIndicator?: string;
  eventReason?: string;
  eventRequestor?: string;
  customCodes?: string[];
  /** PAN update (pan_update): the other card, the outcome and the tokens moved. */
  panUpdateStatus?: string;
  panUpdateReasonCode?: string;
  migratedTokenIds?: string[];
  /** Cards this token was on before a reissue moved it (pan_update SUCCESS), oldest first. */
  previousCardIds?: string[];
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
  /** Pismo's event type without a version suffix (`notification`, `patch`, or one we do not know). */
  eventType: string;
  /** `schema_version`, else the event type's `-<n>` suffix. */
  schemaVersion?: string;
  /** Event time, ISO-8601 UTC with milliseconds (fixed width, so it sorts as text). */
  occurredAt: string;
  /** Pismo token id; null for refusals, which belong to the card only. */
  tokenId: string | null;
  /** Pismo card id; null only when the event names a token and no card. */
  cardId: string | null;
  /** Other cards whose timeline also gets this event (pan_update: the new card). */
  otherCardIds?: string[];
  callMethod: string;
  /**
   * False when the event type, call method or status word is not one we know: stored and
   * reported, never dropped.
   */
  recognized: boolean;
  status?: TokenStatus;
  facts: TokenFacts;
}
