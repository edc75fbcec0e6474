import { type Clock, systemClock } from '../domain/clock';
import type { MdesCustomer } from '../adapters/mdes/customers';
import type { CredentialRegistrar } from '../adapters/mdes/registrar';
import { keyExpiries, type MdesSecret } from '../adapters/mdes/secret-format';

import { levelOf } from '../domain/key-expiry';
import type { KeyExpiryReport } from '../domain/store';

export { EXPIRY_THRESHOLDS_DAYS, levelOf } from '../domain/key-expiry';

const DAY_MS = 86_400_000;

export interface ExpiryMonitorDeps {
  customers: readonly MdesCustomer[];
  /** The customer's current secret (AWSCURRENT). */
  currentSecret: (customer: MdesCustomer) => Promise<MdesSecret>;
  registrar: (customer: MdesCustomer) => CredentialRegistrar;
  /** Records a revocation once; false when it was already recorded. */
  recordRevocation: (customerId: string, consumerKey: string) => Promise<boolean>;
  /** Whether a revocation is recorded already. */
  wasRevoked: (customerId: string, consumerKey: string) => Promise<boolean>;
  metric: (name: string, value: number, dimensions: Record<string, string>) => void;
  /**
   * Keeps the customer's report (key names and dates, or the error) for the read API (the console's
   * system page); a failure to keep it is counted (`MdesKeyReportNotSaved`) and stops nothing.
   */
  saveReport?: (report: KeyExpiryReport) => Promise<void>;
  now?: Clock;
}

/** What the monitor found for one customer. */
export interface CustomerKeyReport {
  customerId: string;
  /** Days until the first key expires (negative: expired). */
  daysToExpiry: number;
  keys: { key: string; notAfter: string; daysToExpiry: number }[];
  level: 'OK' | 'WARNING' | 'CRITICAL' | 'EXPIRED';
  revoked?: string;
  error?: string;
}

/**
 * The daily key check: publishes days-to-expiry per customer and key (metric `MdesKeyDaysToExpiry`,
 * the minimum per customer also without the key dimension, which the alarms watch), and revokes a
 * rotated-out key once its grace period is over. A customer whose secret cannot be read is reported
 * (metric `MdesKeyCheckFailed`) without stopping the others.
 */
export async function checkKeys(deps: ExpiryMonitorDeps): Promise<CustomerKeyReport[]> {
  const now = (deps.now ?? systemClock)().getTime();
  const reports: CustomerKeyReport[] = [];
  for (const customer of deps.customers) {
    try {
      const secret = await deps.currentSecret(customer);
      const keys = keyExpiries(secret).map((k) => ({
        ...k,
        daysToExpiry: Math.floor((Date.parse(k.notAfter) - now) / DAY_MS),
      }));
      const days = Math.min(...keys.map((k) => k.daysToExpiry));
      for (const k of keys)
        deps.metric('MdesKeyDaysToExpiry', k.daysToExpiry, { CustomerId: customer.customerId, Key: k.key });
      deps.metric('MdesKeyDaysToExpiry', days, { CustomerId: customer.customerId });
      const report: CustomerKeyReport = {
        customerId: customer.customerId,
        daysToExpiry: days,
        keys,
        level: levelOf(days),
      };
      const from = secret.rotatedFrom;
      if (
        from &&
        Date.parse(from.revokeAfter) <= now &&
        !(await deps.wasRevoked(customer.customerId, from.consumerKey))
      ) {
        // Revoke first (idempotent at Mastercard), record after: a crash in between only repeats the revoke.
        await deps.registrar(customer).revokeKeys({ customerId: customer.customerId, consumerKey: from.consumerKey });
        await deps.recordRevocation(customer.customerId, from.consumerKey);
        deps.metric('MdesKeyRevoked', 1, { CustomerId: customer.customerId });
        report.revoked = from.consumerKey;
      }
      reports.push(report);
      await saveReport(deps, customer.customerId, {
        customerId: customer.customerId,
        checkedAt: new Date(now).toISOString(),
        keys: keys.map(({ key, notAfter }) => ({ key, notAfter })),
      });
    } catch (err) {
      deps.metric('MdesKeyCheckFailed', 1, { CustomerId: customer.customerId });
      reports.push({
        customerId: customer.customerId,
        daysToExpiry: Number.NaN,
        keys: [],
        level: 'EXPIRED',
        error: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 300),
      });
      await saveReport(deps, customer.customerId, {
        customerId: customer.customerId,
        checkedAt: new Date(now).toISOString(),
        keys: [],
        error: (err as Error).name,
      });
    }
  }
  return reports;
}

async function saveReport(deps: ExpiryMonitorDeps, customerId: string, report: KeyExpiryReport): Promise<void> {
  try {
    await deps.saveReport?.(report);
  } catch {
    deps.metric('MdesKeyReportNotSaved', 1, { CustomerId: customerId });
  }
}
