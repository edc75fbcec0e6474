import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { loadBaseConfig } from '../../shared/config';
import { AppError, NotFoundError } from '../../shared/domain/errors';
import { type HttpResult, httpHandler } from '../../shared/adapters/http/http-handler';
import { readJsonBody } from '../../shared/adapters/http/json-body';
import { parseIdParam } from '../../shared/adapters/mdes/identifiers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import type { Wallet } from '../../shared/adapters/pismo/push-provisioning';
import { cardholderAccountOf } from '../../shared/cardholder/identity';
import { createCardOnFile, listCardsOnFile, updateCardOnFileStatus } from '../../shared/cardholder/card-on-file';
import { pushProvision } from '../../shared/cardholder/push-provisioning';
import { createProvisioningDeps } from '../../shared/cardholder/provisioning-deps';
import { RateLimitedError, RequestAlreadyDoneError } from '../../shared/cardholder/request-guard';

const config = loadBaseConfig();
const obs = createObservability('cardholder-provisioning');
const deps = createProvisioningDeps(obs, config);

interface ProvisioningRequest {
  accountId: string;
  cardId: string;
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  body: () => unknown;
}

/** Counts what the app should know about without a payload: replays and rate refusals. */
async function counted<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof RequestAlreadyDoneError) obs.metrics.addMetric('CardholderRequestReplayed', 'Count', 1);
    if (err instanceof RateLimitedError) obs.metrics.addMetric('CardholderRateLimited', 'Count', 1);
    if (err instanceof AppError) obs.logger.info('cardholder provisioning refused', { what, error: err.name });
    throw err;
  }
}

const push = (wallet: Wallet) => async (r: ProvisioningRequest) => {
  const result = await counted(wallet, () =>
    pushProvision({ accountId: r.accountId, cardId: r.cardId, wallet, body: r.body() }, deps.push),
  );
  obs.metrics.addMetric('PushProvisioningDone', 'Count', 1);
  // Ids only: the wallet data goes to the app and nowhere else.
  obs.logger.info('push provisioning done', { wallet, cardId: r.cardId });
  return { statusCode: 200, body: result };
};

/**
 * The route table of push provisioning and card on file (route key as in
 * infra/constructs/cardholder-provisioning.ts `CARDHOLDER_PROVISIONING_ROUTES`).
 */
export const PROVISIONING_ROUTES: Record<string, (request: ProvisioningRequest) => Promise<HttpResult>> = {
  'POST /me/cards/{cardId}/push-provisioning/apple-pay': push('apple-pay'),
  'POST /me/cards/{cardId}/push-provisioning/google-pay': push('google-pay'),
  'POST /me/cards/{cardId}/push-provisioning/samsung-pay': push('samsung-pay'),
  'POST /me/cards/{cardId}/cards-on-file': async (r) => {
    const created = await counted('card on file', () =>
      createCardOnFile({ accountId: r.accountId, cardId: r.cardId, body: r.body() }, deps.cardOnFile),
    );
    if (created.replayed) obs.metrics.addMetric('CardholderRequestReplayed', 'Count', 1);
    else obs.metrics.addMetric('CardsOnFileCreated', 'Count', 1);
    obs.logger.info('card on file created', { cardId: r.cardId, replayed: created.replayed ?? false });
    return { statusCode: created.replayed ? 200 : 201, body: created };
  },
  'GET /me/cards/{cardId}/cards-on-file': async (r) => ({
    statusCode: 200,
    body: { items: await listCardsOnFile({ accountId: r.accountId, cardId: r.cardId }, deps.cardOnFile) },
  }),
  'POST /me/cards/{cardId}/cards-on-file/{cardOnFileId}/status': async (r) => {
    const raw = r.event.pathParameters?.cardOnFileId ?? '';
    // A card on file id is Pismo's uuid: anything else is no card on file of this card.
    if (!/^[A-Za-z0-9-]{1,64}$/.test(raw)) throw new NotFoundError('card on file not found');
    const result = await updateCardOnFileStatus(
      { accountId: r.accountId, cardId: r.cardId, cardOnFileId: raw, body: r.body() },
      deps.cardOnFile,
    );
    return { statusCode: 200, body: result };
  },
};

/**
 * Push provisioning and card on file for the issuer's app (`/me/cards/{cardId}/…`, the cardholder's
 * JWT with scope `cardholder`): its own function, as it holds the Pismo PCI credentials. Never logs a
 * body: wallet data, PAN, CVV and expiry go to Pismo or back to the app only.
 */
export const handler = httpHandler(obs, async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const jwt = event.requestContext.authorizer?.jwt;
  const accountId = cardholderAccountOf(jwt?.claims ?? {}, jwt?.scopes ?? []);
  const route = PROVISIONING_ROUTES[event.routeKey];
  if (!route) throw new NotFoundError(`unknown route ${event.routeKey}`);
  const cardId = parseIdParam('cardId', event.pathParameters?.cardId);
  return route({
    accountId,
    cardId,
    event,
    body: () => (event.body ? readJsonBody(event, config.maxBodyBytes) : {}),
  });
});
