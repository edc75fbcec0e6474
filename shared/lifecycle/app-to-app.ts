/**
 * App-to-app activation (`POST /me/digital-cards/{tokenId}/activate`, the cardholder's token): the
 * wallet opened the issuer's app for a token waiting for ID&V, the app verified the cardholder, and
 * asks us to activate. The cardholder API's handler (functions/cardholder/) calls it; the lifecycle
 * is the one door for token actions (docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md).
 *
 * 1. The token must be the caller's (its account): else 404, the same answer as an unknown token.
 * 2. Then {@link activateOnChallenge} with the app path: an open, unexpired challenge for the app
 *    method (else 409 with the reason), Pismo's app-to-app activation (Mastercard
 *    CARDHOLDER_STEPUP_APP_TO_APP, Visa CALL_CENTER_ACTIVATION), audited with the account as actor.
 */
import { NotFoundError } from '../domain/errors';
import { activateOnChallenge, type TokenActionResult } from './lifecycle';
import type { LifecycleDeps } from './ports';

/** The audit's actor for a cardholder: the account, never a person's name. */
export function cardholderActor(accountId: string): { userId: string; userName: string } {
  return { userId: `account:${accountId}`.slice(0, 50), userName: 'cardholder (issuer app, app-to-app)' };
}

export async function activateByApp(
  input: { tokenId: string; accountId: string },
  deps: LifecycleDeps,
): Promise<TokenActionResult> {
  const current = await deps.store.getTokenState(input.tokenId);
  const facts = current?.state.facts;
  // Visa events may name no account: then the card's account, as Pismo knows it.
  const owner = facts?.accountId ?? (facts?.cardId ? await deps.pismo.accountOfCard(facts.cardId) : undefined);
  // Another account's token is answered exactly as an unknown one: nothing about it is revealed.
  if (!current || owner !== input.accountId) throw new NotFoundError(`digital card ${input.tokenId} not found`);
  return activateOnChallenge(
    {
      tokenId: input.tokenId,
      path: 'APP_TO_APP',
      actor: cardholderActor(input.accountId),
      reason: 'CARDHOLDER_REQUEST',
    },
    current.state,
    deps,
  );
}
