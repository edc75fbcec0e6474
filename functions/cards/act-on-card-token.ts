import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadBaseConfig, loadLifecycleConfig } from '../../shared/config';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import { actOnToken, recordExhaustedUnit, type UnitOutcome } from '../../shared/cards/act-on-token';
import type { TokenUnit } from '../../shared/cards/ports';
import { createLifecycleDeps } from '../../shared/lifecycle/lifecycle-deps';
import { pismoClientSecretFrom } from '../../shared/adapters/pismo/client-secret';
import { PismoTokenOperationsClient } from '../../shared/adapters/pismo/token-operations';
import { LifecycleTokenActions } from './lifecycle-token-actions';
import { PismoTokenTransfer } from './pismo-token-transfer';

const config = loadBaseConfig();
const obs = createObservability('act-on-card-token');
const store = new DynamoTokenStore(config.tableName);

/**
 * The policy's actions go through the token lifecycle use case (the one door for acting on tokens,
 * docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md). The policy acts for the issuer
 * itself: no JWT, the MDES customer serving the token's organisation.
 */
const lifecycleDeps = createLifecycleDeps(obs, config)({ kind: 'issuer' });
const actions = new LifecycleTokenActions(lifecycleDeps);

/** The one retry of a failed reissue transfer (a pan_update FAILURE's plan): Pismo's "transfer tokens". */
const lifecycle = loadLifecycleConfig();
const transfer = new PismoTokenTransfer(
  new PismoTokenOperationsClient({
    baseUrl: lifecycle.pismoTokenizationUrl,
    authUrl: lifecycle.pismoAuthUrl,
    clientId: lifecycle.pismoClientId,
    clientSecret: pismoClientSecretFrom(lifecycle.pismoClientSecretId),
    onAttempt: () => obs.metrics.addMetric('PismoCalls', 'Count', 1),
  }),
  (cardId) => lifecycleDeps.pismo.accountOfCard(cardId),
);

/** A unit of the workflow's Map, or (the Map's catch) a unit whose retries are exhausted, with the error. */
type Input = TokenUnit & { error?: { Error?: string } };

/**
 * Card lifecycle workflow, one token: the plan's action on it (act-on-token.ts). A throw is retried by
 * the workflow with backoff; once exhausted, the catch calls this again with the error to record it.
 */
export const handler = middy<Input, UnitOutcome | { outcome: 'exhausted' }>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .use(logMetrics(obs.metrics))
  .handler(async (input) => {
    const unit: TokenUnit = { cardId: input.cardId, cardEventId: input.cardEventId, tokenId: input.tokenId };
    if (input.error) {
      await recordExhaustedUnit(unit, input.error.Error ?? 'Error', { store });
      obs.metrics.addMetric('CardTokenActionsExhausted', 'Count', 1);
      obs.logger.error('card token action exhausted its retries', { ...unit, error: input.error.Error });
      return { outcome: 'exhausted' };
    }
    const outcome = await actOnToken(unit, { store, actions, transfer });
    const transferUnit = 'action' in outcome && outcome.action === 'transfer';
    if (outcome.outcome === 'done')
      obs.metrics.addMetric(transferUnit ? 'TokenTransferRetries' : 'CardTokenActionsDone', 'Count', 1);
    if (outcome.outcome === 'refused')
      obs.metrics.addMetric(transferUnit ? 'TokenTransferRetriesRefused' : 'CardTokenActionsRefused', 'Count', 1);
    obs.logger.info('card token action', { ...unit, outcome: outcome.outcome });
    return outcome;
  });
