import type { ActivationMethod, Network } from './token-event';

/**
 * An ID&V challenge: one code the network asked the issuer to deliver. The code itself is held only
 * until it is delivered (or can no longer be), then removed.
 */
export const CHALLENGE_STATUSES = [
  'PENDING',
  'DELIVERED',
  'NOT_DELIVERED_BY_US',
  'SUPERSEDED',
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
}

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
