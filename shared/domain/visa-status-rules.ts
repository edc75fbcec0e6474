import type { StatusVerdict } from './status-rules';
import { TOKEN_STATUSES, type TokenStatus } from './token-status';

/**
 * The issuer's lifecycle actions on a Visa (VTS) token, performed through Pismo's token operations:
 * `suspend` (SUSPEND), `resume` (RESUME), `delete` (DELETE), `activate` (CALL_CENTER_ACTIVATION:
 * Pismo's portal says Visa App2App activation uses it too) and `approveDeviceBinding` (the three
 * Visa-only TOKEN_DEVICE_BINDING approvals: approve the most recently inactive device of the token).
 */
export const VISA_TOKEN_ACTIONS = ['suspend', 'resume', 'delete', 'activate', 'approveDeviceBinding'] as const;
export type VisaTokenAction = (typeof VISA_TOKEN_ACTIONS)[number];

/**
 * Which action is allowed in which of our token statuses, as data beside the MDES FAQ table
 * (`status-rules.ts`). Visa publishes no such table to us; this is VTS's token lifecycle as we read it
 * (VTS token states INACTIVE, ACTIVE, SUSPENDED, DEACTIVATED; our `pending_idv` is Pismo's INACTIVE):
 * - suspend: an active token only (VTS has no stacked suspensions, unlike MDES's suspenders).
 * - resume: a suspended token only.
 * - delete: any token not yet final: `requested` (a provisioning under way), `pending_idv`, `active`,
 *   `suspended`. Deleted, declined and failed tokens have nothing left to delete.
 * - activate: a token provisioned and waiting for its ID&V (`pending_idv`, VTS INACTIVE).
 * - approveDeviceBinding: an active token (binding adds a device to a token already in use).
 */
export const VISA_STATUS_TABLE: Record<VisaTokenAction, readonly TokenStatus[]> = {
  suspend: ['active'],
  resume: ['suspended'],
  delete: ['requested', 'pending_idv', 'active', 'suspended'],
  activate: ['pending_idv'],
  approveDeviceBinding: ['active'],
};

const LABEL: Record<TokenStatus, string> = {
  requested: 'Requested',
  pending_idv: 'Pending ID&V',
  active: 'Active',
  suspended: 'Suspended',
  deleted: 'Deleted',
  declined: 'Declined',
  failed: 'Failed',
};

/** Checks an action against the Visa token-status table: allowed, or the rule that forbids it. */
export function checkVisaStatusRule(action: VisaTokenAction, status: TokenStatus): StatusVerdict {
  const allowed = VISA_STATUS_TABLE[action];
  if (allowed.includes(status)) return { allowed: true };
  return {
    allowed: false,
    rule: `Visa token lifecycle: ${action} is not allowed for a token in status ${LABEL[status]} (allowed: ${allowed.map((s) => LABEL[s]).join(', ')})`,
  };
}

/** Every (action, status) cell of the table, for tests and documentation. */
export function visaStatusCells(): { action: VisaTokenAction; status: TokenStatus; allowed: boolean }[] {
  return VISA_TOKEN_ACTIONS.flatMap((action) =>
    TOKEN_STATUSES.map((status) => ({ action, status, allowed: VISA_STATUS_TABLE[action].includes(status) })),
  );
}
