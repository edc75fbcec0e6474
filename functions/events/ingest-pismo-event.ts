import { loadBaseConfig, loadPismoWebhookConfig } from '../../shared/config';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { readSignedJsonBody } from '../../shared/adapters/http/json-body';
import { reportIngestOutcome } from '../../shared/events/report-outcome';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { createPismoWebhookVerifier } from '../../shared/adapters/pismo/webhook-auth';
import { createIngestDeps } from '../../shared/events/ingest-deps';
import { ingestPismoEvent } from '../../shared/events/ingest-pismo-event';

const config = loadBaseConfig();
const obs = createObservability('ingest-pismo-event');
const deps = createIngestDeps(config.tableName);
const verifyPismo = createPismoWebhookVerifier(loadPismoWebhookConfig(undefined, 'events'));

/** `POST /pismo/events`: one Pismo tokenization event delivered as a signed webhook. */
export const handler = httpHandler(obs, async (event) => {
  const body = await readSignedJsonBody(event, config.maxBodyBytes, verifyPismo);
  const outcome = await ingestPismoEvent(body, deps);
  reportIngestOutcome(obs, outcome, 'http');
  return {
    statusCode: outcome.outcome === 'applied' ? 202 : 200,
    body: {
      eventId: outcome.eventId,
      outcome: outcome.outcome,
      tokenId: outcome.tokenId,
      tokenStatus: outcome.tokenStatus ?? null,
      recognized: outcome.recognized,
    },
  };
});
