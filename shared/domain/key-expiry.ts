/**
 * Mastercard key expiry: the alarm thresholds on days to expiry and the level of a number of days.
 * The key monitor (shared/keys/expiry-monitor.ts) alarms on them; the read API (the console's system
 * page) shows the level of the monitor's latest report, recounted to now.
 */

/** Alarm thresholds on days to expiry (CloudWatch alarms use the same numbers). */
export const EXPIRY_THRESHOLDS_DAYS = { warning: 45, critical: 14 } as const;

export type KeyExpiryLevel = 'OK' | 'WARNING' | 'CRITICAL' | 'EXPIRED';

const DAY_MS = 86_400_000;

/** The level of a key (or of a customer's earliest key) that expires in `days` days. */
export function levelOf(days: number): KeyExpiryLevel {
  if (days <= 0) return 'EXPIRED';
  if (days <= EXPIRY_THRESHOLDS_DAYS.critical) return 'CRITICAL';
  if (days <= EXPIRY_THRESHOLDS_DAYS.warning) return 'WARNING';
  return 'OK';
}

/** Whole days from `now` until `notAfter` (negative once expired). */
export function daysUntil(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
}
