import { AppError, type ErrorKind } from '../../shared/domain/errors';
import type { LifecycleReason } from '../../shared/domain/lifecycle-actions';
import { EXPECTED_STATUS } from '../../shared/domain/lifecycle-actions';
import type { TokenActionRequest, TokenActionResult, TokenActions } from '../../shared/cards/ports';
import { LifecycleRuleViolationError, performTokenAction } from '../../shared/lifecycle/lifecycle';
import type { LifecycleDeps } from '../../shared/lifecycle/ports';

/** The officer every card-status policy action is audited under (no JWT: the policy acts for the issuer). */
export const POLICY_LIFECYCLE_OFFICER = { userId: 'card-lifecycle-policy', userName: 'Card lifecycle policy' };

/** Kinds that are the network's, Pismo's or a status rule's "no" for this token: recorded, not retried. */
const REFUSAL_KINDS: readonly ErrorKind[] = ['conflict', 'refused', 'not-found', 'forbidden', 'invalid'];

/**
 * The lifecycle's reason for a policy action. The policy's text names the card status, not the
 * device's, so: a fraud status → FRAUD_SUSPECTED; a delete (card cancelled, closed) → ACCOUNT_CLOSED;
 * anything else (BLOCKED, LOST, STOLEN, NORMAL…) → OTHER, the card event named in the comment.
 * DEVICE_LOST / DEVICE_STOLEN are deliberately never used: the card, not the device, was lost.
 */
export function lifecycleReasonOf(request: TokenActionRequest): LifecycleReason {
  if (/FRAUD/i.test(request.reason)) return 'FRAUD_SUSPECTED';
  if (request.action === 'delete') return 'ACCOUNT_CLOSED';
  return 'OTHER';
}

/** The audit comment: the policy's text and the card event (≤ 200 characters, no control characters). */
export function commentOf(request: TokenActionRequest): string {
  const event = ` (event ${request.cardEventId})`;
  const text = request.reason.replace(/\p{Cc}+/gu, ' ');
  return `${text.slice(0, 200 - event.length)}${event}`;
}

/**
 * The card-status policy's {@link TokenActions}, through the token lifecycle use case (issue 13: the
 * one door for acting on tokens, docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md):
 * audited with the officer `card-lifecycle-policy` and the card event in the comment.
 *
 * Results: accepted (REQUESTED / ALREADY_DONE) → done; a rule's, Pismo's or MDES's refusal → refused
 * with its message; anything else (unavailable, upstream failure, our bug) throws, and the fan-out
 * retries. Idempotent per (token, card event): when a re-run (after a crash) finds the status rules
 * refusing because the token already has the action's status (a second suspend of a suspended
 * token), that is `done`, not a refusal.
 */
export class LifecycleTokenActions implements TokenActions {
  constructor(private readonly deps: LifecycleDeps) {}

  suspend(request: TokenActionRequest) {
    return this.act('suspend', request);
  }
  resume(request: TokenActionRequest) {
    return this.act('resume', request);
  }
  delete(request: TokenActionRequest) {
    return this.act('delete', request);
  }

  private async act(action: 'suspend' | 'resume' | 'delete', request: TokenActionRequest): Promise<TokenActionResult> {
    try {
      await performTokenAction(
        {
          tokenId: request.tokenId,
          action,
          body: { reason: lifecycleReasonOf(request), comment: commentOf(request) },
          officer: POLICY_LIFECYCLE_OFFICER,
        },
        this.deps,
      );
      return { outcome: 'done' };
    } catch (err) {
      if (!(err instanceof AppError) || !REFUSAL_KINDS.includes(err.kind)) throw err;
      if (err instanceof LifecycleRuleViolationError) {
        const now = await this.deps.store.getTokenState(request.tokenId);
        if (now?.state.status === EXPECTED_STATUS[action]) return { outcome: 'done' };
      }
      return { outcome: 'refused', detail: err.message.slice(0, 200) };
    }
  }
}
