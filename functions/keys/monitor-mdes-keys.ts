import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { loadBaseConfig, loadKeysConfig, loadMdesCustomersJson } from '../../shared/config';
import { checkKeys, type CustomerKeyReport } from '../../shared/keys/expiry-monitor';
import { SecretsManagerKeyStore } from '../../shared/adapters/mdes/key-store';
import { HttpCredentialRegistrar } from '../../shared/adapters/mdes/registrar';
import { parseMdesCustomers } from '../../shared/adapters/mdes/customers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { traced } from '../../shared/adapters/observability/tracer';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';

const obs = createObservability('monitor-mdes-keys');
const config = loadBaseConfig();
const store = new DynamoTokenStore(config.tableName);
const secrets = traced(new SecretsManagerClient({}));
const customers = parseMdesCustomers(loadMdesCustomersJson());
const { registrarUrl } = loadKeysConfig();
const keyStore = (secretId: string) => new SecretsManagerKeyStore({ secretId, client: secrets, ttlMs: 0, graceMs: 0 });

/**
 * Daily (EventBridge schedule): days to expiry of every customer's Mastercard keys as metrics
 * (alarms at 45 and 14 days), and revocation of rotated-out keys once their grace period is over.
 */
export const handler = middy<unknown, CustomerKeyReport[]>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .handler(async () => {
    const reports = await checkKeys({
      customers,
      currentSecret: (c) => keyStore(c.secretId).currentSecret(),
      registrar: (c) => new HttpCredentialRegistrar(registrarUrl, () => keyStore(c.secretId).current()),
      recordRevocation: (customerId, consumerKey) => store.recordKeyRevocation(customerId, consumerKey),
      wasRevoked: (customerId, consumerKey) => store.wasKeyRevoked(customerId, consumerKey),
      // The console's system page reads the latest report (names and dates only).
      saveReport: (report) => store.putKeyExpiryReport(report),
      metric: (name, value, dimensions) => {
        const single = obs.metrics.singleMetric();
        single.addDimensions(dimensions);
        single.addMetric(name, MetricUnit.Count, value);
      },
    });
    for (const r of reports) {
      const log = r.level === 'OK' ? obs.logger.info.bind(obs.logger) : obs.logger.warn.bind(obs.logger);
      log('mdes keys checked', {
        customerId: r.customerId,
        daysToExpiry: r.daysToExpiry,
        expiryLevel: r.level,
        revoked: r.revoked,
        error: r.error,
      });
    }
    return reports;
  });
