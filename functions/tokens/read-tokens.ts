import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig, loadCursorKeySecretId } from '../../shared/config';
import { ValidationError } from '../../shared/domain/errors';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { cursorKeyFromSecret } from '../../shared/adapters/dynamo/cursor';
import { DynamoTokenStore, InvalidCursorError } from '../../shared/adapters/dynamo/token-store';
import { getTokenWithTimeline, listChallengesOfToken, listTokensOfCard } from '../../shared/tokens/read-tokens';

const config = loadBaseConfig();
const obs = createObservability('read-tokens');
const cursorSecretId = loadCursorKeySecretId();
// The deployment's cursor key (a generated secret, read once); without it (tests), a per-process key.
const store = new DynamoTokenStore(config.tableName, undefined, {
  cursorKey: cursorSecretId ? cursorKeyFromSecret(cursorSecretId) : undefined,
});

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const CURSOR = /^[A-Za-z0-9_.-]{1,2200}$/;

function param(value: string | undefined, name: string, pattern: RegExp): string {
  if (!value || !pattern.test(value)) throw new ValidationError(`${name} is required and must match ${pattern.source}`);
  return value;
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new ValidationError('limit must be an integer from 1 to 200');
  return n;
}

function cursorOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : param(value, 'cursor', CURSOR);
}

/** `GET /tokens?cardId=…`, `GET /tokens/{tokenId}` and `GET /tokens/{tokenId}/challenges` (scope `tokens:read`). */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const query = event.queryStringParameters ?? {};
  const limit = limitOf(query.limit);
  try {
    if (event.routeKey === 'GET /tokens/{tokenId}/challenges') {
      return {
        statusCode: 200,
        body: await listChallengesOfToken(store, parseIdParam('tokenId', event.pathParameters?.tokenId)),
      };
    }
    if (event.routeKey === 'GET /tokens/{tokenId}') {
      const tokenId = parseIdParam('tokenId', event.pathParameters?.tokenId);
      return { statusCode: 200, body: await getTokenWithTimeline(store, tokenId, limit, cursorOf(query.cursor)) };
    }
    const cardId = param(query.cardId, 'cardId', ID);
    return { statusCode: 200, body: await listTokensOfCard(store, cardId, limit, cursorOf(query.cursor)) };
  } catch (err) {
    if (err instanceof InvalidCursorError)
      throw new ValidationError(`cursor refused: ${err.reason}; use the nextCursor of the same query`);
    throw err;
  }
});
