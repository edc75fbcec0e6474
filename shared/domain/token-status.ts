/**
 * Network-agnostic token lifecycle status.
 *
 * `deleted` and `declined` are terminal: once a token reaches one, no later event can move it back
 * (a deleted MDES/VTS token cannot be resumed). Terminal statuses therefore outrank every other
 * status regardless of event time, which keeps the merge a pure "max" and so order-independent.
 */
export const TOKEN_STATUSES = [
  'requested',
  'pending_idv',
  'active',
  'suspended',
  'deleted',
  'declined',
  'failed',
] as const;

export type TokenStatus = (typeof TOKEN_STATUSES)[number];

const TERMINAL: ReadonlySet<TokenStatus> = new Set<TokenStatus>(['deleted', 'declined']);

/** True for statuses no later event may leave. */
export function isTerminalStatus(status: TokenStatus): boolean {
  return TERMINAL.has(status);
}
