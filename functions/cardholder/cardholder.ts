import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig } from '../../shared/config';
import { NotFoundError } from '../../shared/domain/errors';
import { type HttpResult, httpHandler } from '../../shared/adapters/http/http-handler';
import { readJsonBody } from '../../shared/adapters/http/json-body';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import { cardholderAccountOf } from '../../shared/cardholder/identity';
import { actOnDigitalCard, type CardholderAction, listDigitalCards } from '../../shared/cardholder/digital-cards';
import type { CardholderDeps } from '../../shared/cardholder/ports';
import { createLifecycleDeps } from '../../shared/lifecycle/lifecycle-deps';
import { lifecycleCardholderActions } from './lifecycle-actions';
import { appToAppRoute } from './app-to-app';

const config = loadBaseConfig();
const obs = createObservability('cardholder');
// The issuer acts for its cardholder at MDES: the customer (CID) serving the token's organisation.
const lifecycle = createLifecycleDeps(obs, config)({ kind: 'issuer' });

const deps: CardholderDeps = {
  store: new DynamoTokenStore(config.tableName),
  actions: lifecycleCardholderActions(lifecycle),
};

/** One cardholder request: the caller's account (from the JWT), the route's parameters and body. */
export interface CardholderRequest {
  accountId: string;
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  /** The JSON body (`{}` when none was sent). */
  body: () => unknown;
}

const action = (name: CardholderAction) => async (r: CardholderRequest) => {
  const tokenId = parseIdParam('tokenId', r.event.pathParameters?.tokenId);
  const result = await actOnDigitalCard({ accountId: r.accountId, tokenId, action: name, body: r.body() }, deps);
  // The account and token ids only: never a body or a JWT.
  obs.logger.info('cardholder action', { action: name, tokenId, outcome: result.outcome, auditId: result.auditId });
  return { statusCode: 202, body: result };
};

/**
 * The route table: route key (as in infra/constructs/cardholder.ts `CARDHOLDER_ROUTES`) → its use
 * case. A new cardholder route is one line here (and one there).
 */
export const ROUTES: Record<string, (request: CardholderRequest) => Promise<HttpResult>> = {
  'GET /me/digital-cards': async (r) => ({ statusCode: 200, body: await listDigitalCards(r.accountId, deps) }),
  'POST /me/digital-cards/{tokenId}/turn-off': action('turn-off'),
  'POST /me/digital-cards/{tokenId}/turn-on': action('turn-on'),
  'POST /me/digital-cards/{tokenId}/remove': action('remove'),
  'POST /me/digital-cards/{tokenId}/activate': appToAppRoute(deps.store, lifecycle, obs),
};

/**
 * The cardholder API for the issuer's app (`/me/*`, the cardholder's JWT with scope `cardholder`):
 * the account is the JWT's subject; every id of the path is checked to be that account's by the use
 * case (404 otherwise).
 */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const jwt = event.requestContext.authorizer?.jwt;
  const accountId = cardholderAccountOf(jwt?.claims ?? {}, jwt?.scopes ?? []);
  const route = ROUTES[event.routeKey];
  if (!route) throw new NotFoundError(`unknown route ${event.routeKey}`);
  return route({ accountId, event, body: () => (event.body ? readJsonBody(event, config.maxBodyBytes) : {}) });
});
