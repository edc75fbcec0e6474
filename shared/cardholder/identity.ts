import { AppError } from '../domain/errors';

/**
 * The cardholder's identity, from the JWT the issuer's app sends (API Gateway's cardholder
 * authorizer checked issuer, audience, expiry and scope `cardholder`): the subject is the Pismo
 * account id. Checked again here, so a token of another audience or scope can never act for an
 * account even if a route were wired to the wrong authorizer.
 */

/** The scope every cardholder route requires (infra/constructs/http-api.ts `SCOPES.cardholder`). */
export const CARDHOLDER_SCOPE = 'cardholder';

/** The caller is not a cardholder of a Pismo account (403: the app's token names none). */
export class NotACardholderError extends AppError {
  constructor(why: string) {
    super(`not a cardholder token: ${why}`, 'forbidden', { expose: true });
  }
}

/** A Pismo account id: digits, no leading zero (Pismo's ids are integers). */
const ACCOUNT_ID = /^[1-9]\d{0,18}$/;

/**
 * The caller's Pismo account, from the JWT claims: `sub` must be an account id and the token must
 * grant `cardholder` (its `scope`/`scp` claim, or the scopes the authorizer handed over).
 */
export function cardholderAccountOf(claims: Record<string, unknown>, grantedScopes: readonly string[] = []): string {
  const scopes = [
    ...grantedScopes,
    ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []),
    ...(Array.isArray(claims.scp) ? claims.scp.map(String) : []),
  ];
  if (!scopes.includes(CARDHOLDER_SCOPE)) throw new NotACardholderError(`scope ${CARDHOLDER_SCOPE} missing`);
  const sub = typeof claims.sub === 'string' || typeof claims.sub === 'number' ? String(claims.sub) : '';
  if (!ACCOUNT_ID.test(sub)) throw new NotACardholderError('the subject is not a Pismo account id');
  return sub;
}
