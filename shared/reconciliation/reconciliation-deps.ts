import { loadBaseConfig, loadReconciliationConfig } from '../config';
import { DynamoTokenStore } from '../adapters/dynamo/token-store';
import { customerServesOrg, lazyConnections } from '../adapters/mdes/customers';
import { MdesCircuitOpenError, MdesRejectedError, MdesUnavailableError } from '../adapters/mdes/errors';
import type { AttemptInfo } from '../adapters/mdes/client';
import { pismoClientSecretFrom } from '../adapters/pismo/client-secret';
import { type PismoAttemptInfo, PismoTokenOperationsClient } from '../adapters/pismo/token-operations';
import { MdesSearchFailedError } from './errors';
import type { MdesSearchPort } from './ports';
import type { ReconciliationDeps } from './reconcile';
import { TokenBucket } from './token-bucket';

/** Who the MDES audit trail names for the job's searches. */
const JOB_USER = { UserId: 'reconciliation', UserName: 'Token reconciliation job' } as const;

/**
 * MDES Search by TUR over the configured customers (the one serving the token's org, else the
 * default): one HTTP attempt per call (the client's own retries are off, so every attempt passes the
 * flow's rate limiter).
 */
export function mdesSearchByTur(
  env: NodeJS.ProcessEnv = process.env,
  onAttempt?: (a: AttemptInfo) => void,
): MdesSearchPort {
  const connections = lazyConnections(env, { retries: 0, onAttempt });
  return {
    statusByTur: async (tur, orgId) => {
      const all = connections();
      const customer = all.customers.find((c) => customerServesOrg(c, all.customers, orgId)) ?? all.customers[0];
      const { client } = all.get(customer?.customerId);
      try {
        const found = await client.search({
          TokenUniqueReference: tur,
          AuditInfo: { ...JOB_USER, Organization: all.get(customer?.customerId).customer.organization },
        });
        const token = found.body.SearchResponse?.Accounts?.Account?.flatMap((a) => a.Tokens?.Token ?? []).find(
          (t) => t.TokenUniqueReference === tur,
        );
        return token ? { statusCode: token.CurrentStatusCode } : undefined;
      } catch (err) {
        if (err instanceof MdesUnavailableError) throw new MdesSearchFailedError(err.message, err.retryable);
        if (err instanceof MdesCircuitOpenError) throw new MdesSearchFailedError(err.message, false);
        if (err instanceof MdesRejectedError) throw new MdesSearchFailedError(err.message, false);
        throw err;
      }
    },
  };
}

/** Composition root of the reconciliation functions: one set of clients per container. */
export function createReconciliationDeps(
  env: NodeJS.ProcessEnv = process.env,
  hooks: { onPismoAttempt?: (a: PismoAttemptInfo) => void; onMdesAttempt?: (a: AttemptInfo) => void } = {},
): ReconciliationDeps & { config: ReturnType<typeof loadReconciliationConfig>; store: DynamoTokenStore } {
  const base = loadBaseConfig(env);
  const config = loadReconciliationConfig(env);
  return {
    config,
    store: new DynamoTokenStore(base.tableName),
    pismo: new PismoTokenOperationsClient({
      baseUrl: config.pismoTokenizationUrl,
      authUrl: config.pismoAuthUrl,
      clientId: config.pismoClientId,
      clientSecret: pismoClientSecretFrom(config.pismoClientSecretId),
      onAttempt: hooks.onPismoAttempt,
    }),
    mdes: mdesSearchByTur(env, hooks.onMdesAttempt),
    mdesLimiter: new TokenBucket(config.mdesRatePerSecond, config.mdesBurst),
    mdesAttempts: config.mdesAttempts,
    pendingDoubtMinutes: config.pendingMinutes,
  };
}
