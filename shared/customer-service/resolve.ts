import type { AuditInfo } from '../adapters/mdes/contract';
import type { Officer } from '../domain/audit';
import { NotFoundError } from '../domain/errors';
import type { CsTokenStatus } from '../domain/status-rules';
import type { TokenStatus } from '../domain/token-status';
import { StatusRuleViolationError, TokenOfOtherCustomerError, TurCollisionError } from './errors';
import type { CustomerServiceDeps } from './ports';

/** A token addressed by our (Pismo) token id or by its MDES Token Unique Reference. */
export type TokenRef = { tokenId: string } | { tur: string };

/** Our token statuses → the FAQ's columns; undefined where we cannot tell (MDES is asked). */
const FROM_LOCAL: Partial<Record<TokenStatus, CsTokenStatus>> = {
  requested: 'IN_PROGRESS',
  pending_idv: 'IN_PROGRESS',
  active: 'ACTIVE',
  suspended: 'SUSPENDED',
  deleted: 'DELETED',
};

/** The officer as MDES `AuditInfo`, with the customer's organization. */
export function auditInfoOf(officer: Officer, organization: string): AuditInfo {
  return { UserId: officer.userId, UserName: officer.userName, Organization: organization };
}

/**
 * A token resolved for an operation: its TUR, our id when we know it, our view of its status, and
 * its card and account when our state names them (a FAILED write flags the card for reconciliation).
 */
export interface Resolved {
  tokenId?: string;
  tur: string;
  localStatus?: CsTokenStatus;
  cardId?: string;
  accountId?: string;
}

/** The card and account our state names, if any. */
const cardOf = (facts: { cardId?: string; accountId?: string } | undefined) => ({
  ...(facts?.cardId ? { cardId: facts.cardId } : {}),
  ...(facts?.accountId ? { accountId: facts.accountId } : {}),
});

/**
 * Our token carrying `tur`, if any. Never `Limit: 1`: two tokens with one TUR are a data defect that
 * must stop the action (409 naming them), be logged and counted, not be resolved by query order.
 */
export async function tokenIdOfTur(
  tur: string,
  deps: Pick<CustomerServiceDeps, 'store' | 'onTurCollision'>,
): Promise<string | undefined> {
  const ids = await deps.store.findTokenIdsByTur(tur);
  if (ids.length > 1) {
    deps.onTurCollision?.({ tur, tokenIds: ids });
    throw new TurCollisionError(tur, ids);
  }
  return ids[0];
}

/** Refuses a token whose state says it belongs to another MDES customer's issuer. */
function checkServed(
  tokenId: string,
  orgId: string | undefined,
  customerId: string,
  deps: Pick<CustomerServiceDeps, 'servesToken'>,
) {
  if (deps.servesToken && !deps.servesToken(customerId, orgId))
    throw new TokenOfOtherCustomerError(tokenId, customerId);
}

/**
 * The token `ref` addresses, for MDES customer `customerId`: refused when another customer serves
 * it, when it is not an MDES token or has no TUR yet, or when its TUR collides with another token's.
 */
export async function resolve(ref: TokenRef, customerId: string, deps: CustomerServiceDeps): Promise<Resolved> {
  const { store } = deps;
  if ('tur' in ref) {
    const tokenId = await tokenIdOfTur(ref.tur, deps);
    const state = tokenId ? await store.getTokenState(tokenId) : undefined;
    if (tokenId && state) checkServed(tokenId, state.state.facts.orgId, customerId, deps);
    const status = state?.state.status;
    return {
      tokenId,
      tur: ref.tur,
      localStatus: status ? FROM_LOCAL[status] : undefined,
      ...cardOf(state?.state.facts),
    };
  }
  const state = await store.getTokenState(ref.tokenId);
  if (!state) throw new NotFoundError(`token ${ref.tokenId} not found`);
  checkServed(ref.tokenId, state.state.facts.orgId, customerId, deps);
  const tur = state.state.facts.tokenUniqueReference;
  if (state.state.facts.network === 'VTS')
    throw new StatusRuleViolationError(
      `token ${ref.tokenId} is a Visa (VTS) token: MDES Customer Service cannot act on it`,
    );
  if (!tur)
    throw new StatusRuleViolationError(
      `token ${ref.tokenId} has no MDES Token Unique Reference yet; address it by TUR or wait for its TC/status event`,
    );
  // Another token claiming the same TUR means MDES would act on a token we cannot attribute.
  await tokenIdOfTur(tur, deps);
  const status = state.state.status;
  return {
    tokenId: ref.tokenId,
    tur,
    localStatus: status ? FROM_LOCAL[status] : undefined,
    ...cardOf(state.state.facts),
  };
}

/** Our token of a TUR MDES returned, unless its state belongs to another MDES customer (then not linked). */
export async function linkedTokenId(
  tur: string,
  customerId: string,
  deps: CustomerServiceDeps,
): Promise<string | undefined> {
  const tokenId = await tokenIdOfTur(tur, deps);
  if (!tokenId || !deps.servesToken) return tokenId;
  const state = await deps.store.getTokenState(tokenId);
  return state && !deps.servesToken(customerId, state.state.facts.orgId) ? undefined : tokenId;
}
