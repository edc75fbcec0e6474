/**
 * Days until each Mastercard key expires (`GET /keys/expiry`, the console's system page): the daily
 * key monitor's latest report per MDES customer (key names and dates, never key material), recounted
 * to now. Read-only; the monitor (keys flow) writes the reports.
 */
import { daysUntil, EXPIRY_THRESHOLDS_DAYS, levelOf } from '../domain/key-expiry';
import type { KeyExpiryPort } from '../domain/store';

export interface CustomerKeyExpiry {
  customerId: string;
  checkedAt: string;
  daysToExpiry?: number;
  level: 'OK' | 'WARNING' | 'CRITICAL' | 'EXPIRED' | 'UNKNOWN';
  keys: { key: string; notAfter: string; daysToExpiry: number }[];
  error?: string;
}

export interface KeyExpiryView {
  thresholds: { warning: number; critical: number };
  customers: CustomerKeyExpiry[];
}

export async function keyExpiryView(
  store: Pick<KeyExpiryPort, 'listKeyExpiryReports'>,
  now: Date,
): Promise<KeyExpiryView> {
  const reports = await store.listKeyExpiryReports();
  return {
    thresholds: { ...EXPIRY_THRESHOLDS_DAYS },
    customers: reports.map((r) => {
      const keys = r.keys.map((k) => ({ ...k, daysToExpiry: daysUntil(k.notAfter, now) }));
      if (r.error || keys.length === 0)
        return { customerId: r.customerId, checkedAt: r.checkedAt, level: 'UNKNOWN', keys, error: r.error ?? 'no key' };
      const days = Math.min(...keys.map((k) => k.daysToExpiry));
      return { customerId: r.customerId, checkedAt: r.checkedAt, daysToExpiry: days, level: levelOf(days), keys };
    }),
  };
}
