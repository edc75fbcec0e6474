import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { HttpResult } from '../../shared/adapters/http/http-handler';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import type { Observability } from '../../shared/adapters/observability/powertools';
import { activateDigitalCard } from '../../shared/cardholder/activate';
import type { CardholderDeps } from '../../shared/cardholder/ports';
import { activateByApp } from '../../shared/lifecycle/app-to-app';
import type { LifecycleDeps } from '../../shared/lifecycle/ports';

/**
 * The cardholder route `POST /me/digital-cards/{tokenId}/activate` (app-to-app ID&V): the use case
 * (shared/cardholder/activate.ts) with the lifecycle's app-to-app activation as its port (the one door
 * for token actions, docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md).
 */
export function appToAppRoute(store: CardholderDeps['store'], lifecycle: LifecycleDeps, obs: Observability) {
  const activation = {
    activate: ({ tokenId, officer }: { tokenId: string; officer: Parameters<typeof activateByApp>[0]['actor'] }) =>
      activateByApp({ tokenId, actor: officer }, lifecycle),
  };
  return async (r: {
    accountId: string;
    event: APIGatewayProxyEventV2WithJWTAuthorizer;
    body: () => unknown;
  }): Promise<HttpResult> => {
    const tokenId = parseIdParam('tokenId', r.event.pathParameters?.tokenId);
    const result = await activateDigitalCard(
      { accountId: r.accountId, tokenId, body: r.body() },
      { store, activation },
    );
    // Ids and the outcome only: never a body, a code or a JWT.
    obs.logger.info('cardholder app-to-app activation', { tokenId, outcome: result.outcome, auditId: result.auditId });
    return { statusCode: 202, body: result };
  };
}
