/**
 * Search for tokens.
 *
 * Primary course: validate the criteria against the MDES contract → search MDES as the officer →
 * link each token found to ours (by TUR; not when another customer serves it; a TUR collision
 * refuses the whole answer) → describe each token (status, suspenders, storage technology, the
 * operations the FAQ's status table allows now) → audit DONE under each token (or under the day
 * when nothing was found) → answer. MDES refusing or failing, or a collision: audited on the day
 * (REFUSED or FAILED, `auditOutcomeOf`), then the error goes to the caller.
 */
import { randomUUID } from 'node:crypto';
import { accountTokensOfSearch, buildRequestBody, type RequestOf } from '../adapters/mdes/contract';
import { decodeStorageTechnology, type StorageTechnology } from '../adapters/mdes/storage-technology';
import { auditedFailure, type Officer } from '../domain/audit';
import { type CsTokenStatus, csStatusOfCode, SUSPENDERS } from '../domain/status-rules';
import type { AuditOwner, AuditRecord } from '../domain/store';
import { allowedOperationsOf, type TokenOperation } from './operations';
import type { CustomerServiceDeps } from './ports';
import { auditInfoOf, linkedTokenId } from './resolve';

/** One token of a search, as the internal API shows it: what MDES says, plus what may be done with it. */
export interface SearchedToken {
  tokenUniqueReference?: string;
  /** Our (Pismo) token id, when our store knows the token. */
  tokenId?: string;
  accountPanSuffix?: string;
  status?: CsTokenStatus;
  suspenders: string[];
  tokenSuffix?: string;
  walletId?: string;
  tokenRequestorId?: string;
  deviceName?: string;
  /** MDES StorageTechnology decoded with the FAQ's descriptions; `deviceBased` is anything but H (server). */
  storageTechnology?: StorageTechnology;
  /** Internal API operations the FAQ's status table allows now. */
  allowedOperations: TokenOperation[];
}

/**
 * Search (by PAN, TUR, token, payment app instance, comment id or alternate account id): the PAN
 * arrives only in a request body, goes to MDES and nowhere else (not the audit, not a log).
 * Audited under each token found, or under the day when nothing was found.
 */
export async function searchTokens(
  input: { criteria: Record<string, unknown>; officer: Officer; customerId?: string },
  deps: CustomerServiceDeps,
): Promise<{ customerId: string; tokens: SearchedToken[]; auditIds: string[] }> {
  const started = performance.now();
  const { customer, client } = deps.connection(input.customerId);
  const audit = auditInfoOf(input.officer, customer.organization);
  const request = { ...input.criteria, AuditInfo: audit } as RequestOf<'search'>;
  buildRequestBody('search', request);
  const criterion =
    Object.keys(input.criteria).find((k) => k !== 'ExcludeDeletedIndicator' && k !== 'IncludeDeviceTokenOnly') ??
    'unknown';
  const at = (deps.now?.() ?? new Date()).toISOString();
  const record = (
    owner: Partial<AuditRecord>,
    outcome: AuditRecord['outcome'],
    httpStatus: number,
    reason?: string,
  ): AuditRecord => ({
    auditId: randomUUID(),
    at,
    operation: 'search',
    customerId: customer.customerId,
    userId: input.officer.userId,
    userName: input.officer.userName,
    outcome,
    httpStatus,
    reason,
    // Which criterion was used, never its value (it may be a PAN or a token number).
    parameters: { criterion },
    latencyMs: Math.round(performance.now() - started),
    ...owner,
  });
  // Nothing found out, or no answer to give: one record on the day, with the outcome of the failure.
  const failed = async (err: unknown) => {
    const { outcome, httpStatus, reason, mdesReason } = auditedFailure(err);
    await deps.store.putAudit(
      { day: at.slice(0, 10) },
      { ...record({}, outcome, httpStatus, reason), ...(mdesReason !== undefined ? { mdesReason } : {}) },
    );
  };
  let found: ReturnType<typeof accountTokensOfSearch>;
  try {
    found = accountTokensOfSearch((await client.search(request)).body);
  } catch (err) {
    await failed(err);
    throw err;
  }
  const tokens: SearchedToken[] = [];
  // Our token for each TUR found: a collision refuses the whole answer (audited), as on every TUR path.
  const linked = new Map<string, string | undefined>();
  try {
    for (const { token: t } of found)
      if (t.TokenUniqueReference && !linked.has(t.TokenUniqueReference))
        linked.set(t.TokenUniqueReference, await linkedTokenId(t.TokenUniqueReference, customer.customerId, deps));
  } catch (err) {
    await failed(err);
    throw err;
  }
  for (const { account, token: t } of found) {
    const status = csStatusOfCode(t.CurrentStatusCode);
    const tokenId = t.TokenUniqueReference ? linked.get(t.TokenUniqueReference) : undefined;
    tokens.push({
      tokenUniqueReference: t.TokenUniqueReference,
      tokenId,
      accountPanSuffix: account.AccountPanSuffix,
      status,
      suspenders: (t.Suspenders?.Suspender ?? []).map((s) => SUSPENDERS[s] ?? s),
      tokenSuffix: t.TokenSuffix,
      walletId: t.WalletId,
      tokenRequestorId: t.TokenRequestorId,
      deviceName: t.Device?.DeviceName,
      storageTechnology: decodeStorageTechnology(t.StorageTechnology),
      allowedOperations: allowedOperationsOf(status),
    });
  }
  const records = tokens.length
    ? tokens.map((t) => ({
        owner: (t.tokenId ? { tokenId: t.tokenId } : { tur: t.tokenUniqueReference ?? '-' }) as AuditOwner,
        r: record({ tokenId: t.tokenId, tokenUniqueReference: t.tokenUniqueReference }, 'DONE', 200),
      }))
    : [{ owner: { day: at.slice(0, 10) } as AuditOwner, r: record({}, 'DONE', 200, 'no token found') }];
  await Promise.all(records.map(({ owner, r }) => deps.store.putAudit(owner, r)));
  return { customerId: customer.customerId, tokens, auditIds: records.map(({ r }) => r.auditId) };
}
