import {
  loadBaseConfig,
  loadDecisionConfig,
  loadOptionalPismoApiConfig,
  loadPismoWebhookConfig,
} from '../../shared/config';
import { loadRuleSet } from '../../shared/decision/rule-sets';
import { AppError } from '../../shared/domain/errors';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { assertJsonContentType, header, parseJson, rawBody } from '../../shared/adapters/http/json-body';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { PismoAccountsClient } from '../../shared/adapters/pismo/accounts-client';
import { pismoClientSecretFrom } from '../../shared/adapters/pismo/client-secret';
import { createPismoWebhookVerifier } from '../../shared/adapters/pismo/webhook-auth';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import { DynamoReplayMemory } from '../../shared/adapters/dynamo/webhook-replay-store';
import {
  decideTokenization,
  type PismoDecisionResponse,
  recordRejectedRequest,
} from '../../shared/decision/decide-tokenization';

const config = loadBaseConfig();
const decision = loadDecisionConfig();
const obs = createObservability('decide-tokenization');
const store = new DynamoTokenStore(config.tableName);
const verifyPismo = createPismoWebhookVerifier(loadPismoWebhookConfig(undefined, 'decisions'));
// A bad rule set fails the cold start, never a request.
const liveRuleSet = loadRuleSet(decision.ruleSet);
const shadowRuleSet = decision.shadowRuleSet ? loadRuleSet(decision.shadowRuleSet) : undefined;
// Masked destinations for the methods offered come from Pismo's accounts API when it is configured.
const pismoApi = loadOptionalPismoApiConfig();
const contacts = pismoApi
  ? new PismoAccountsClient({
      baseUrl: pismoApi.baseUrl,
      clientId: pismoApi.clientId,
      clientSecret: pismoClientSecretFrom(pismoApi.clientSecretId),
      timeoutMs: decision.storeTimeoutMs,
    })
  : undefined;
const deps = {
  store,
  liveRuleSet,
  shadowRuleSet,
  failMode: decision.failMode,
  storeTimeoutMs: decision.storeTimeoutMs,
  contacts,
  replay: new DynamoReplayMemory<PismoDecisionResponse>(config.tableName),
};

/**
 * `POST /pismo/tokenization-decisions`: Pismo's synchronous anti-fraud webhook for card
 * tokenization. 401 for anything not signed by Pismo; 400/415 (recorded) for bodies that are not
 * JSON; otherwise always a decision, recorded with its reasons, rule-set version and latency.
 */
export const handler = httpHandler(obs, async (event) => {
  const bytes = rawBody(event, config.maxBodyBytes);
  const token = await verifyPismo(header(event, 'authorization'), bytes);
  let body: unknown;
  try {
    assertJsonContentType(event);
    body = parseJson(bytes);
  } catch (err) {
    if (err instanceof AppError) await recordRejectedRequest(err.message, deps);
    throw err;
  }
  const result = await decideTokenization(body, deps, token);
  if (result.replayed) {
    // Same token, same body: the first answer again, nothing decided or recorded twice.
    obs.metrics.addMetric('DecisionReplay', 'Count', 1);
    obs.logger.warn('replayed decision call answered with the first answer', {
      decisionId: result.response.decision_id,
      jtiSha256: token.replayKey,
    });
    return { statusCode: 200, body: result.response };
  }
  const { record } = result;
  obs.metrics.addMetric(`Decision${record.decision}`, 'Count', 1);
  obs.metrics.addMetric('DecisionLatency', 'Milliseconds', record.latencyMs);
  if (result.storeFailed) obs.metrics.addMetric('DecisionStoreFailure', 'Count', 1);
  if (result.replayMemoryFailed) obs.metrics.addMetric('DecisionReplayMemoryFailure', 'Count', 1);
  if (record.shadow && record.shadow.decision !== record.decision)
    obs.metrics.addMetric('ShadowDisagreement', 'Count', 1);
  const summary = {
    decisionId: record.decisionId,
    decision: record.decision,
    reasonCodes: record.reasonCodes,
    firedRules: record.firedRules.map((r) => r.id),
    waivedBy: record.waivedBy,
    ruleSetVersion: record.ruleSetVersion,
    shadowDecision: record.shadow?.decision,
    callMethod: record.callMethod,
    cardId: record.cardId,
    latencyMs: record.latencyMs,
    storeFailure: record.storeFailure,
    recordWrite: result.recordWrite,
    replayMemoryFailed: result.replayMemoryFailed || undefined,
  };
  if (result.recordWrite === 'written') obs.logger.info('tokenization decision', summary);
  else if (result.recordWrite === 'failed') {
    // The log line is the record of last resort when the table refused the write.
    obs.metrics.addMetric('DecisionRecordFailure', 'Count', 1);
    obs.logger.error('decision not recorded in the store: the write failed', summary);
  } else {
    // Not "not recorded": the write was still in flight at the budget and carries on. Its real outcome
    // is logged when it settles (in this invocation or, once Lambda thaws the container, a later one).
    obs.metrics.addMetric('DecisionRecordPending', 'Count', 1);
    obs.logger.warn('decision answered before its record was written: recording continued past the timeout', summary);
    void result.recordSettled.then((outcome) => {
      if (outcome === 'written') obs.logger.info('decision record written after the timeout', summary);
      else {
        obs.metrics.addMetric('DecisionRecordFailure', 'Count', 1);
        obs.logger.error('decision not recorded in the store: the write failed after the timeout', summary);
      }
    });
  }
  return { statusCode: 200, body: result.response };
});
