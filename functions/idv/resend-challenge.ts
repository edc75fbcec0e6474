import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig, loadIdvStateMachineArn } from '../../shared/config';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { claimsOf, officerOf } from '../../shared/adapters/http/officer';
import { allowedCustomersOf, officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { MdesTokenLifecycle } from '../../shared/adapters/mdes/token-lifecycle';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import { resendChallenge } from '../../shared/idv/idv-steps';
import { type IdvWorkflowPort, StepFunctionsIdvWorkflow } from '../../shared/adapters/aws/idv-workflow';

const config = loadBaseConfig();
const obs = createObservability('resend-challenge');
const customersClaim = officerCustomersClaim();
const stateMachineArn = loadIdvStateMachineArn();
/** Without a state machine (ingestion-only local runs) a redelivery cannot start. */
const NO_WORKFLOW: IdvWorkflowPort = {
  start: () => Promise.reject(new Error('no ID&V state machine is configured: redelivery cannot start')),
  resume: () => Promise.resolve(false),
};
const deps = {
  store: new DynamoTokenStore(config.tableName),
  workflow: stateMachineArn ? new StepFunctionsIdvWorkflow(stateMachineArn) : NO_WORKFLOW,
  mdes: new MdesTokenLifecycle(),
};

/** `POST /tokens/{tokenId}/challenges/{challengeId}/resend` (scope `tokens:write`); the officer comes from the JWT. */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const tokenId = parseIdParam('tokenId', event.pathParameters?.tokenId);
  const challengeId = parseIdParam('challengeId', event.pathParameters?.challengeId, 80);
  const { userId, userName } = officerOf(event);
  const allowedCustomers = allowedCustomersOf(claimsOf(event), customersClaim);
  const result = await resendChallenge(
    { tokenId, challengeId, userId, userName, allowedCustomers, customersClaim },
    deps,
  );
  obs.logger.info('challenge resend', { tokenId, challengeId, userId, action: result.action });
  return { statusCode: 202, body: result };
});
