import { type BaseConfig, loadBaseConfig, loadCardholderProvisioningConfig } from '../config';
import { DynamoRequestGuards } from '../adapters/dynamo/request-guards';
import { DynamoTokenStore } from '../adapters/dynamo/token-store';
import { PismoCardOnFileClient } from '../adapters/pismo/card-on-file';
import { pismoClientSecretFrom } from '../adapters/pismo/client-secret';
import { PismoPushProvisioningClient } from '../adapters/pismo/push-provisioning';
import type { PismoAttemptInfo } from '../adapters/pismo/token-operations';
import type { Observability } from '../adapters/observability/powertools';
import type { CardOnFileDeps } from './card-on-file';
import type { PushProvisioningDeps } from './push-provisioning';

/**
 * Composition root of push provisioning and card on file (one set per container): the store, the
 * request guards (same table), and the two Pismo adapters with their own breakers. What is reported
 * of a Pismo call: operation, attempt, status, duration; never a body, an id or a payload.
 */
export function createProvisioningDeps(
  obs: Observability,
  base: BaseConfig = loadBaseConfig(),
  config: ReturnType<typeof loadCardholderProvisioningConfig> = loadCardholderProvisioningConfig(),
): { push: PushProvisioningDeps; cardOnFile: CardOnFileDeps } {
  const onAttempt = (a: PismoAttemptInfo) => {
    obs.metrics.addMetric('PismoCalls', 'Count', 1);
    obs.metrics.addMetric('PismoLatency', 'Milliseconds', a.durationMs);
    if (a.status === 'timeout' || a.status === 'network' || a.status >= 500)
      obs.metrics.addMetric('PismoFailures', 'Count', 1);
    obs.logger.info('pismo call', { ...a, durationMs: Math.round(a.durationMs) });
  };
  const pismo = {
    authUrl: config.pismoAuthUrl,
    clientId: config.pismoClientId,
    clientSecret: pismoClientSecretFrom(config.pismoClientSecretId),
    onAttempt,
  };
  const store = new DynamoTokenStore(base.tableName);
  const guards = new DynamoRequestGuards(base.tableName);
  const shared = { store, guards, limits: config.limits };
  return {
    push: { ...shared, pismo: new PismoPushProvisioningClient({ ...pismo, baseUrl: config.pismoTokenizationUrl }) },
    cardOnFile: { ...shared, pismo: new PismoCardOnFileClient({ ...pismo, baseUrl: config.pismoCardsOnFileUrl }) },
  };
}
