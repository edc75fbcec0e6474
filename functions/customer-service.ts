import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { ENV, loadBaseConfig } from '../shared/config';
import { NotFoundError, ValidationError } from '../shared/domain/errors';
import { httpHandler } from '../shared/http/http-handler';
import { readJsonBody } from '../shared/http/json-body';
import { MdesConnections, parseMdesCustomers, UnknownCustomerError } from '../shared/mdes/customers';
import { createObservability } from '../shared/observability/powertools';
import { DynamoTokenStore } from '../shared/store/token-store';
import {
  type CustomerServiceDeps,
  type Officer,
  runTokenOperation,
  searchTokens,
  systemStatus,
  TOKEN_OPERATIONS,
  type TokenOperation,
  type TokenRef,
  updateAccountTokens,
} from '../shared/use-cases/customer-service';

const config = loadBaseConfig();
const obs = createObservability('customer-service');
const connections = new MdesConnections(parseMdesCustomers(process.env[ENV.mdesCustomers]), {
  // Never the body: it may hold a PAN.
  onAttempt: (a) => {
    obs.metrics.addMetric('MdesCalls', 'Count', 1);
    obs.metrics.addMetric('MdesLatency', 'Milliseconds', a.durationMs);
    if (a.status === 'timeout' || a.status === 'network' || a.status >= 500)
      obs.metrics.addMetric('MdesFailures', 'Count', 1);
    obs.logger.info('mdes call', { ...a, durationMs: Math.round(a.durationMs) });
  },
});
const deps: CustomerServiceDeps = {
  store: new DynamoTokenStore(config.tableName),
  connection: (customerId) => {
    try {
      return connections.get(customerId);
    } catch (err) {
      if (err instanceof UnknownCustomerError) throw new ValidationError(err.message);
      throw err;
    }
  },
};

const TOKEN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TUR = /^[A-Za-z0-9]{9,48}$/;
const CUSTOMER = /^[A-Za-z0-9_-]{1,64}$/;

function officerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): Officer {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const userId = String(claims.sub ?? '');
  if (!userId) throw new ValidationError('the token names no user (sub): MDES requires the acting officer');
  return { userId: userId.slice(0, 50), userName: String(claims.name ?? userId).slice(0, 200) };
}

function customerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): string | undefined {
  const customer = event.queryStringParameters?.customer;
  if (customer !== undefined && !CUSTOMER.test(customer))
    throw new ValidationError('customer must be 1-64 of [A-Za-z0-9_-]');
  return customer;
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
  let ref: TokenRef;
  if (params.tokenId !== undefined) {
    if (!TOKEN_ID.test(params.tokenId)) throw new ValidationError('tokenId must be 1-64 of [A-Za-z0-9_-]');
    ref = { tokenId: params.tokenId };
  } else {
    if (!TUR.test(params.tur ?? '')) throw new ValidationError('tur must be 9-48 letters and digits');
    ref = { tur: params.tur ?? '' };
  }
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
