import type { OperationName } from '../adapters/mdes/contract';

/** The four token statuses of Mastercard's Customer Service FAQ table. */
export type CsTokenStatus = 'IN_PROGRESS' | 'ACTIVE' | 'SUSPENDED' | 'DELETED';

/** MDES `CurrentStatusCode` → the FAQ's status column (U = unmapped, "In Progress"). */
export function csStatusOfCode(code: string | undefined): CsTokenStatus | undefined {
  return ({ U: 'IN_PROGRESS', A: 'ACTIVE', S: 'SUSPENDED', D: 'DELETED' } as const)[code ?? ''];
}

type TokenOperation = Exclude<OperationName, 'systemStatus' | 'accountHolderMessaging'>;

/**
 * "Which APIs can be used in each Token Status?" from Mastercard's MDES Customer Service FAQ, as
 * data: the statuses each operation is allowed in. Account Holder Messaging and System Status are
 * not in the table; messaging is treated like Token Update (a live token), System Status has no token.
 */
export const STATUS_TABLE: Record<TokenOperation | 'accountHolderMessaging', readonly CsTokenStatus[]> = {
  search: ['IN_PROGRESS', 'ACTIVE', 'SUSPENDED', 'DELETED'],
  // [1] multiple suspenders: an already suspended token can be suspended again.
  suspend: ['ACTIVE', 'SUSPENDED'],
  // [2] unsuspending may leave the token suspended by the other suspenders.
  unsuspend: ['SUSPENDED'],
  delete: ['IN_PROGRESS', 'ACTIVE', 'SUSPENDED'],
  update: ['ACTIVE', 'SUSPENDED'],
  resetMobilePin: ['ACTIVE', 'SUSPENDED'],
  comments: ['IN_PROGRESS', 'ACTIVE', 'SUSPENDED', 'DELETED'],
  statusHistory: ['IN_PROGRESS', 'ACTIVE', 'SUSPENDED', 'DELETED'],
  transactions: ['ACTIVE', 'SUSPENDED', 'DELETED'],
  // [3] activation APIs only apply to a provisioned, not yet activated token (yellow path).
  activationMethods: ['IN_PROGRESS'],
  resendActivationCode: ['IN_PROGRESS'],
  activate: ['IN_PROGRESS'],
  updateTokenAssurance: ['ACTIVE', 'SUSPENDED'],
  accountHolderMessaging: ['ACTIVE', 'SUSPENDED'],
};

const LABEL: Record<CsTokenStatus, string> = {
  IN_PROGRESS: 'In Progress',
  ACTIVE: 'Active',
  SUSPENDED: 'Suspended',
  DELETED: 'Deleted',
};

/** The verdict of the table for one operation on one status: allowed, or the rule that forbids it. */
export type StatusVerdict = { allowed: true } | { allowed: false; rule: string };

/** Checks an operation against the FAQ's token-status/API table. */
export function checkStatusRule(operation: keyof typeof STATUS_TABLE, status: CsTokenStatus): StatusVerdict {
  const allowed = STATUS_TABLE[operation];
  if (allowed.includes(status)) return { allowed: true };
  return {
    allowed: false,
    rule: `MDES Customer Service: ${operation} is not allowed for a token in status ${LABEL[status]} (allowed: ${allowed.map((s) => LABEL[s]).join(', ')})`,
  };
}

/** MDES suspender codes. */
export const SUSPENDERS: Record<string, string> = {
  I: 'issuer',
  W: 'token requestor (wallet)',
  C: 'cardholder',
  P: 'Mobile PIN validation',
  M: 'Mobile PIN change validation',
};

/** The suspender code of the issuer (us). */
export const ISSUER_SUSPENDER = 'I';

/** The suspender code of the cardholder (the issuer may override it on Apple Pay tokens only). */
export const CARDHOLDER_SUSPENDER = 'C';
