/**
 * What the console's users' access tokens carry when Cognito issues them (the pre-token-generation
 * trigger, ADR 0030): the API scopes of their groups (`tokens:read`, `tokens:write`: the JWT
 * authorizer's route scopes, verbatim), the officer's `name` (the lifecycle and Customer Service
 * flows audit and send it; `sub` is Cognito's own), and the MDES customers they may act for.
 */
import { scopesOfGroups } from './groups';

/** The API scopes this trigger manages: a user outside every group gets none of them. */
const API_SCOPES = ['tokens:read', 'tokens:write'];

export interface AccessTokenChanges {
  claimsToAddOrOverride: Record<string, string | string[]>;
  scopesToAdd: string[];
  scopesToSuppress: string[];
}

export function accessTokenChangesOf(input: {
  username: string;
  userAttributes: Record<string, string | undefined>;
  groups: readonly string[];
  mdesCustomers: readonly string[];
  customersClaim: string;
}): AccessTokenChanges {
  const scopes = scopesOfGroups(input.groups);
  const a = input.userAttributes;
  const name = a.name || [a.given_name, a.family_name].filter(Boolean).join(' ') || a.email || input.username;
  return {
    claimsToAddOrOverride: { name: name.slice(0, 200), [input.customersClaim]: [...input.mdesCustomers] },
    scopesToAdd: scopes,
    scopesToSuppress: API_SCOPES.filter((s) => !scopes.includes(s)),
  };
}
