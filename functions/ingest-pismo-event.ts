import { loadBaseConfig } from '../shared/config';
import { httpHandler } from '../shared/http/http-handler';
import { readJsonBody } from '../shared/http/json-body';
import { reportIngestOutcome } from '../shared/observability/ingest-report';
import { createObservability } from '../shared/observability/powertools';
import { DynamoTokenStore } from '../shared/store/token-store';
import { ingestPismoEvent } from '../shared/use-cases/ingest-pismo-event';

const config = loadBaseConfig();
const obs = createObservability('ingest-pismo-event');
const store = new DynamoTokenStore(config.tableName);

/** `POST /pismo/events`: one Pismo tokenization event delivered as a webhook. */
export const handler = httpHandler(obs, async (event) => {
  const outcome = await ingestPismoEvent(readJsonBody(event, config.maxBodyBytes), { store });
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
