import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { ENV, loadBaseConfig } from '../../shared/config';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { claimsOf, officerOf } from '../../shared/adapters/http/officer';
import { allowedCustomersOf, officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { MdesTokenLifecycle } from '../../shared/adapters/mdes/token-lifecycle';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import { resendChallenge } from '../../shared/idv/idv-steps';
import { StepFunctionsIdvWorkflow } from '../../shared/adapters/aws/idv-workflow';

const config = loadBaseConfig();
const obs = createObservability('resend-challenge');
const customersClaim = officerCustomersClaim();
const deps = {
  store: new DynamoTokenStore(config.tableName),
  workflow: new StepFunctionsIdvWorkflow(process.env[ENV.idvStateMachineArn] ?? ''),
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
