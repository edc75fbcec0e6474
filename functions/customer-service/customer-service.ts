import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig, loadMdesCustomersJson } from '../../shared/config';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { readJsonBody } from '../../shared/adapters/http/json-body';
import { customerServesOrg, MdesConnections, parseMdesCustomers } from '../../shared/adapters/mdes/customers';
import { parseIdParam, parseTurParam } from '../../shared/adapters/mdes/identifiers';
import { CustomerNotAllowedError } from '../../shared/adapters/http/errors';
import { claimsOf, officerOf } from '../../shared/adapters/http/officer';
import { allowedCustomersOf, officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { DynamoTokenStore } from '../../shared/adapters/dynamo/token-store';
import {
  type CustomerServiceDeps,
  type MdesCustomerConnection,
  runTokenOperation,
  searchTokens,
  systemStatus,
  TOKEN_OPERATIONS,
  type TokenOperation,
  type TokenRef,
  updateAccountTokens,
} from '../../shared/customer-service/customer-service';

const config = loadBaseConfig();
const obs = createObservability('customer-service');
const connections = new MdesConnections(parseMdesCustomers(loadMdesCustomersJson()), {
  // Never the body: it may hold a PAN.
  onAttempt: (a) => {
    obs.metrics.addMetric('MdesCalls', 'Count', 1);
    obs.metrics.addMetric('MdesLatency', 'Milliseconds', a.durationMs);
    if (a.status === 'timeout' || a.status === 'network' || a.status >= 500)
      obs.metrics.addMetric('MdesFailures', 'Count', 1);
    obs.logger.info('mdes call', { ...a, durationMs: Math.round(a.durationMs) });
  },
});
const claimName = officerCustomersClaim();
const deps: CustomerServiceDeps = {
  store: new DynamoTokenStore(config.tableName),
  servesToken: (customerId, orgId) => {
    const customer = connections.customers.find((c) => c.customerId === customerId);
    return customer !== undefined && customerServesOrg(customer, connections.customers, orgId);
  },
  onTurCollision: ({ tur, tokenIds }) => {
    obs.logger.warn('TUR collision: several tokens carry one Token Unique Reference', { tur, tokenIds });
    obs.metrics.addMetric('TurCollisions', 'Count', 1);
  },
  // The real MDES port: the signed client of the customer (an unknown customer is a 400 UnknownCustomerError).
  connection: (customerId): MdesCustomerConnection => {
    const { customer, client } = connections.get(customerId);
    return { customer, client };
  },
};

const CUSTOMER = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The MDES customer the request acts for (`?customer=`, else the default one), which must be one
 * the officer's token allows: a processor's staff of one issuer never act on another issuer's tokens.
 */
function customerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): string {
  const requested = event.queryStringParameters?.customer;
  if (requested !== undefined && !CUSTOMER.test(requested))
    throw new ValidationError('customer must be 1-64 of [A-Za-z0-9_-]');
  const customerId = requested ?? connections.customers[0]?.customerId ?? '';
  if (!connections.customers.some((c) => c.customerId === customerId))
    throw new ValidationError(`unknown MDES customer ${customerId}`);
  const allowed = allowedCustomersOf(claimsOf(event), claimName);
  if (!allowed.includes(customerId)) throw new CustomerNotAllowedError(customerId, claimName);
  return customerId;
}

function objectBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): Record<string, unknown> {
  if (!event.body) return {};
  const body = readJsonBody(event, config.maxBodyBytes);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('the body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * The internal Customer Service API over MDES (scopes: GET `tokens:read`, POST `tokens:write`,
 * search `tokens:read`). The officer comes from the JWT and becomes MDES `AuditInfo`.
 */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const officer = officerOf(event);
  const customerId = customerOf(event);
  if (event.routeKey === 'GET /cs/system-status')
    return { statusCode: 200, body: await systemStatus(customerId, deps) };
  if (event.routeKey === 'POST /cs/search') {
    const result = await searchTokens({ criteria: objectBody(event), officer, customerId }, deps);
    obs.logger.info('cs search', { userId: officer.userId, found: result.tokens.length });
    return { statusCode: 200, body: result };
  }
  if (event.routeKey === 'POST /cs/accounts/update') {
    const result = await updateAccountTokens({ params: objectBody(event), officer, customerId }, deps);
    obs.logger.info('cs account update', {
      userId: officer.userId,
      updated: result.updated.length,
      auditId: result.auditId,
    });
    return { statusCode: 200, body: result };
  }
  const params = event.pathParameters ?? {};
  const operation = params.operation ?? '';
  if (!(operation in TOKEN_OPERATIONS))
    throw new NotFoundError(
      `unknown operation '${operation.slice(0, 40)}'; one of ${Object.keys(TOKEN_OPERATIONS).join(', ')}`,
    );
  const op = operation as TokenOperation;
  const isWrite = event.requestContext.http.method === 'POST';
  if (TOKEN_OPERATIONS[op].write !== isWrite)
    throw new ValidationError(`${op} is a ${TOKEN_OPERATIONS[op].write ? 'POST' : 'GET'} operation`);
  const ref: TokenRef =
    params.tokenId !== undefined
      ? { tokenId: parseIdParam('tokenId', params.tokenId) }
      : { tur: parseTurParam(params.tur) };
  const result = await runTokenOperation(
    { ref, operation: op, officer, params: isWrite ? objectBody(event) : {}, customerId },
    deps,
  );
  obs.logger.info('cs operation', {
    operation: op,
    userId: officer.userId,
    tokenId: result.tokenId,
    tur: result.tokenUniqueReference,
    auditId: result.auditId,
  });
  return { statusCode: 200, body: result };
});
