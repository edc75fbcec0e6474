import { checkKeys, EXPIRY_THRESHOLDS_DAYS, levelOf } from '../../../shared/keys/expiry-monitor';
import type { MdesSecret } from '../../../shared/adapters/mdes/secret-format';
import type { MdesCustomer } from '../../../shared/adapters/mdes/customers';

const NOW = new Date('2026-11-22T00:00:00Z');
const inDays = (d: number) => new Date(NOW.getTime() + d * 86_400_000).toISOString();
const customer = (id: string): MdesCustomer => ({
  customerId: id,
  organization: 'Bank',
  baseUrl: 'mtf',
  secretId: `s-${id}`,
});

function secret(signingDays: number, extra: Partial<MdesSecret> = {}): MdesSecret {
  return {
    schemaVersion: 1,
    customerId: 'c',
    environment: 'mtf',
    consumerKey: 'ck-new',
    signingKey: { keyId: 'k', privateKeyPem: '(not read by the monitor)', notAfter: inDays(signingDays) },
    ...extra,
  };
}

function deps(secrets: Record<string, MdesSecret | Error>) {
  const metrics: [string, number, Record<string, string>][] = [];
  const revoked: string[] = [];
  const recorded = new Set<string>();
  return {
    metrics,
    revoked,
    deps: {
      customers: Object.keys(secrets).map(customer),
      currentSecret: async (c: MdesCustomer) => {
        const s = secrets[c.customerId];
        if (s instanceof Error) throw s;
        return s as MdesSecret;
      },
      registrar: () => ({
        requestKeys: async () => ({ consumerKey: 'x', notAfter: '' }),
        activateKeys: async () => undefined,
        revokeKeys: async (i: { consumerKey: string }) => {
          revoked.push(i.consumerKey);
        },
      }),
      recordRevocation: async (c: string, k: string) =>
        !recorded.has(`${c}/${k}`) && Boolean(recorded.add(`${c}/${k}`)),
      wasRevoked: async (c: string, k: string) => recorded.has(`${c}/${k}`),
      metric: (name: string, value: number, dims: Record<string, string>) => metrics.push([name, value, dims]),
      now: () => NOW,
    },
  };
}

describe('expiry monitor', () => {
  describe('levelOf', () => {
    it.each([
      [200, 'OK'],
      [EXPIRY_THRESHOLDS_DAYS.warning + 1, 'OK'],
      [EXPIRY_THRESHOLDS_DAYS.warning, 'WARNING'],
      [EXPIRY_THRESHOLDS_DAYS.critical + 1, 'WARNING'],
      [EXPIRY_THRESHOLDS_DAYS.critical, 'CRITICAL'],
      [1, 'CRITICAL'],
      [0, 'EXPIRED'],
      [-3, 'EXPIRED'],
    ])('%i days → %s', (days, level) => expect(levelOf(days)).toBe(level));
  });

  describe('checkKeys', () => {
    it('publishes days to expiry per key and the minimum per customer', async () => {
      const t = deps({
        a: secret(100, {
          decryptionKey: { keyId: 'd', privateKeyPem: '(not read by the monitor)', notAfter: inDays(30) },
        }),
        b: secret(10),
      });
      const reports = await checkKeys(t.deps);
      expect(reports.map((r) => [r.customerId, r.daysToExpiry, r.level])).toEqual([
        ['a', 30, 'WARNING'],
        ['b', 10, 'CRITICAL'],
      ]);
      expect(t.metrics).toContainEqual(['MdesKeyDaysToExpiry', 100, { CustomerId: 'a', Key: 'signing' }]);
      expect(t.metrics).toContainEqual(['MdesKeyDaysToExpiry', 30, { CustomerId: 'a', Key: 'decryption' }]);
      expect(t.metrics).toContainEqual(['MdesKeyDaysToExpiry', 30, { CustomerId: 'a' }]);
      expect(t.metrics).toContainEqual(['MdesKeyDaysToExpiry', 10, { CustomerId: 'b' }]);
    });

    it('revokes the rotated-out key only after the grace period, and only once', async () => {
      const rotated = (revokeAfterDays: number) =>
        secret(300, {
          rotatedFrom: { consumerKey: 'ck-old', rotatedAt: inDays(-1), revokeAfter: inDays(revokeAfterDays) },
        });
      const early = deps({ a: rotated(1) });
      await checkKeys(early.deps);
      expect(early.revoked).toEqual([]);
      const due = deps({ a: rotated(0) });
      const [report] = await checkKeys(due.deps);
      await checkKeys(due.deps);
      expect(report?.revoked).toBe('ck-old');
      expect(due.revoked).toEqual(['ck-old']);
    });

    it('reports a customer whose secret cannot be read, and still checks the others', async () => {
      const t = deps({ a: new Error('AccessDenied'), b: secret(200) });
      const reports = await checkKeys(t.deps);
      expect(reports[0]).toMatchObject({ customerId: 'a', error: expect.stringContaining('AccessDenied') });
      expect(reports[1]).toMatchObject({ customerId: 'b', level: 'OK' });
      expect(t.metrics).toContainEqual(['MdesKeyCheckFailed', 1, { CustomerId: 'a' }]);
    });

    it('keeps each customer’s report (names and dates, never key material) for the read API; a failed save is counted', async () => {
      const saved: unknown[] = [];
      const t = deps({ a: secret(100), b: new Error('AccessDenied') });
      await checkKeys({ ...t.deps, saveReport: async (r) => void saved.push(r) });
      expect(saved).toEqual([
        { customerId: 'a', checkedAt: NOW.toISOString(), keys: [{ key: 'signing', notAfter: inDays(100) }] },
        { customerId: 'b', checkedAt: NOW.toISOString(), keys: [], error: 'Error' },
      ]);
      expect(JSON.stringify(saved)).not.toContain('privateKeyPem');
      const failing = deps({ a: secret(100) });
      const reports = await checkKeys({
        ...failing.deps,
        saveReport: () => Promise.reject(new Error('table down')),
      });
      expect(reports[0]).toMatchObject({ customerId: 'a', level: 'OK' });
      expect(failing.metrics).toContainEqual(['MdesKeyReportNotSaved', 1, { CustomerId: 'a' }]);
    });
  });
});
