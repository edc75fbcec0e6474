import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { loadKeysConfig, loadMdesCustomersJson } from '../../shared/config';
import { SecretsManagerKeyStore } from '../../shared/adapters/mdes/key-store';
import { HttpCredentialRegistrar } from '../../shared/adapters/mdes/registrar';
import { ROTATION_STEPS, type RotationDeps, type RotationEvent, runRotationStep } from '../../shared/keys/rotation';
import { MdesCustomerServiceClient } from '../../shared/adapters/mdes/client';
import { StaticCredentials } from '../../shared/adapters/mdes/credentials';
import { parseMdesCustomers } from '../../shared/adapters/mdes/customers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { traced } from '../../shared/adapters/observability/tracer';

const obs = createObservability('rotate-mdes-keys');
const secrets = traced(new SecretsManagerClient({}));
const customers = parseMdesCustomers(loadMdesCustomersJson());
const { registrarUrl, revokeGraceHours } = loadKeysConfig();

const deps: RotationDeps = {
  secrets,
  customers,
  // Signed with the customer's current key, read fresh (no cache: a rotation is rare and must see the latest).
  registrar: (customer) =>
    new HttpCredentialRegistrar(registrarUrl, () =>
      new SecretsManagerKeyStore({ secretId: customer.secretId, client: secrets, ttlMs: 0, graceMs: 0 }).current(),
    ),
  verify: async (customer, credentials) => {
    await new MdesCustomerServiceClient({
      customerId: customer.customerId,
      baseUrl: customer.baseUrl,
      credentials: new StaticCredentials(credentials),
      retries: 0,
    }).systemStatus();
  },
  graceMs: revokeGraceHours * 3_600_000,
};

/**
 * Secrets Manager rotation function for the Mastercard key secrets: the four steps of
 * `shared/keys/rotation.ts`. Errors propagate: Secrets Manager marks the rotation failed (alarmed).
 */
export const handler = middy<RotationEvent, string>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .handler(async (event) => {
    if (!ROTATION_STEPS.includes(event.Step)) throw new Error(`unknown rotation step ${String(event.Step)}`);
    try {
      const outcome = await runRotationStep(event, deps);
      obs.logger.info('rotation step done', { step: event.Step, secretId: event.SecretId, outcome });
      return outcome;
    } catch (err) {
      obs.logger.error('rotation step failed', {
        step: event.Step,
        secretId: event.SecretId,
        error: (err as Error).name,
        reason: (err as Error).message,
      });
      throw err;
    }
  });
