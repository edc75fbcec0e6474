/**
 * `GET /me`: who the signed-in agent is, from the claims of the access token the gateway verified.
 */
import type { ConsoleSession } from './contract';
import { roleOf } from './groups';

/** A claim that may be a JSON array, or the `"[a b]"` / space-separated text API Gateway hands over. */
function listClaim(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String).filter(Boolean);
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((c) => c.replace(/^"|"$/g, ''))
    .filter(Boolean);
}

/** The session of the token's claims; `customersClaim` names the claim listing the MDES customers. */
export function sessionOf(claims: Record<string, unknown>, customersClaim: string): ConsoleSession {
  const scopes = listClaim(claims.scope ?? claims.scp);
  const groups = listClaim(claims['cognito:groups'] ?? claims.groups);
  const userId = String(claims.sub ?? '');
  const exp = Number(claims.exp);
  return {
    userId,
    userName: String(claims.name ?? claims.username ?? userId),
    scopes,
    canAct: scopes.includes('tokens:write'),
    role: roleOf(scopes, groups),
    groups,
    mdesCustomers: listClaim(claims[customersClaim]),
    ...(Number.isFinite(exp) && exp > 0 ? { expiresAt: new Date(exp * 1000).toISOString() } : {}),
  };
}
