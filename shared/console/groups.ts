/**
 * The console's kinds of users and the API scopes each one gets (ADR 0030). One table, used by the
 * Cognito pre-token-generation trigger (functions/console/pre-token-generation.ts) and by the local
 * dev issuer's test users, so AWS and the local stack grant the same.
 *
 * No action needs a scope of its own today: every write is audited under the agent's id and name,
 * refused by the network's status rules when it may not be done, and destructive ones are confirmed
 * in the console. Supervisors therefore hold the agents' scopes; the group exists so that a
 * supervisor-only scope is one line here (and one route's scope) when an action needs it.
 */
export const CONSOLE_GROUPS = {
  /** Read-only agents: search and read, no action. */
  'read-only': ['tokens:read'],
  /** Agents who may act on tokens. */
  agents: ['tokens:read', 'tokens:write'],
  /** Supervisors: what agents may (see above). */
  supervisors: ['tokens:read', 'tokens:write'],
} as const satisfies Record<string, readonly string[]>;

export type ConsoleGroup = keyof typeof CONSOLE_GROUPS;

/** The API scopes of a user in these groups (the union; unknown groups give nothing). */
export function scopesOfGroups(groups: readonly string[]): string[] {
  const scopes = new Set<string>();
  for (const g of groups) for (const s of (CONSOLE_GROUPS as Record<string, readonly string[]>)[g] ?? []) scopes.add(s);
  return [...scopes].sort();
}

/** The console role a user's scopes and groups make. */
export function roleOf(scopes: readonly string[], groups: readonly string[]): 'read-only' | 'agent' | 'supervisor' {
  if (!scopes.includes('tokens:write')) return 'read-only';
  return groups.includes('supervisors') ? 'supervisor' : 'agent';
}
