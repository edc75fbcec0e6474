import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig } from '../../shared/config';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import type { Officer } from '../../shared/domain/audit';
import type { LifecycleAction } from '../../shared/domain/lifecycle-actions';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { readJsonBody } from '../../shared/adapters/http/json-body';
import { allowedCustomersOf, officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { createLifecycleDeps } from '../../shared/lifecycle/lifecycle-deps';
import { performCardAction, performTokenAction, suspendDevice } from '../../shared/lifecycle/lifecycle';

const config = loadBaseConfig();
const obs = createObservability('lifecycle');
const depsFor = createLifecycleDeps(obs, config);
const claimName = officerCustomersClaim();

/** The officer from the JWT: `sub` and `name` (the use case answers 400 naming a missing one). */
function officerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): Partial<Officer> {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  return { userId: text(claims.sub), userName: text(claims.name) };
}

const TOKEN_ACTIONS: Record<string, LifecycleAction> = {
  suspend: 'suspend',
  resume: 'resume',
  delete: 'delete',
  activate: 'activate',
  'approve-device-binding': 'approveDeviceBinding',
};
const CARD_ACTIONS = { suspend: 'suspend', resume: 'resume', delete: 'delete' } as const;

/**
 * The lifecycle API (scope `tokens:write`): `POST /tokens/{tokenId}/{suspend|resume|delete|activate|
 * approve-device-binding}`, `POST /cards/{cardId}/tokens/{suspend|resume|delete}` and
 * `POST /devices/tokens/suspend`. The officer comes from the JWT.
 */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const officer = officerOf(event);
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const allowed = allowedCustomersOf(claims, claimName);
  // The officer acts only for the MDES customers its JWT allows.
  const deps = depsFor({ kind: 'officer', allowed, claimName });
  const body = event.body ? readJsonBody(event, config.maxBodyBytes) : {};
  const [, kind, , third, fourth] = event.routeKey.split(' ')[1]?.split('/') ?? [];
  if (kind === 'tokens') {
    const action = TOKEN_ACTIONS[third ?? ''];
    if (!action) throw new NotFoundError(`unknown route ${event.routeKey}`);
    const tokenId = parseIdParam('tokenId', event.pathParameters?.tokenId);
    const result = await performTokenAction({ tokenId, action, body, officer }, deps);
    obs.logger.info('lifecycle action', {
      action,
      tokenId,
      route: result.route,
      outcome: result.outcome,
      userId: officer.userId,
      auditId: result.auditId,
    });
    return { statusCode: 202, body: result };
  }
  if (kind === 'cards') {
    const action = CARD_ACTIONS[(fourth ?? '') as keyof typeof CARD_ACTIONS];
    if (!action) throw new NotFoundError(`unknown route ${event.routeKey}`);
    const cardId = event.pathParameters?.cardId ?? '';
    if (!/^[1-9]\d{0,18}$/.test(cardId)) throw new ValidationError('cardId must be a Pismo card id (1-19 digits)');
    const result = await performCardAction({ cardId, action, body, officer }, deps);
    obs.logger.info('lifecycle card action', {
      action,
      cardId,
      userId: officer.userId,
      results: result.results.map((r) => r.result),
    });
    return { statusCode: 200, body: result };
  }
  if (kind === 'devices') {
    const result = await suspendDevice({ body, officer }, deps);
    obs.logger.info('lifecycle device suspend', {
      userId: officer.userId,
      results: result.results.map((r) => r.result),
    });
    return { statusCode: 200, body: result };
  }
  throw new NotFoundError(`unknown route ${event.routeKey}`);
});
