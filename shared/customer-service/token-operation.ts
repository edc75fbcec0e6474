/**
 * One operation on one token (reads: token, status history, comments, transactions, activation
 * methods; writes: suspend, unsuspend, delete, activate, resend activation code, reset mobile PIN,
 * update, update assurance, messages).
 *
 * Primary course: resolve the token (our id or its TUR → TUR, our status; refused when another
 * customer serves it or its TUR collides) → validate the request against the MDES contract →
 * audit PENDING (writes) → know the token's status (ours, or MDES's by a search when ours is unknown,
 * forbids the call, or the call is a suspend/unsuspend that needs the suspenders) → check the FAQ's
 * status table and the multi-suspender rules → call MDES as the officer → audit DONE (and the
 * token's timeline) → answer. Any refusal or failure on the way: audit REFUSED or FAILED
 * (`auditOutcomeOf`), then the error goes to the caller; a FAILED write also flags the token's card
 * for the next reconciliation run (as the lifecycle flow does).
 */
import { buildRequestBody, type CallResult, type RequestOf, tokenOfSearch } from '../adapters/mdes/contract';
import { auditedFailure, type Officer, pendingAudit } from '../domain/audit';
import { NotFoundError, ValidationError } from '../domain/errors';
import {
  CARDHOLDER_SUSPENDER,
  checkStatusRule,
  type CsTokenStatus,
  csStatusOfCode,
  ISSUER_SUSPENDER,
  STATUS_TABLE,
  SUSPENDERS,
} from '../domain/status-rules';
import type { AuditOwner, AuditRecord } from '../domain/store';
import { StatusRuleViolationError } from './errors';
import { type RuledOperation, TOKEN_OPERATIONS, type TokenOperation } from './operations';
import type { CustomerServiceDeps } from './ports';
import { auditInfoOf, resolve, type TokenRef } from './resolve';

/** MDES wallet id of Apple Pay: the only wallet where the issuer may override a cardholder suspension. */
const APPLE_PAY_WALLET_ID = '103';

/** `IssuerApplicationMessageDisplay` as the spec writes it (TRUE/FALSE); our API also takes booleans and lower case. */
function normaliseMessageDisplay(params: Record<string, unknown>): void {
  const v = params.IssuerApplicationMessageDisplay;
  if (typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$/i.test(v)))
    params.IssuerApplicationMessageDisplay = String(v).toUpperCase();
}

/** Transactions older than this are not returned (MDES itself keeps 30 days; we say so and enforce it). */
const TRANSACTION_WINDOW_DAYS = 30;

/** What the internal API answers for a token operation. */
export interface TokenOperationResult {
  operation: TokenOperation;
  customerId: string;
  tokenId?: string;
  tokenUniqueReference: string;
  outcome: 'DONE';
  statusBefore?: CsTokenStatus;
  /** Suspenders as MDES reported them before the call, by name. */
  suspendersBefore?: string[];
  /** After an unsuspend: the others who still suspend the token (multi-suspender). */
  stillSuspendedBy?: string[];
  /** Transactions only. */
  window?: string;
  /** Set when the issuer lifted a cardholder's suspension on purpose (`override: true`). */
  override?: 'CARDHOLDER_SUSPENSION';
  note?: string;
  mdes: unknown;
  auditId: string;
}

/**
 * Runs one Customer Service operation on a token: resolves the token, checks the FAQ's status
 * table (refreshing the status from MDES when ours is unknown or forbids the call), honours the
 * multi-suspender rules, calls MDES as the officer, and writes the audit record (PENDING before
 * the call, so an action can never happen without a trace; the outcome after).
 */
export async function runTokenOperation(
  input: {
    ref: TokenRef;
    operation: TokenOperation;
    officer: Officer;
    params: Record<string, unknown>;
    customerId?: string;
  },
  deps: CustomerServiceDeps,
): Promise<TokenOperationResult> {
  const started = performance.now();
  const def = TOKEN_OPERATIONS[input.operation];
  const connection = deps.connection(input.customerId);
  const { customer, client } = connection;
  const audit = auditInfoOf(input.officer, customer.organization);
  const token = await resolve(input.ref, customer.customerId, deps);
  const owner: AuditOwner = token.tokenId ? { tokenId: token.tokenId } : { tur: token.tur };

  // `override` is ours, not MDES's: only an unsuspend takes it (a cardholder's suspension).
  const { override, ...params } = input.params;
  if (override !== undefined && (def.mdes !== 'unsuspend' || typeof override !== 'boolean'))
    throw new ValidationError('override (boolean) is only accepted by unsuspend', [
      'override: only for unsuspend, true or false',
    ]);
  if (def.mdes === 'accountHolderMessaging') normaliseMessageDisplay(params);
  // Validate before anything is sent or written: a malformed request is the caller's to fix.
  const request = {
    ...(def.mdes === 'search' ? {} : params),
    TokenUniqueReference: token.tur,
    AuditInfo: audit,
  } as RequestOf<typeof def.mdes>;
  if (def.mdes === 'search' && Object.keys(input.params).length)
    throw new ValidationError('GET …/token takes no parameters');
  buildRequestBody(def.mdes, request);

  const record: AuditRecord = {
    ...pendingAudit(
      { officer: input.officer, params: { ...params, ...(override === true ? { override: 'true' } : {}) } },
      customer.customerId,
      (deps.now?.() ?? new Date()).toISOString(),
    ),
    operation: input.operation,
    tokenId: token.tokenId,
    tokenUniqueReference: token.tur,
  };
  // A change is traced before it is sent; a read changes nothing at MDES and is recorded once, after.
  if (def.write) await deps.store.putAudit(owner, record);
  const finish = async (
    outcome: AuditRecord['outcome'],
    httpStatus: number,
    reason?: string,
    extra: Partial<AuditRecord> = {},
  ) => {
    Object.assign(record, {
      outcome,
      httpStatus,
      reason,
      latencyMs: Math.round(performance.now() - started),
      ...extra,
    });
    await deps.store.putAudit(owner, record);
    // ... and the token's timeline, next to its network events and ID&V milestones.
    if (token.tokenId)
      await deps.store.addTimelineEntry(
        { tokenId: token.tokenId },
        {
          eventId: `cs-${record.auditId}`,
          eventType: 'customer_service',
          occurredAt: record.at,
          callMethod: input.operation.toUpperCase().replace(/-/g, '_'),
          recognized: true,
          facts: {},
          payload: JSON.stringify({
            auditId: record.auditId,
            outcome,
            httpStatus,
            userId: record.userId,
            reasonCode: record.parameters?.ReasonCode,
          }),
          receivedAt: new Date().toISOString(),
        },
      );
  };

  try {
    let statusBefore = token.localStatus;
    let suspenders: string[] | undefined;
    let walletId: string | undefined;
    const rules = STATUS_TABLE[def.mdes as RuledOperation];
    const needsMdesView =
      def.mdes === 'suspend' || def.mdes === 'unsuspend' || statusBefore === undefined || !rules.includes(statusBefore);
    if (needsMdesView && def.mdes !== 'search') {
      const found = tokenOfSearch(
        (await client.search({ TokenUniqueReference: token.tur, AuditInfo: audit })).body,
        token.tur,
      );
      if (!found) throw new NotFoundError(`MDES has no token ${token.tur}`);
      statusBefore = csStatusOfCode(found.CurrentStatusCode);
      suspenders = found.Suspenders?.Suspender ?? [];
      walletId = found.WalletId;
    }
    if (statusBefore) {
      const verdict = checkStatusRule(def.mdes as RuledOperation, statusBefore);
      if (!verdict.allowed) throw new StatusRuleViolationError(verdict.rule);
    }
    const named = suspenders?.map((s) => SUSPENDERS[s] ?? s);
    if (def.mdes === 'suspend' && suspenders?.includes(ISSUER_SUSPENDER)) {
      await finish('DONE', 200, 'already suspended by the issuer; nothing sent to MDES', {
        mdesStatusBefore: statusBefore,
      });
      return {
        ...base(),
        note: 'already suspended by the issuer: nothing sent to MDES (suspending twice would add nothing)',
        mdes: null,
      };
    }
    // The spec (Apple Pay special case) lets the issuer lift a cardholder's suspension: only on purpose,
    // with `override: true`, and only where the issuer has no suspension of its own to lift first.
    const cardholderOnly =
      def.mdes === 'unsuspend' &&
      !suspenders?.includes(ISSUER_SUSPENDER) &&
      suspenders?.includes(CARDHOLDER_SUSPENDER) === true;
    if (cardholderOnly && override === true && walletId !== APPLE_PAY_WALLET_ID)
      throw new StatusRuleViolationError(
        'MDES lets the issuer override a cardholder suspension on Apple Pay tokens only; this token is in another wallet',
      );
    const liftsCardholder = cardholderOnly && override === true;
    if (def.mdes === 'unsuspend' && !suspenders?.includes(ISSUER_SUSPENDER) && !liftsCardholder)
      throw new StatusRuleViolationError(
        `MDES multi-suspender rule: the issuer can only lift its own suspension, and this token is suspended only by ${named?.join(', ') || 'nobody'}; each suspender must unsuspend it itself` +
          (cardholderOnly
            ? ' (the issuer may lift a cardholder suspension of an Apple Pay token with "override": true, audited as an override)'
            : ''),
      );
    if (liftsCardholder) record.parameters = { ...record.parameters, override: 'CARDHOLDER_SUSPENSION' };

    const result = await client.call(def.mdes, request);
    const lifted = liftsCardholder ? [CARDHOLDER_SUSPENDER] : [ISSUER_SUSPENDER];
    const others = suspenders?.filter((s) => !lifted.includes(s)).map((s) => SUSPENDERS[s] ?? s) ?? [];
    const out: TokenOperationResult = {
      ...base(),
      mdes: def.mdes === 'transactions' ? withinWindow(result as CallResult<'transactions'>, deps) : result.body,
      ...(def.mdes === 'transactions'
        ? { window: `last ${TRANSACTION_WINDOW_DAYS} days only: MDES keeps no older token transactions` }
        : {}),
      ...(def.mdes === 'unsuspend' && others.length
        ? {
            stillSuspendedBy: others,
            note: `the issuer suspension is lifted, but the token stays suspended by ${others.join(', ')}`,
          }
        : {}),
      ...(liftsCardholder
        ? {
            override: 'CARDHOLDER_SUSPENSION' as const,
            note: `the cardholder's suspension was lifted by the issuer (override)${others.length ? `; still suspended by ${others.join(', ')}` : ''}`,
          }
        : {}),
      ...(result.confirmedBySearch ? { note: 'the MDES response was lost; a search confirmed the change' } : {}),
    };
    await finish('DONE', 200, out.note, { mdesStatusBefore: statusBefore });
    return out;

    function base() {
      return {
        operation: input.operation,
        customerId: customer.customerId,
        tokenId: token.tokenId,
        tokenUniqueReference: token.tur,
        outcome: 'DONE' as const,
        statusBefore,
        ...(named ? { suspendersBefore: named } : {}),
        auditId: record.auditId,
      };
    }
  } catch (err) {
    // One rule for every route (shared/domain/audit.ts): REFUSED when a rule or MDES said no, FAILED
    // when MDES, the circuit or our keys could not serve, or something broke.
    const { outcome, httpStatus, reason, mdesReason } = auditedFailure(err);
    // A write that FAILED (not refused) leaves the token's state at MDES in doubt: the next
    // reconciliation run checks its card. Best effort: a flag that cannot be written must not hide
    // the action's error. A read changes nothing, so it leaves nothing in doubt.
    if (def.write && outcome === 'FAILED' && token.cardId)
      await deps.store
        .flagCardForReconciliation({
          cardId: token.cardId,
          ...(token.accountId ? { accountId: token.accountId } : {}),
          reason: `${input.operation} failed: ${reason ?? 'unknown'}`.slice(0, 200),
          at: record.at,
        })
        .catch(() => undefined);
    await finish(outcome, httpStatus, reason, mdesReason !== undefined ? { mdesReason } : {});
    throw err;
  }
}

/** The transactions of the last {@link TRANSACTION_WINDOW_DAYS} days only. */
function withinWindow(result: CallResult<'transactions'>, deps: CustomerServiceDeps) {
  const since = (deps.now?.() ?? new Date()).getTime() - TRANSACTION_WINDOW_DAYS * 86_400_000;
  const list = result.body.TransactionsResponse?.Transactions?.Transaction ?? [];
  return {
    TransactionsResponse: {
      Transactions: {
        Transaction: list.filter((t) => !t.TransactionDateTime || Date.parse(t.TransactionDateTime) >= since),
      },
    },
  };
}
