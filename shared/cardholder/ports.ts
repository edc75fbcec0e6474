import type { Officer } from '../domain/audit';
import type { LifecycleAction } from '../domain/lifecycle-actions';
import type { StatusVerdict } from '../domain/status-rules';
import type { AccountTokensPort, AuditPort, CardPort, TokenStatePort } from '../domain/store';
import type { TokenState } from '../domain/token-state';

/**
 * What the cardholder flow needs from the outside, in its own terms. The composition root
 * (functions/cardholder/cardholder.ts) implements {@link CardholderTokenActions} with the token
 * lifecycle use case (shared/lifecycle/, the one door for token actions: ADR 0020); the flow never
 * imports another flow.
 */

/** One token action as the cardholder asks it (turn off = suspend, turn on = resume, remove = delete). */
export interface CardholderActionRequest {
  tokenId: string;
  action: Extract<LifecycleAction, 'suspend' | 'resume' | 'delete'>;
  /** The lifecycle's reason (`CARDHOLDER_REQUEST`, `DEVICE_LOST`, `DEVICE_STOLEN`). */
  reason: 'CARDHOLDER_REQUEST' | 'DEVICE_LOST' | 'DEVICE_STOLEN';
  /** The account, as the actor (`kind: 'cardholder'`). */
  officer: Officer;
  /** The cardholder's own rule (the multi-suspender rule as seen from our store), checked before any call. */
  actorRule: (state: TokenState) => StatusVerdict;
}

/** What the lifecycle answered (202): the status to expect once the network's event arrives. */
export interface CardholderActionResult {
  tokenId: string;
  outcome: 'REQUESTED' | 'ALREADY_DONE';
  expectedStatus?: string;
  stillSuspendedBy?: string[];
  note?: string;
  auditId: string;
}

/** Acting on one token: audited, status rules and the actor's rule checked, the network called. */
export interface CardholderTokenActions {
  perform(request: CardholderActionRequest): Promise<CardholderActionResult>;
}

export interface CardholderDeps {
  /** Our store: token states (by id, card, account), their audit (who suspended them), card states (their account). */
  store: Pick<TokenStatePort, 'getTokenState' | 'listTokensOfCard'> &
    AccountTokensPort &
    Pick<AuditPort, 'listAudit'> &
    Pick<CardPort, 'getCardState'>;
  actions: CardholderTokenActions;
  now?: () => Date;
}
