import {
  loadBaseConfig,
  loadCardLifecycleStateMachineArn,
  loadIdvStateMachineArn,
  loadOtpKeyArn,
  loadPismoWebhookConfig,
} from '../../shared/config';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { readSignedJsonBody } from '../../shared/adapters/http/json-body';
import { reportIngestOutcome } from '../../shared/events/report-outcome';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { createPismoWebhookVerifier } from '../../shared/adapters/pismo/webhook-auth';
import { KmsOtpSealer } from '../../shared/adapters/aws/otp-sealer';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import { ingestPismoEvent } from '../../shared/events/ingest-pismo-event';
import { StepFunctionsIdvWorkflow } from '../../shared/adapters/aws/idv-workflow';
import { StepFunctionsCardChanges } from '../../shared/adapters/aws/card-lifecycle-workflow';

const config = loadBaseConfig();
const obs = createObservability('ingest-pismo-event');
const store = new DynamoTokenStore(config.tableName);
const stateMachineArn = loadIdvStateMachineArn();
// Without a state machine, challenges are stored and no delivery starts (see loadIdvStateMachineArn).
const workflow = stateMachineArn ? new StepFunctionsIdvWorkflow(stateMachineArn) : undefined;
const otpSealer = new KmsOtpSealer(loadOtpKeyArn());
// Card status changes go to the card lifecycle workflow (issue 14); without it, the card is only stored.
const cardLifecycleArn = loadCardLifecycleStateMachineArn();
const cardChanges = cardLifecycleArn ? new StepFunctionsCardChanges(cardLifecycleArn) : undefined;
const verifyPismo = createPismoWebhookVerifier(loadPismoWebhookConfig(undefined, 'events'));

/** `POST /pismo/events`: one Pismo tokenization event delivered as a signed webhook. */
export const handler = httpHandler(obs, async (event) => {
  const body = await readSignedJsonBody(event, config.maxBodyBytes, verifyPismo);
  const outcome = await ingestPismoEvent(body, { store, workflow, otpSealer, cardChanges });
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
