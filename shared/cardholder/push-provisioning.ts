import { AppError } from '../domain/errors';
import type { TokenStatePort } from '../domain/store';
import {
  parsePushProvisioningInput,
  type PushProvisioningPort,
  type PushProvisioningResult,
  type Wallet,
} from '../adapters/pismo/push-provisioning';
import {
  type GuardDeps,
  guardedWrite,
  ownedCardOf,
  RequestAlreadyDoneError,
  requestIdOf,
  requireUsable,
  withoutRequestId,
} from './request-guard';

/**
 * Push provisioning from the issuer's app ("Add to Apple Wallet" inside the app): the card is checked
 * against the caller's account in our store (404 otherwise), its status (409), the wallet's network
 * rule (Samsung Pay: Visa only, 422), then the request id is claimed once and the account's rate
 * taken, and Pismo's encrypted card data is asked for under the audit. The data goes back to the app
 * and nowhere else: never logged, never stored; a repeated request id answers 409 with the first
 * outcome (docs/decisions/0027-cardholder-request-ids-without-payloads.md).
 */

export const PUSH_PROVISIONING_SCOPE = 'push-provisioning';

export interface PushProvisioningDeps extends GuardDeps {
  store: GuardDeps['store'] & Pick<TokenStatePort, 'listTokensOfCard'>;
  pismo: PushProvisioningPort;
}

/** Samsung Pay push provisioning of a Mastercard card: Pismo offers it for Visa only (422, nothing sent). */
export class WalletNotOfferedError extends AppError {
  constructor(wallet: Wallet, network: string) {
    super(
      `${wallet === 'samsung-pay' ? 'Samsung Pay' : wallet} push provisioning is available for Visa cards only; this card is ${network}`,
      'refused',
      { expose: true, details: ['code: SAMSUNG_PAY_VISA_ONLY'], networkReason: 'SAMSUNG_PAY_VISA_ONLY' },
    );
  }
}

/** The card's network as our store knows it from its tokens (undefined: no token names one). */
async function networkOfCard(store: Pick<TokenStatePort, 'listTokensOfCard'>, cardId: string) {
  const page = await store.listTokensOfCard(cardId, 25);
  const networks = new Set(page.items.map((t) => t.facts.network).filter((n) => n === 'MDES' || n === 'VTS'));
  if (networks.has('MDES')) return 'Mastercard';
  if (networks.has('VTS')) return 'Visa';
  return undefined;
}

/**
 * One push provisioning. `body` is the app's JSON: `requestId` plus the wallet's fields. Throws
 * ValidationError (400, naming the field), NotFoundError (404), CardNotUsableError (409),
 * RequestAlreadyDoneError (409), WalletNotOfferedError (422), RateLimitedError (429), Pismo's errors
 * (422 refused, 502/503 down: nothing recorded as done).
 */
export async function pushProvision(
  request: { accountId: string; cardId: string; wallet: Wallet; body: unknown },
  deps: PushProvisioningDeps,
): Promise<PushProvisioningResult> {
  const requestId = requestIdOf(request.body);
  const input = parsePushProvisioningInput(request.wallet, withoutRequestId(request.body));
  const card = await ownedCardOf(deps.store, request.accountId, request.cardId);
  requireUsable(card);
  if (request.wallet === 'samsung-pay') {
    const network = await networkOfCard(deps.store, card.cardId);
    // Unknown network: Pismo decides (its Samsung endpoint refuses non-Visa cards itself).
    if (network === 'Mastercard') throw new WalletNotOfferedError(request.wallet, network);
  }
  return guardedWrite(
    {
      key: { accountId: request.accountId, scope: PUSH_PROVISIONING_SCOPE, requestId },
      cardId: card.cardId,
      operation: `push-provisioning-${request.wallet}`,
    },
    deps,
    () => deps.pismo.createEncryptedCardData({ accountId: request.accountId, cardId: card.cardId }, input),
    {
      // The wallet data is single-use and as sensitive as an activation code: never kept.
      storable: () => undefined,
      replay: (first) => {
        throw new RequestAlreadyDoneError(first);
      },
    },
  );
}
