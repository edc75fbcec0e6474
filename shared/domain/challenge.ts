import type { ActivationMethod, Network, TokenEvent } from './token-event';
import type { TokenStatus } from './token-status';

/**
 * An ID&V challenge: one code the network asked the issuer to deliver. The code itself is held only
 * until it is delivered (or can no longer be), then removed.
 */
export const CHALLENGE_STATUSES = [
  'PENDING',
  'DELIVERED',
  'NOT_DELIVERED_BY_US',
  'SUPERSEDED',
  'AWAITING_CARDHOLDER',
  'ACTIVATED',
  'EXPIRED',
  'FAILED',
  'ABANDONED_DELETED',
] as const;
export type ChallengeStatus = (typeof CHALLENGE_STATUSES)[number];

export interface Challenge {
  challengeId: string;
  tokenId: string;
  cardId: string;
  accountId?: string;
  network: Network;
  method?: ActivationMethod;
  /** Destination hint as the network masked it, e.g. `(###)###7728`. */
  maskedHint?: string;
  expiresAt?: string;
  language?: string;
  status: ChallengeStatus;
  sourceEventId: string;
  createdAt: string;
  /** Channel actually used (may differ from `method` after a fallback). */
  channel?: 'SMS' | 'EMAIL';
  deliveredTo?: string;
  deliveredAt?: string;
  attempts: number;
  failure?: string;
  /**
   * The code, sealed (KMS ciphertext bound to this challenge and token, base64): present only until
   * delivery (or until delivery becomes impossible), never in clear at rest, so neither a table
   * export nor a point-in-time restore holds a usable code.
   */
  sealedOtp?: string;
  /**
   * Who asked the network to activate the token on this challenge (the issuer app for app-to-app, an
   * agent for the call centre) and when; absent for an OTP the cardholder types into the wallet.
   */
  activationRequestedBy?: Exclude<ActivationPath, 'OTP'>;
  activationRequestedAt?: string;
  /** The path that activated the token (set when the workflow ends on the network's event). */
  activatedBy?: ActivationPath;
}

/**
 * How a token's ID&V ended: the cardholder typed a code we (or the network) delivered (`OTP`), the
 * issuer's app confirmed the cardholder (`APP_TO_APP`), or an agent did after verifying the caller
 * (`CALL_CENTER`).
 */
export type ActivationPath = 'OTP' | 'APP_TO_APP' | 'CALL_CENTER';

/** What a sealed code is bound to: opening it under any other challenge or token fails. */
export interface OtpBinding {
  challengeId: string;
  tokenId: string;
}

/** Seals codes before they are stored and opens them only to deliver them (port; KMS in AWS). */
export interface OtpSealer {
  seal(code: string, binding: OtpBinding): Promise<string>;
  open(sealed: string, binding: OtpBinding): Promise<string>;
}

/** Methods we deliver ourselves; app-to-app and call-centre codes are the wallet's/issuer app's. */
export function isDeliverable(method: ActivationMethod | undefined): method is 'SMS' | 'EMAIL' {
  return method === 'SMS' || method === 'EMAIL';
}

/** Methods where the cardholder proves identity to the issuer (its app or its call centre), not with a code. */
export function isCardholderMethod(method: ActivationMethod | undefined): method is 'APP_TO_APP' | 'CALL_CENTER' {
  return method === 'APP_TO_APP' || method === 'CALL_CENTER';
}

/** Statuses in which a challenge still waits for the token's activation. */
export const OPEN_CHALLENGE_STATUSES: readonly ChallengeStatus[] = [
  'PENDING',
  'DELIVERED',
  'NOT_DELIVERED_BY_US',
  'AWAITING_CARDHOLDER',
];

/** The path that activated a token on this challenge: the one requested, else the challenge's method. */
export function activationPathOf(c: Pick<Challenge, 'method' | 'activationRequestedBy'>): ActivationPath {
  if (c.activationRequestedBy) return c.activationRequestedBy;
  return isCardholderMethod(c.method) ? c.method : 'OTP';
}

/** Why the issuer cannot activate a token on its challenges now (409 with the reason). */
export type ActivationRefusal =
  | { reason: 'NO_OPEN_CHALLENGE'; detail: string }
  | { reason: 'CHALLENGE_EXPIRED'; detail: string }
  | { reason: 'NOT_AN_APP_CHALLENGE'; detail: string };

/**
 * The challenge the issuer may activate a token on (app-to-app: only one opened for the app method;
 * call centre: any open one, the caller having been verified by the agent), or why not. The newest
 * challenge decides: an older open one was replaced by the network's newer code.
 */
export function challengeToActivate(
  challenges: readonly Challenge[],
  path: Exclude<ActivationPath, 'OTP'>,
  now: Date,
): { challenge: Challenge } | ActivationRefusal {
  const newest = [...challenges]
    .filter((c) => c.status !== 'SUPERSEDED')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!newest) return { reason: 'NO_OPEN_CHALLENGE', detail: 'the token has no ID&V challenge' };
  const expired =
    newest.status === 'EXPIRED' ||
    (OPEN_CHALLENGE_STATUSES.includes(newest.status) &&
      newest.expiresAt !== undefined &&
      Date.parse(newest.expiresAt) <= now.getTime());
  if (expired) return { reason: 'CHALLENGE_EXPIRED', detail: `challenge ${newest.challengeId} has expired` };
  if (!OPEN_CHALLENGE_STATUSES.includes(newest.status))
    return {
      reason: 'NO_OPEN_CHALLENGE',
      detail: `challenge ${newest.challengeId} is ${newest.status}, no challenge is open`,
    };
  if (path === 'APP_TO_APP' && newest.method !== 'APP_TO_APP')
    return {
      reason: 'NOT_AN_APP_CHALLENGE',
      detail: `the open challenge is for ${newest.method ?? 'an unknown method'}, not the app (method 6)`,
    };
  return { challenge: newest };
}

/**
 * The challenge id of the event that carried it. It doubles as the workflow's execution name, so a
 * redelivered event can never deliver twice; execution names allow 1-80 of [A-Za-z0-9-_].
 */
export function challengeIdOf(eventId: string): string {
  return `ch-${eventId.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 80);
}

/** Token statuses after which a new code is moot: the cardholder has nothing left to prove. */
const SETTLED_TOKEN: ReadonlySet<TokenStatus> = new Set<TokenStatus>(['active', 'deleted', 'declined']);

/** Whether the token has settled (activated, deleted or declined): a waiting ID&V workflow is over. */
export function isSettledToken(status: TokenStatus | undefined): boolean {
  return status !== undefined && SETTLED_TOKEN.has(status);
}

/** How a new challenge opens: its status and, for a failed one, why. */
export interface ChallengeOpening {
  status: ChallengeStatus;
  failure?: string;
}

/**
 * The status a new challenge opens in. PENDING (we deliver the code) only when the token is still
 * waiting, the method is one we deliver, and the event carried a code we can seal; otherwise
 * SUPERSEDED (token already settled), AWAITING_CARDHOLDER (app-to-app or call centre: the cardholder
 * proves identity to the issuer, which then activates), NOT_DELIVERED_BY_US (no method we know), or FAILED.
 */
export function openingOf(input: {
  method: ActivationMethod | undefined;
  tokenStatus: TokenStatus | undefined;
  hasCode: boolean;
  canSeal: boolean;
}): ChallengeOpening {
  if (isSettledToken(input.tokenStatus)) return { status: 'SUPERSEDED' };
  if (isCardholderMethod(input.method)) return { status: 'AWAITING_CARDHOLDER' };
  if (!isDeliverable(input.method)) return { status: 'NOT_DELIVERED_BY_US' };
  if (!input.hasCode) return { status: 'FAILED', failure: 'NO_CODE_IN_MESSAGE' };
  if (!input.canSeal) return { status: 'FAILED', failure: 'CODE_NOT_SEALED' };
  return { status: 'PENDING' };
}

/** Whether a new challenge in this status starts the ID&V workflow (to deliver, or to wait for activation). */
export function startsWorkflow(status: ChallengeStatus): boolean {
  return status === 'PENDING' || status === 'NOT_DELIVERED_BY_US' || status === 'AWAITING_CARDHOLDER';
}

/**
 * The challenge a normalised event carries, as first stored. `sealedOtp` (the code sealed to this
 * challenge and token) only with a PENDING opening: a code we will not deliver is never stored.
 */
export function newChallenge(
  event: TokenEvent,
  opening: ChallengeOpening & { sealedOtp?: string },
  now: Date,
): Challenge {
  return {
    challengeId: challengeIdOf(event.eventId),
    tokenId: event.tokenId ?? '',
    cardId: event.cardId ?? '',
    accountId: event.facts.accountId,
    network: event.facts.network ?? 'UNKNOWN',
    method: event.facts.activationMethod,
    maskedHint: event.facts.maskedDestination,
    expiresAt: event.facts.challengeExpiresAt,
    language: event.facts.consumerLanguage,
    status: opening.status,
    sourceEventId: event.eventId,
    createdAt: now.toISOString(),
    attempts: 0,
    failure: opening.failure,
    sealedOtp: opening.status === 'PENDING' ? opening.sealedOtp : undefined,
  };
}

/** Masks a phone number to its last four digits: `*******7728`. */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  return `${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}

/** Masks an email: first letter of the local part and of the domain, `j***@e***.com`. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.charAt(0)}***@${domain.charAt(0)}***${tld}`;
}

/**
 * Whether a destination fits the network's masked hint. Phone hints keep the last digits visible
 * (`(###)###7728`); email hints keep some leading characters. No hint means nothing to check.
 */
export function matchesHint(destination: string, hint: string | undefined): boolean {
  if (!hint) return true;
  if (hint.includes('@')) {
    const [hLocal = '', hDomain = ''] = hint.toLowerCase().split('@');
    const [dLocal = '', dDomain = ''] = destination.toLowerCase().split('@');
    const visible = (h: string, d: string) => [...h].every((c, i) => !/[a-z0-9]/.test(c) || d.charAt(i) === c);
    return visible(hLocal.replace(/[*#].*$/, ''), dLocal) && visible(hDomain.replace(/[*#].*$/, ''), dDomain);
  }
  const visibleDigits = hint.replace(/\D/g, '');
  if (!visibleDigits) return true;
  return destination.replace(/\D/g, '').endsWith(visibleDigits);
}
