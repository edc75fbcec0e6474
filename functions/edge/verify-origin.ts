import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult } from 'aws-lambda';
import { ENV } from '../../shared/config';
import { ORIGIN_VERIFY_HEADER, originSecretFrom, originVerified } from '../../shared/edge/origin-verify';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { traced } from '../../shared/adapters/observability/tracer';

const obs = createObservability('verify-origin');
const secretId = process.env[ENV.originVerifySecretId];
if (!secretId) throw new Error(`${ENV.originVerifySecretId} is required`);
// The secret lives beside the distribution (us-east-1), not necessarily in this function's region.
const accepted = originSecretFrom(
  traced(new SecretsManagerClient({ region: process.env[ENV.originVerifySecretRegion] })),
  secretId,
);

/**
 * HTTP API REQUEST authorizer (simple responses) on the Pismo routes: allows a request only when its
 * `x-origin-verify` header is the secret CloudFront adds (docs/security/edge.md). API Gateway caches the
 * answer per header value. The header value is never logged; only the outcome is.
 */
export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<APIGatewaySimpleAuthorizerResult> {
  const presented = event.headers?.[ORIGIN_VERIFY_HEADER];
  const isAuthorized = originVerified(presented, await accepted());
  if (!isAuthorized) obs.logger.warn('origin verification refused', { routeKey: event.routeKey });
  return { isAuthorized };
}
