import { checkStatusRule, type CsTokenStatus, type StatusVerdict } from './status-rules';
import type { Network } from './token-event';
import type { TokenStatus } from './token-status';
import { checkVisaStatusRule, VISA_TOKEN_ACTIONS, type VisaTokenAction } from './visa-status-rules';

/**
 * The network-neutral lifecycle actions issuer staff take on a token, and which of them each
 * network's status rules allow now: Visa (VTS) by `visa-status-rules.ts`, Mastercard (MDES) by the
 * Customer Service FAQ table (`status-rules.ts`). Pure data and functions: the lifecycle flow checks
 * them before any call, the read API lists them (`allowedActions`).
 */
export const LIFECYCLE_ACTIONS = VISA_TOKEN_ACTIONS;
export type LifecycleAction = VisaTokenAction;

/** Why an officer acts: one of these on every action (mapped to each network's reason codes). */
export const LIFECYCLE_REASONS = [
  'DEVICE_LOST',
  'DEVICE_STOLEN',
  'FRAUD_SUSPECTED',
  'CARDHOLDER_REQUEST',
  'ACCOUNT_CLOSED',
  'OTHER',
] as const;
export type LifecycleReason = (typeof LIFECYCLE_REASONS)[number];

/** Our statuses → the FAQ's columns (Mastercard); undefined where the FAQ has no column. */
export const CS_STATUS_OF: Partial<Record<TokenStatus, CsTokenStatus>> = {
  requested: 'IN_PROGRESS',
  pending_idv: 'IN_PROGRESS',
  active: 'ACTIVE',
  suspended: 'SUSPENDED',
  deleted: 'DELETED',
};

/** Our action → the MDES Customer Service operation of the FAQ table. */
export const MDES_OPERATION_OF = {
  suspend: 'suspend',
  resume: 'unsuspend',
  delete: 'delete',
  activate: 'activate',
} as const satisfies Partial<Record<LifecycleAction, string>>;

/** The status the network reports once an action is done (what our token shows when its event arrives). */
export const EXPECTED_STATUS: Record<LifecycleAction, TokenStatus | undefined> = {
  suspend: 'suspended',
  resume: 'active',
  delete: 'deleted',
  activate: 'active',
  approveDeviceBinding: undefined,
};

/** Whether `action` is allowed on a token of `network` in `status`, or the rule that forbids it. */
export function checkLifecycleRule(
  action: LifecycleAction,
  network: Network | undefined,
  status: TokenStatus | undefined,
): StatusVerdict {
  if (network !== 'VTS' && network !== 'MDES')
    return {
      allowed: false,
      rule: `token network ${network ?? 'unknown'}: no lifecycle route (Visa or Mastercard only)`,
    };
  if (status === undefined)
    return { allowed: false, rule: `token status not known yet: wait for the network's event before acting` };
  if (network === 'VTS') return checkVisaStatusRule(action, status);
  if (action === 'approveDeviceBinding')
    return { allowed: false, rule: 'device binding approval is a Visa (VTS) action: Mastercard has no such operation' };
  const cs = CS_STATUS_OF[status];
  if (!cs)
    return {
      allowed: false,
      rule: `MDES Customer Service: ${MDES_OPERATION_OF[action]} is not allowed for a token in status ${status}`,
    };
  return checkStatusRule(MDES_OPERATION_OF[action], cs);
}

/** One action as the read API lists it: allowed, or the rule that forbids it. */
export interface AllowedAction {
  action: LifecycleAction;
  allowed: boolean;
  rule?: string;
}

/** Every lifecycle action for this token: allowed or not, with the rule of each one not allowed. */
export function allowedActionsOf(network: Network | undefined, status: TokenStatus | undefined): AllowedAction[] {
  return LIFECYCLE_ACTIONS.map((action) => {
    const verdict = checkLifecycleRule(action, network, status);
    return verdict.allowed ? { action, allowed: true } : { action, allowed: false, rule: verdict.rule };
  });
}

/** A lifecycle request the network accepted and whose event has not arrived yet. */
export interface PendingRequest {
  action: string;
  expectedStatus: string;
  requestedAt: string;
  route?: string;
  userId: string;
  auditId: string;
}

/**
 * The newest lifecycle request still waiting for the network (the token view shows it): accepted
 * (audit DONE, with an expected status), newer than the token's status, and not yet reflected in it.
 */
export function pendingRequestOf(
  audit: readonly {
    auditId: string;
    at: string;
    operation: string;
    outcome: string;
    userId: string;
    parameters?: Record<string, string>;
  }[],
  token: { status?: TokenStatus; statusAt?: string },
): PendingRequest | undefined {
  const latest = audit
    .filter((a) => a.outcome === 'DONE' && a.parameters?.expectedStatus)
    .reduce<(typeof audit)[number] | undefined>((best, a) => (!best || a.at > best.at ? a : best), undefined);
  const expectedStatus = latest?.parameters?.expectedStatus;
  if (!latest || !expectedStatus || token.status === expectedStatus) return undefined;
  if (token.statusAt && token.statusAt > latest.at) return undefined;
  return {
    action: latest.operation,
    expectedStatus,
    requestedAt: latest.at,
    route: latest.parameters?.route,
    userId: latest.userId,
    auditId: latest.auditId,
  };
}
