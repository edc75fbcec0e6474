/**
 * `POST /me/digital-cards/{tokenId}/activate` (issue 18, app-to-app ID&V): the wallet opened the
 * issuer's app for a token waiting for ID&V (method 6), the app verified the cardholder and calls this
 * with the cardholder's token.
 *
 * 1. The body is empty (`{}` or none): strict.
 * 2. The token must be the caller's account's in our store (ownedToken): else 404, as an unknown one.
 * 3. The activation, through the port (the lifecycle's app-to-app activation: an open, unexpired
 *    challenge for the app method, else 409 with the reason; Pismo's app-to-app operation, 422 with
 *    its code when refused; idempotent), audited with the account as actor.
 */
import type { Officer } from '../domain/audit';
import { ValidationError } from '../domain/errors';
import * as z from '../zod';
import type { CardholderDeps } from './ports';
import { cardholderOfficer } from './digital-cards';
import { ownedToken } from './ownership';

/** The app-to-app activation (implemented with the lifecycle use case by the composition root). */
export interface AppActivationPort {
  activate(request: { tokenId: string; officer: Officer }): Promise<{
    outcome: 'REQUESTED' | 'ALREADY_DONE';
    challengeId?: string;
    expectedStatus?: string;
    note?: string;
    auditId: string;
  }>;
}

export interface DigitalCardActivation {
  tokenId: string;
  action: 'activate';
  outcome: 'REQUESTED' | 'ALREADY_DONE';
  challengeId?: string;
  expectedStatus?: string;
  note?: string;
  auditId: string;
}

const emptyBody = z.strictObject({});

export async function activateDigitalCard(
  input: { accountId: string; tokenId: string; body: unknown },
  deps: Pick<CardholderDeps, 'store'> & { activation: AppActivationPort },
): Promise<DigitalCardActivation> {
  const parsed = z.safeParse(emptyBody, input.body ?? {});
  if (!parsed.success)
    throw new ValidationError('invalid request: the body must be empty', [
      `${parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ')}: not taken`,
    ]);
  await ownedToken(input.accountId, input.tokenId, deps.store);
  const result = await deps.activation.activate({
    tokenId: input.tokenId,
    officer: cardholderOfficer(input.accountId),
  });
  return {
    tokenId: input.tokenId,
    action: 'activate',
    outcome: result.outcome,
    ...(result.challengeId ? { challengeId: result.challengeId } : {}),
    ...(result.expectedStatus ? { expectedStatus: result.expectedStatus } : {}),
    ...(result.note ? { note: result.note } : {}),
    auditId: result.auditId,
  };
}
