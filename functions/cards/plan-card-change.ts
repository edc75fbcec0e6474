import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadBaseConfig, loadCardPolicyConfig } from '../../shared/config';
import type { CardChange } from '../../shared/domain/card';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import type { PanUpdateFailureInput } from '../../shared/adapters/aws/card-lifecycle-workflow';
import { planCardChange } from '../../shared/cards/plan-card-change';
import { planTransferRetry } from '../../shared/cards/transfer-retry';
import { loadCardPolicy } from '../../shared/cards/policy';
import type { TokenUnit } from '../../shared/cards/ports';

const config = loadBaseConfig();
const obs = createObservability('plan-card-change');
const store = new DynamoTokenStore(config.tableName);
const policyConfig = loadCardPolicyConfig();
// A bad policy fails the cold start, never an event.
const policy = loadCardPolicy(policyConfig.name, policyConfig.mode);

type Output = { cardId: string; cardEventId: string; mode: string; units: TokenUnit[] };

/** A pan_update FAILURE: the policy's one transfer retry, or none (shared/cards/transfer-retry.ts). */
async function planFailure(failure: PanUpdateFailureInput): Promise<Output> {
  const { plan, created, units, why } = await planTransferRetry(failure, { store, policy });
  if (units.length) obs.metrics.addMetric('TokenTransferRetriesPlanned', 'Count', 1);
  obs.logger.info('pan_update failure plan', {
    oldCardId: failure.oldCardId,
    newCardId: failure.newCardId,
    eventId: failure.eventId,
    policyVersion: policy.version,
    created,
    retry: units.length > 0,
    why,
  });
  return { cardId: failure.oldCardId, cardEventId: plan?.cardEventId ?? failure.eventId, mode: policy.mode, units };
}

/**
 * Card lifecycle workflow, first step: the plan of one card change, stored before anything acts
 * (or, for a pan_update FAILURE, the plan of the transfer retry). The fan-out port is the workflow's
 * Map: the units are this step's output, one iteration each.
 */
export const handler = middy<CardChange | PanUpdateFailureInput, Output>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .use(logMetrics(obs.metrics))
  .handler(async (input) => {
    if ('kind' in input && input.kind === 'pan-update-failure') return planFailure(input);
    const change = input as CardChange;
    const units: TokenUnit[] = [];
    const { plan, created } = await planCardChange(change, {
      store,
      policy,
      fanOut: { enqueue: async (u) => void units.push(...u) },
    });
    obs.metrics.addMetric(plan.mode === 'shadow' ? 'CardPlansShadow' : 'CardPlans', 'Count', created ? 1 : 0);
    obs.logger.info('card plan', {
      cardId: plan.cardId,
      cardEventId: plan.cardEventId,
      cardStatus: plan.cardStatus,
      policyVersion: plan.policyVersion,
      mode: plan.mode,
      created,
      actions: plan.actions.length,
      skipped: plan.skipped.length,
    });
    return { cardId: plan.cardId, cardEventId: plan.cardEventId, mode: plan.mode, units };
  });
