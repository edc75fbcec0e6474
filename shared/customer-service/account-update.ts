/**
 * Token Update of a whole account (a reissued card).
 *
 * Primary course: validate (`CurrentAccountPan` required, no TUR) → audit PENDING on the day →
 * search the account's tokens and refuse (409) if one of their TURs collides, before MDES changes
 * anything → Token Update as the officer → audit DONE on each token MDES updated (a collision
 * appearing meanwhile is reported, not guessed) → the day's record DONE → answer. Any refusal or
 * failure: the day's record REFUSED or FAILED (`auditOutcomeOf`), then the error goes to the caller.
 */
import { randomUUID } from 'node:crypto';
import { buildRequestBody, type RequestOf, tokensOfSearch } from '../adapters/mdes/contract';
import { auditedFailure, type Officer, pendingAudit } from '../domain/audit';
import { ValidationError } from '../domain/errors';
import type { AuditOwner, AuditRecord } from '../domain/store';
import { TurCollisionError } from './errors';
import type { CustomerServiceDeps } from './ports';
import { auditInfoOf, linkedTokenId } from './resolve';

/**
 * Token Update by `CurrentAccountPan` (a reissued card: new PAN or expiry for every token of the
 * account). The PAN stays in the body; audit: PENDING then the outcome on the day, and one DONE
 * record on each token MDES updated.
 */
export async function updateAccountTokens(
  input: { params: Record<string, unknown>; officer: Officer; customerId?: string },
  deps: CustomerServiceDeps,
): Promise<{ customerId: string; updated: { tokenUniqueReference?: string; tokenId?: string }[]; auditId: string }> {
  const started = performance.now();
  const { customer, client } = deps.connection(input.customerId);
  if ('TokenUniqueReference' in input.params)
    throw new ValidationError('to update one token use POST /cs/turs/{tur}/update', [
      'TokenUniqueReference: not allowed here',
    ]);
  if (!('CurrentAccountPan' in input.params))
    throw new ValidationError('CurrentAccountPan is required', ['CurrentAccountPan: required']);
  const audit = auditInfoOf(input.officer, customer.organization);
  const request = { ...input.params, AuditInfo: audit } as RequestOf<'update'>;
  buildRequestBody('update', request);
  const at = (deps.now?.() ?? new Date()).toISOString();
  const record: AuditRecord = { ...pendingAudit(input, customer.customerId, at), operation: 'update-account' };
  const day: AuditOwner = { day: at.slice(0, 10) };
  await deps.store.putAudit(day, record);
  try {
    // Two of our tokens with one TUR among the account's tokens: refuse before MDES changes anything.
    const current = await client.search({ AccountPan: request.CurrentAccountPan, AuditInfo: audit });
    for (const t of tokensOfSearch(current.body))
      if (t.TokenUniqueReference) await linkedTokenId(t.TokenUniqueReference, customer.customerId, deps);
    const result = await client.update(request);
    const updated = [];
    const collisions: TurCollisionError[] = [];
    for (const t of result.body.TokenUpdateResponse?.Tokens?.Token ?? []) {
      // A collision appearing since the check above cannot stop what MDES already did: it is reported
      // (logged, counted, in the day's record) and the token's record goes under its TUR, not a guess.
      const tokenId = t.TokenUniqueReference
        ? await linkedTokenId(t.TokenUniqueReference, customer.customerId, deps).catch((err: unknown) => {
            if (err instanceof TurCollisionError) {
              collisions.push(err);
              return undefined;
            }
            throw err;
          })
        : undefined;
      updated.push({ tokenUniqueReference: t.TokenUniqueReference, tokenId });
      await deps.store.putAudit(tokenId ? { tokenId } : { tur: t.TokenUniqueReference ?? '-' }, {
        ...record,
        auditId: randomUUID(),
        outcome: 'DONE',
        httpStatus: 200,
        tokenId,
        tokenUniqueReference: t.TokenUniqueReference,
        latencyMs: Math.round(performance.now() - started),
      });
    }
    Object.assign(record, {
      outcome: 'DONE',
      httpStatus: 200,
      reason:
        `${updated.length} token(s) updated` +
        (collisions.length ? `; TUR collisions: ${collisions.map((c) => c.tokenIds.join('/')).join(', ')}` : ''),
      latencyMs: Math.round(performance.now() - started),
    });
    await deps.store.putAudit(day, record);
    return { customerId: customer.customerId, updated, auditId: record.auditId };
  } catch (err) {
    Object.assign(record, { ...auditedFailure(err), latencyMs: Math.round(performance.now() - started) });
    await deps.store.putAudit(day, record);
    throw err;
  }
}
