import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig } from '../../shared/config';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { auditedAction } from '../../shared/domain/audit';
import { httpHandler } from '../../shared/adapters/http/http-handler';
import { officerOf } from '../../shared/adapters/http/officer';
import { readJsonBody } from '../../shared/adapters/http/json-body';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { InvalidCursorError } from '../../shared/adapters/dynamo/token-store';
import { createReconciliationDeps } from '../../shared/reconciliation/reconciliation-deps';
import { runReconciliation } from '../../shared/reconciliation/reconcile';
import { newRunId, reconciliationObserver } from '../../shared/reconciliation/report';
import * as z from '../../shared/zod';

const base = loadBaseConfig();
const obs = createObservability('reconciliation-api');
const deps = { ...createReconciliationDeps(), observer: reconciliationObserver(obs) };

const bodySchema = z.strictObject({
  accountId: z.optional(z.string().check(z.regex(/^[1-9]\d{0,18}$/, 'must be a Pismo account id (1-19 digits)'))),
});
const CURSOR = /^[A-Za-z0-9_.-]{1,2200}$/;

function limitOf(value: string | undefined): number {
  if (value === undefined) return 20;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new ValidationError('limit must be an integer from 1 to 100');
  return n;
}

/** The optional body of a "check now": `{}` or `{ "accountId": "…" }` (needed for a card we hold no token of). */
function checkRequest(event: APIGatewayProxyEventV2WithJWTAuthorizer): { accountId?: string } {
  if (!event.body) return {};
  const parsed = z.safeParse(bodySchema, readJsonBody(event, base.maxBodyBytes));
  if (!parsed.success)
    throw new ValidationError(
      'invalid reconciliation request',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    );
  return parsed.data;
}

/**
 * `POST /reconciliation/cards/{cardId}` (scope `tokens:write`): reconcile one card now (the console's
 * "check now"); `GET /reconciliation/cards/{cardId}` (`tokens:read`): its latest result;
 * `GET /reconciliation/runs` (`tokens:read`): runs, newest first.
 */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const query = event.queryStringParameters ?? {};
  if (event.routeKey === 'GET /reconciliation/runs') {
    const unknown = Object.keys(query).filter((k) => k !== 'limit' && k !== 'cursor');
    if (unknown.length) throw new ValidationError(`unknown query parameter(s): ${unknown.join(', ')}`);
    if (query.cursor !== undefined && !CURSOR.test(query.cursor))
      throw new ValidationError(`cursor must match ${CURSOR.source}`);
    try {
      return { statusCode: 200, body: await deps.store.listReconciliationRuns(limitOf(query.limit), query.cursor) };
    } catch (err) {
      if (err instanceof InvalidCursorError)
        throw new ValidationError(`cursor refused: ${err.reason}; use the nextCursor of the same query`);
      throw err;
    }
  }
  const cardId = parseIdParam('cardId', event.pathParameters?.cardId);
  if (Object.keys(query).length) throw new ValidationError('this route takes no query parameters');
  if (event.routeKey === 'GET /reconciliation/cards/{cardId}') {
    const latest = await deps.store.latestCardReconciliation(cardId);
    if (!latest) throw new NotFoundError(`card ${cardId} was never reconciled`);
    return { statusCode: 200, body: latest };
  }
  const { accountId } = checkRequest(event);
  const officer = officerOf(event);
  // Every action is audited the same way (a repair writes to the token store): under the day, as the
  // card may hold several tokens; the run id and its counts are in the run record.
  const { results, ...run } = await auditedAction(
    {
      owner: { day: new Date().toISOString().slice(0, 10) },
      operation: 'reconcile-card',
      officer,
      customerId: 'reconciliation',
      params: {},
    },
    { store: deps.store },
    () =>
      // A card we hold no token of has no account we know: 422 rather than a recorded failure.
      runReconciliation(deps, {
        runId: newRunId('card'),
        trigger: 'on-demand',
        cards: [{ cardId, ...(accountId ? { accountId } : {}) }],
        failOnUnknownAccount: true,
      }),
    (r) => `card ${cardId}: ${r.results[0]?.outcome ?? 'no result'}`,
  );
  const [card] = results;
  return { statusCode: 200, body: { run, card } };
});
