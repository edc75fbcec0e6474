import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig, loadLifecycleConfig } from '../../shared/config';
import { AppError, NotFoundError, ValidationError } from '../../shared/domain/errors';
import type { Officer } from '../../shared/domain/audit';
import type { LifecycleAction } from '../../shared/domain/lifecycle-actions';
import { csStatusOfCode } from '../../shared/domain/status-rules';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { readJsonBody } from '../../shared/adapters/http/json-body';
import { CustomerNotAllowedError } from '../../shared/adapters/http/errors';
import { allowedCustomersOf, officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { customerServesOrg, lazyConnections } from '../../shared/adapters/mdes/customers';
import type { RequestOf } from '../../shared/adapters/mdes/contract';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { PismoAccountsClient } from '../../shared/adapters/pismo/accounts-client';
import { pismoClientSecretFrom } from '../../shared/adapters/pismo/client-secret';
import { PismoTokenOperationsClient } from '../../shared/adapters/pismo/token-operations';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import type { LifecycleDeps, MdesLifecyclePort, PismoLifecyclePort } from '../../shared/lifecycle/ports';
import { performCardAction, performTokenAction, suspendDevice } from '../../shared/lifecycle/lifecycle';

const config = loadBaseConfig();
const lifecycle = loadLifecycleConfig();
const obs = createObservability('lifecycle');
const clientSecret = pismoClientSecretFrom(lifecycle.pismoClientSecretId);
const operations = new PismoTokenOperationsClient({
  baseUrl: lifecycle.pismoTokenizationUrl,
  authUrl: lifecycle.pismoAuthUrl,
  clientId: lifecycle.pismoClientId,
  clientSecret,
  // Never a body or an id: operation, attempt, status, duration.
  onAttempt: (a) => {
    obs.metrics.addMetric('PismoCalls', 'Count', 1);
    obs.metrics.addMetric('PismoLatency', 'Milliseconds', a.durationMs);
    if (a.status === 'timeout' || a.status === 'network' || a.status >= 500)
      obs.metrics.addMetric('PismoFailures', 'Count', 1);
    obs.logger.info('pismo call', { ...a, durationMs: Math.round(a.durationMs) });
  },
});
const accounts = new PismoAccountsClient({
  baseUrl: lifecycle.pismoAuthUrl,
  clientId: lifecycle.pismoClientId,
  clientSecret,
});
const pismo: PismoLifecyclePort = {
  performTokenOperation: (ref, input) => operations.performTokenOperation(ref, input),
  performCardTokenOperation: (ref, input) => operations.performCardTokenOperation(ref, input),
  getCardTokens: (ref) => operations.getCardTokens(ref),
  accountOfCard: (cardId) => accounts.accountOf({ cardId }),
};
const connections = lazyConnections();
const store = new DynamoTokenStore(config.tableName);
const claimName = officerCustomersClaim();

/**
 * MDES Customer Service for a token of Pismo organisation `orgId`: the customer (CID) serving it,
 * which the officer's token must allow (a processor's staff never act for another issuer).
 */
function mdesFor(orgId: string | undefined, allowed: readonly string[]): MdesLifecyclePort {
  const all = connections().customers;
  const customer = all.find((c) => customerServesOrg(c, all, orgId));
  if (!customer)
    throw new AppError(`no MDES customer serves organisation ${orgId ?? '(none)'}`, 'conflict', { expose: true });
  if (!allowed.includes(customer.customerId)) throw new CustomerNotAllowedError(customer.customerId, claimName);
  const { client } = connections().get(customer.customerId);
  const auditInfo = (officer: Officer) => ({
    UserId: officer.userId,
    UserName: officer.userName,
    Organization: customer.organization,
  });
  return {
    customerId: customer.customerId,
    lookup: async (tur, officer) => {
      const found = (
        await client.search({ TokenUniqueReference: tur, AuditInfo: auditInfo(officer) })
      ).body.SearchResponse?.Accounts?.Account?.flatMap((a) => a.Tokens?.Token ?? []).find(
        (t) => t.TokenUniqueReference === tur,
      );
      return found
        ? { status: csStatusOfCode(found.CurrentStatusCode), suspenders: found.Suspenders?.Suspender ?? [] }
        : undefined;
    },
    perform: async (operation, request) => {
      const body = {
        TokenUniqueReference: request.tur,
        ReasonCode: request.reasonCode,
        ...(request.comment ? { CommentText: request.comment } : {}),
        AuditInfo: auditInfo(request.officer),
      } as RequestOf<typeof operation>;
      const result = await client.call(operation, body);
      return { confirmedBySearch: result.confirmedBySearch };
    },
  };
}

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
  const deps: LifecycleDeps = {
    store,
    pismo,
    mdes: (orgId) => mdesFor(orgId, allowed),
    pismoMastercardPrograms: lifecycle.pismoMastercardPrograms,
  };
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
