import { ValidationError } from '../../shared/domain/errors';
import { PismoRejectedError, PismoUnavailableError } from '../../shared/adapters/pismo/errors';
import type { PismoTokenOperationsClient } from '../../shared/adapters/pismo/token-operations';
import type { TokenActionResult, TokenTransferPort, TokenTransferRequest } from '../../shared/cards/ports';

/**
 * The cards flow's {@link TokenTransferPort} on Pismo's "transfer tokens" endpoint (the PAN update;
 * its path and body are our reading: PISMO_TOKEN_OPERATIONS_UNCONFIRMED.transferTokens).
 * - accepted → done (the outcome comes later, as a `pan_update` event);
 * - Pismo's "no" (4xx), a request we cannot build, a card whose account is unknown → refused, recorded;
 * - a lost answer (the transfer may have been applied) → refused as "outcome unknown", never resent:
 *   one retry means one request;
 * - anything else (unavailable before applying: refused connection, 429, 5xx…) throws: the
 *   workflow retries the unit with backoff (nothing was applied).
 */
export class PismoTokenTransfer implements TokenTransferPort {
  constructor(
    private readonly client: Pick<PismoTokenOperationsClient, 'transferCardTokens'>,
    /** The card's Pismo account when the pan_update did not name it. */
    private readonly accountOfCard: (cardId: string) => Promise<string | undefined>,
  ) {}

  async transferTokens(request: TokenTransferRequest): Promise<TokenActionResult> {
    const accountId = request.accountId ?? (await this.accountOfCard(request.oldCardId));
    if (!accountId) return { outcome: 'refused', detail: `no Pismo account known for card ${request.oldCardId}` };
    try {
      await this.client.transferCardTokens({ accountId, cardId: request.oldCardId }, request.newCardId);
      return { outcome: 'done' };
    } catch (err) {
      if (err instanceof PismoRejectedError || err instanceof ValidationError)
        return { outcome: 'refused', detail: err.message.slice(0, 200) };
      if (err instanceof PismoUnavailableError && err.outcome === 'unknown')
        return {
          outcome: 'refused',
          detail: "outcome unknown (Pismo's answer was lost), not resent: check the new card's tokens",
        };
      throw err;
    }
  }
}
