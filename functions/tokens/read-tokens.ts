import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig, loadCursorKeySecretId } from '../../shared/config';
import { ValidationError } from '../../shared/domain/errors';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { cursorKeyFromSecret } from '../../shared/adapters/dynamo/cursor';
import { DynamoTokenStore, InvalidCursorError } from '../../shared/adapters/dynamo/token-store';
import {
  getTimelinePage,
  getTokenWithTimeline,
  listChallengesOfToken,
  listTokensOfCard,
} from '../../shared/tokens/read-tokens';
import { getCardView } from '../../shared/tokens/card-view';
import { idQueryOf, searchByIdentifier } from '../../shared/tokens/id-search';
import { dayRangeOf, decisionStatsOfPeriod, listDecisionsOfPeriod } from '../../shared/tokens/decisions';
import { keyExpiryView } from '../../shared/tokens/key-expiry';
import { parseTurParam } from '../../shared/adapters/mdes/identifiers';

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

/** Only these query parameters (a PAN, or anything else, never rides along in a URL unnoticed). */
function onlyParams(query: Record<string, string | undefined>, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new ValidationError(`unknown query parameter(s): ${unknown.join(', ')}`);
}

/**
 * The routes the console added to the read API (issue 15, docs/flows/tokens.md): a token's timeline
 * by page, a card's view, search by identifier, decisions of a period and their statistics, key expiry.
 */
async function consoleRead(event: APIGatewayProxyEventV2WithJWTAuthorizer, query: Record<string, string | undefined>) {
  switch (event.routeKey) {
    case 'GET /tokens/{tokenId}/timeline': {
      onlyParams(query, ['limit', 'cursor']);
      const tokenId = parseIdParam('tokenId', event.pathParameters?.tokenId);
      return getTimelinePage(store, tokenId, limitOf(query.limit), cursorOf(query.cursor));
    }
    case 'GET /cards/{cardId}':
      onlyParams(query, []);
      return getCardView(store, parseIdParam('cardId', event.pathParameters?.cardId));
    case 'GET /search': {
      const q = idQueryOf(query);
      // A card number typed in the wrong box is refused without echo (PAN search: POST /cs/search).
      const value = q.by === 'tur' ? parseTurParam(q.value) : parseIdParam(q.by, q.value);
      return searchByIdentifier(store, { by: q.by, value });
    }
    case 'GET /decisions':
      onlyParams(query, ['from', 'to', 'limit', 'cursor']);
      return listDecisionsOfPeriod(
        store,
        dayRangeOf(query.from, query.to, new Date()),
        limitOf(query.limit),
        cursorOf(query.cursor),
      );
    case 'GET /decisions/stats':
      onlyParams(query, ['from', 'to']);
      return decisionStatsOfPeriod(store, dayRangeOf(query.from, query.to, new Date()));
    case 'GET /keys/expiry':
      onlyParams(query, []);
      return keyExpiryView(store, new Date());
    default:
      return undefined;
  }
}

/**
 * `GET /tokens?cardId=…`, `GET /tokens/{tokenId}`, `GET /tokens/{tokenId}/challenges`, and the
 * console's reads (`consoleRead`); scope `tokens:read`.
 */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const query = event.queryStringParameters ?? {};
  try {
    const body = await consoleRead(event, query);
    if (body !== undefined) return { statusCode: 200, body };
  } catch (err) {
    if (err instanceof InvalidCursorError)
      throw new ValidationError(`cursor refused: ${err.reason}; use the nextCursor of the same query`);
    throw err;
  }
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
