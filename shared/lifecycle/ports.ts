import type { Officer } from '../domain/audit';
import type { CsTokenStatus } from '../domain/status-rules';
import type { AuditPort, ChallengePort, ReconciliationPort, TimelinePort, TokenStatePort } from '../domain/store';

/**
 * What the lifecycle flow needs from the outside, in its own terms. The composition root
 * (functions/lifecycle/lifecycle.ts) implements them: Pismo with the token-operations client
 * (shared/adapters/pismo/token-operations.ts) and the cards API, MDES with the Customer Service client
 * (shared/adapters/mdes/). The flow never imports another flow (the Customer Service flow included).
 */

/** Pismo `operation_type`s the flow sends (a subset of the adapter's). */
export type PismoOperation =
  | 'SUSPEND'
  | 'RESUME'
  | 'DELETE'
  | 'CALL_CENTER_ACTIVATION'
  | 'CARDHOLDER_STEPUP_APP_TO_APP'
  | 'TOKEN_DEVICE_BIDING_APPROVE'
  | 'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER'
  | 'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP';
export type PismoCardOperation = 'SUSPEND' | 'RESUME' | 'DELETE';

/** Pismo's network-token operations (both networks) and the card → account lookup. */
export interface PismoLifecyclePort {
  performTokenOperation(
    ref: { accountId: string; cardId: string; tokenId: string },
    input: { operationType: PismoOperation; reason: string; operatorId?: string; activationCode?: string },
  ): Promise<{ confirmedByRead?: boolean }>;
  performCardTokenOperation(
    ref: { accountId: string; cardId: string },
    input: { operationType: PismoCardOperation; reason: string; operatorId?: string },
  ): Promise<{
    confirmedByRead?: boolean;
    results?: { tokenId?: string; status?: string; result?: string; errorCode?: string; message?: string }[];
  }>;
  getCardTokens(ref: {
    accountId: string;
    cardId: string;
  }): Promise<{ tokens: { tokenId?: string; status?: string }[] }>;
  /** The Pismo account of a card, when our token state does not name it (undefined: unknown card). */
  accountOfCard(cardId: string): Promise<string | undefined>;
}

/** MDES Customer Service operations the lifecycle uses (as the officer, with Mastercard's AuditInfo). */
export type MdesOperation = 'suspend' | 'unsuspend' | 'delete' | 'activate';

/** MDES Customer Service for the customer (CID) serving one token. */
export interface MdesLifecyclePort {
  /** The MDES customer the calls act for (kept in the audit). */
  readonly customerId: string;
  /** The token as MDES sees it now (status and suspender codes), or undefined when MDES has no such TUR. */
  lookup(tur: string, officer: Officer): Promise<{ status?: CsTokenStatus; suspenders: string[] } | undefined>;
  perform(
    operation: MdesOperation,
    request: { tur: string; reasonCode: string; comment?: string; officer: Officer },
  ): Promise<{ confirmedBySearch?: boolean }>;
}

export interface LifecycleDeps {
  /** `flagCardForReconciliation`: a FAILED action flags its card for the next reconciliation run. */
  /** Challenges: an ID&V activation (call centre, app-to-app) needs the token's open challenge. */
  store: TokenStatePort &
    TimelinePort &
    AuditPort &
    Pick<ReconciliationPort, 'flagCardForReconciliation'> &
    Pick<ChallengePort, 'listChallenges' | 'updateChallenge'>;
  pismo: PismoLifecyclePort;
  /** MDES Customer Service for the token's Pismo organisation (throws an AppError when not allowed). */
  mdes: (orgId: string | undefined) => MdesLifecyclePort;
  /** Mastercard program ids whose tokens are acted on through Pismo instead of MDES Customer Service. */
  pismoMastercardPrograms: readonly string[];
  now?: () => Date;
}
