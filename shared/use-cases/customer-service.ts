import { randomUUID } from 'node:crypto';
import { AppError, NotFoundError, ValidationError } from '../domain/errors';
import type { TokenStatus } from '../domain/token-status';
import { type CallResult, MdesCustomerServiceClient } from '../mdes/client';
import type { AuditInfo, MdesToken, OperationName, RequestOf } from '../mdes/contract';
import type { MdesConnection } from '../mdes/customers';
import { MdesCircuitOpen, MdesRejected, MdesUnavailable } from '../mdes/errors';
import {
  checkStatusRule,
  type CsTokenStatus,
  csStatusOfCode,
  ISSUER_SUSPENDER,
  STATUS_TABLE,
  SUSPENDERS,
} from '../mdes/status-rules';
import type { AuditOwner, AuditRecord, TokenStore } from '../store/token-store';

/** The acting customer-service officer, from the caller's JWT. */
export interface Officer {
  userId: string;
  userName: string;
}

/** A token addressed by our (Pismo) token id or by its MDES Token Unique Reference. */
export type TokenRef = { tokenId: string } | { tur: string };

export interface CustomerServiceDeps {
  store: Pick<TokenStore, 'getTokenState' | 'findTokenIdByTur' | 'putAudit' | 'addTimelineEntry'>;
  connection: (customerId?: string) => MdesConnection;
  now?: () => Date;
}

/** Operations on one token, as the internal API names them → the MDES operation. */
export const TOKEN_OPERATIONS = {
  // reads (GET, scope tokens:read)
  token: { mdes: 'search', write: false },
  'status-history': { mdes: 'statusHistory', write: false },
  comments: { mdes: 'comments', write: false },
  transactions: { mdes: 'transactions', write: false },
  'activation-methods': { mdes: 'activationMethods', write: false },
  // writes (POST, scope tokens:write)
  suspend: { mdes: 'suspend', write: true },
  unsuspend: { mdes: 'unsuspend', write: true },
  delete: { mdes: 'delete', write: true },
  activate: { mdes: 'activate', write: true },
  'resend-activation-code': { mdes: 'resendActivationCode', write: true },
  'reset-mobile-pin': { mdes: 'resetMobilePin', write: true },
  update: { mdes: 'update', write: true },
  'update-assurance': { mdes: 'updateTokenAssurance', write: true },
  messages: { mdes: 'accountHolderMessaging', write: true },
} as const satisfies Record<string, { mdes: OperationName; write: boolean }>;
export type TokenOperation = keyof typeof TOKEN_OPERATIONS;

/** A rule of the FAQ's status table (or multi-suspender logic) forbids the call (409). */
export class StatusRuleViolation extends AppError {
  constructor(rule: string) {
    super(rule, 409, true);
  }
}

/** Our token statuses → the FAQ's columns; undefined where we cannot tell (MDES is asked). */
const FROM_LOCAL: Partial<Record<TokenStatus, CsTokenStatus>> = {
  requested: 'IN_PROGRESS',
  pending_idv: 'IN_PROGRESS',
  active: 'ACTIVE',
  suspended: 'SUSPENDED',
  deleted: 'DELETED',
};

/** The officer as MDES `AuditInfo`, with the customer's organization. */
function auditInfoOf(officer: Officer, organization: string): AuditInfo {
  return { UserId: officer.userId, UserName: officer.userName, Organization: organization };
}

/** Transactions older than this are not returned (MDES itself keeps 30 days; we say so and enforce it). */
const TRANSACTION_WINDOW_DAYS = 30;

interface Resolved {
  tokenId?: string;
  tur: string;
  localStatus?: CsTokenStatus;
}

async function resolve(ref: TokenRef, store: CustomerServiceDeps['store']): Promise<Resolved> {
  if ('tur' in ref) {
    const tokenId = await store.findTokenIdByTur(ref.tur);
    const state = tokenId ? await store.getTokenState(tokenId) : undefined;
    const status = state?.state.status;
    return { tokenId, tur: ref.tur, localStatus: status ? FROM_LOCAL[status] : undefined };
  }
  const state = await store.getTokenState(ref.tokenId);
  if (!state) throw new NotFoundError(`token ${ref.tokenId} not found`);
  const tur = state.state.facts.tokenUniqueReference;
  if (state.state.facts.network === 'VTS')
    throw new StatusRuleViolation(`token ${ref.tokenId} is a Visa (VTS) token: MDES Customer Service cannot act on it`);
  if (!tur)
    throw new StatusRuleViolation(
      `token ${ref.tokenId} has no MDES Token Unique Reference yet; address it by TUR or wait for its TC/status event`,
    );
  const status = state.state.status;
  return { tokenId: ref.tokenId, tur, localStatus: status ? FROM_LOCAL[status] : undefined };
}

function tokensOf(result: CallResult<'search'>): MdesToken[] {
  return result.body.SearchResponse?.Accounts?.Account?.flatMap((a) => a.Tokens?.Token ?? []) ?? [];
}

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
  const token = await resolve(input.ref, deps.store);
  const owner: AuditOwner = token.tokenId ? { tokenId: token.tokenId } : { tur: token.tur };

  // Validate before anything is sent or written: a malformed request is the caller's to fix.
  const request = {
    ...(def.mdes === 'search' ? {} : input.params),
    TokenUniqueReference: token.tur,
    AuditInfo: audit,
  } as RequestOf<typeof def.mdes>;
  if (def.mdes === 'search' && Object.keys(input.params).length)
    throw new ValidationError('GET …/token takes no parameters');
  MdesCustomerServiceClient.buildBody(def.mdes, request);

  const record: AuditRecord = {
    ...pendingAudit(input, customer.customerId, (deps.now?.() ?? new Date()).toISOString()),
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
    const rules = STATUS_TABLE[def.mdes as keyof typeof STATUS_TABLE];
    const needsMdesView =
      def.mdes === 'suspend' || def.mdes === 'unsuspend' || statusBefore === undefined || !rules.includes(statusBefore);
    if (needsMdesView && def.mdes !== 'search') {
      const found = tokensOf(await client.search({ TokenUniqueReference: token.tur, AuditInfo: audit })).find(
        (t) => t.TokenUniqueReference === token.tur,
      );
      if (!found) throw new NotFoundError(`MDES has no token ${token.tur}`);
      statusBefore = csStatusOfCode(found.CurrentStatusCode);
      suspenders = found.Suspenders?.Suspender ?? [];
    }
    if (statusBefore) {
      const verdict = checkStatusRule(def.mdes as keyof typeof STATUS_TABLE, statusBefore);
      if (!verdict.allowed) throw new StatusRuleViolation(verdict.rule);
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
    if (def.mdes === 'unsuspend' && !suspenders?.includes(ISSUER_SUSPENDER))
      throw new StatusRuleViolation(
        `MDES multi-suspender rule: the issuer can only lift its own suspension, and this token is suspended only by ${named?.join(', ') || 'nobody'}; each suspender must unsuspend it itself`,
      );

    const result = await client.call(def.mdes, request);
    const others = suspenders?.filter((s) => s !== ISSUER_SUSPENDER).map((s) => SUSPENDERS[s] ?? s) ?? [];
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
    const status = err instanceof AppError ? err.statusCode : 500;
    const failed = err instanceof MdesUnavailable || err instanceof MdesCircuitOpen || !(err instanceof AppError);
    await finish(failed ? 'FAILED' : 'REFUSED', status, err instanceof AppError ? err.message : 'internal error', {
      ...(err instanceof MdesRejected ? { mdesReason: err.details?.join('; ') } : {}),
    });
    throw err;
  }
}

/** A new audit record, PENDING, for the officer's call with these parameters. */
function pendingAudit(
  input: { officer: Officer; params: Record<string, unknown> },
  customerId: string,
  at: string,
): Omit<AuditRecord, 'operation'> {
  return {
    auditId: randomUUID(),
    at,
    customerId,
    userId: input.officer.userId,
    userName: input.officer.userName,
    outcome: 'PENDING',
    httpStatus: 0,
    parameters: safeParameters(input.params),
    latencyMs: 0,
  };
}

/** Request parameters worth keeping in the audit: codes and comments, never a PAN or a key. */
function safeParameters(params: Record<string, unknown>): Record<string, string> | undefined {
  const keep = [
    'ReasonCode',
    'CommentText',
    'ActivationMethodId',
    'ExpirationDate',
    'IssuerProductConfigurationId',
    'MessageIdentifier',
  ];
  const out = Object.fromEntries(
    keep.filter((k) => typeof params[k] === 'string').map((k) => [k, String(params[k]).slice(0, 500)]),
  );
  return Object.keys(out).length ? out : undefined;
}

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
  storageTechnology?: string;
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
  MdesCustomerServiceClient.buildBody('search', request);
  const criterion = Object.keys(input.criteria).find((k) => k !== 'ExcludeDeletedIndicator') ?? 'unknown';
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
  let result: CallResult<'search'>;
  try {
    result = await client.search(request);
  } catch (err) {
    const status = err instanceof AppError ? err.statusCode : 500;
    const r = record({}, err instanceof MdesRejected ? 'REFUSED' : 'FAILED', status, (err as Error).message);
    await deps.store.putAudit({ day: at.slice(0, 10) }, r);
    throw err;
  }
  const accounts = result.body.SearchResponse?.Accounts?.Account ?? [];
  const tokens: SearchedToken[] = [];
  for (const account of accounts)
    for (const t of account.Tokens?.Token ?? []) {
      const status = csStatusOfCode(t.CurrentStatusCode);
      const tokenId = t.TokenUniqueReference ? await deps.store.findTokenIdByTur(t.TokenUniqueReference) : undefined;
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
        storageTechnology: t.StorageTechnology,
        allowedOperations: status
          ? (Object.keys(TOKEN_OPERATIONS) as TokenOperation[]).filter((op) =>
              (STATUS_TABLE[TOKEN_OPERATIONS[op].mdes as keyof typeof STATUS_TABLE] ?? []).includes(status),
            )
          : [],
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
  MdesCustomerServiceClient.buildBody('update', request);
  const at = (deps.now?.() ?? new Date()).toISOString();
  const record: AuditRecord = { ...pendingAudit(input, customer.customerId, at), operation: 'update-account' };
  const day: AuditOwner = { day: at.slice(0, 10) };
  await deps.store.putAudit(day, record);
  try {
    const result = await client.update(request);
    const updated = [];
    for (const t of result.body.TokenUpdateResponse?.Tokens?.Token ?? []) {
      const tokenId = t.TokenUniqueReference ? await deps.store.findTokenIdByTur(t.TokenUniqueReference) : undefined;
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
      reason: `${updated.length} token(s) updated`,
      latencyMs: Math.round(performance.now() - started),
    });
    await deps.store.putAudit(day, record);
    return { customerId: customer.customerId, updated, auditId: record.auditId };
  } catch (err) {
    Object.assign(record, {
      outcome: err instanceof MdesRejected ? 'REFUSED' : 'FAILED',
      httpStatus: err instanceof AppError ? err.statusCode : 500,
      reason: err instanceof AppError ? err.message : 'internal error',
      latencyMs: Math.round(performance.now() - started),
    });
    await deps.store.putAudit(day, record);
    throw err;
  }
}

/** MDES System Status (no token, no audit: it reads nothing about a cardholder). */
export async function systemStatus(customerId: string | undefined, deps: CustomerServiceDeps) {
  const { customer, client } = deps.connection(customerId);
  const result = await client.systemStatus();
  return { customerId: customer.customerId, circuit: client.circuitState, mdes: result.body };
}
