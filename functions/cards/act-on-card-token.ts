import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadBaseConfig } from '../../shared/config';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import { actOnToken, recordExhaustedUnit, type UnitOutcome } from '../../shared/cards/act-on-token';
import type { TokenActionRequest, TokenActionResult, TokenActions, TokenUnit } from '../../shared/cards/ports';

const config = loadBaseConfig();
const obs = createObservability('act-on-card-token');
const store = new DynamoTokenStore(config.tableName);

/**
 * NOT CONNECTED YET. The {@link TokenActions} port is to be implemented by the network-neutral token
 * lifecycle use case (issue 13: suspend/resume/delete through Pismo or MDES, audited), which is not on
 * this branch. Until it is wired here, every action is refused with this reason, recorded on the
 * token's timeline ("suspend refused: not connected…"): nothing reaches Pismo or MDES.
 */
class NotConnectedTokenActions implements TokenActions {
  private refuse(request: TokenActionRequest): Promise<TokenActionResult> {
    obs.logger.warn('token action not sent: the lifecycle use case is not connected', {
      tokenId: request.tokenId,
      action: request.action,
      cardEventId: request.cardEventId,
    });
    return Promise.resolve({ outcome: 'refused', detail: 'not connected to the token lifecycle use case (issue 13)' });
  }
  suspend(request: TokenActionRequest) {
    return this.refuse(request);
  }
  resume(request: TokenActionRequest) {
    return this.refuse(request);
  }
  delete(request: TokenActionRequest) {
    return this.refuse(request);
  }
}
const actions = new NotConnectedTokenActions();

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
    const outcome = await actOnToken(unit, { store, actions });
    if (outcome.outcome === 'done') obs.metrics.addMetric('CardTokenActionsDone', 'Count', 1);
    if (outcome.outcome === 'refused') obs.metrics.addMetric('CardTokenActionsRefused', 'Count', 1);
    obs.logger.info('card token action', { ...unit, outcome: outcome.outcome });
    return outcome;
  });
