/**
 * App-to-app activation (`POST /me/digital-cards/{tokenId}/activate`, the cardholder's token): the
 * wallet opened the issuer's app for a token waiting for ID&V, the app verified the cardholder, and
 * asks us to activate. The cardholder flow checks that the token is the caller's
 * (shared/cardholder/activate.ts) and calls this through its port (functions/cardholder/app-to-app.ts);
 * the lifecycle is the one door for token actions (docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md).
 *
 * {@link activateOnChallenge} with the app path: an open, unexpired challenge for the app method (else
 * 409 with the reason), Pismo's app-to-app activation (Mastercard CARDHOLDER_STEPUP_APP_TO_APP, Visa
 * CALL_CENTER_ACTIVATION), audited with the account as actor.
 */
import type { Officer } from '../domain/audit';
import { NotFoundError } from '../domain/errors';
import { activateOnChallenge, type TokenActionResult } from './lifecycle';
import type { LifecycleDeps } from './ports';

export async function activateByApp(
  input: { tokenId: string; actor: Officer },
  deps: LifecycleDeps,
): Promise<TokenActionResult> {
  const current = await deps.store.getTokenState(input.tokenId);
  if (!current) throw new NotFoundError(`digital card ${input.tokenId} not found`);
  return activateOnChallenge(
    { tokenId: input.tokenId, path: 'APP_TO_APP', actor: input.actor, reason: 'CARDHOLDER_REQUEST' },
    current.state,
    deps,
  );
}
