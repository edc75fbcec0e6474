import { randomUUID } from 'node:crypto';
import { AppError, NotFoundError, ValidationError } from '../domain/errors';
import type { TokenStatus } from '../domain/token-status';
import { type CallResult, MdesCustomerServiceClient } from '../adapters/mdes/client';
import type { AuditInfo, MdesToken, OperationName, RequestOf } from '../adapters/mdes/contract';
import type { MdesConnection } from '../adapters/mdes/customers';
import { MdesCircuitOpen, MdesRejected, MdesUnavailable } from '../adapters/mdes/errors';
import { decodeStorageTechnology, type StorageTechnology } from '../adapters/mdes/storage-technology';
import {
  CARDHOLDER_SUSPENDER,
  checkStatusRule,
  type CsTokenStatus,
  csStatusOfCode,
  ISSUER_SUSPENDER,
  STATUS_TABLE,
  SUSPENDERS,
} from '../domain/status-rules';
import type { AuditOwner, AuditPort, AuditRecord, TimelinePort, TokenStatePort } from '../domain/store';
import { type Officer, pendingAudit } from '../domain/audit';

export type { Officer } from '../domain/audit';

/** A token addressed by our (Pismo) token id or by its MDES Token Unique Reference. */
export type TokenRef = { tokenId: string } | { tur: string };

export interface CustomerServiceDeps {
  store: TokenStatePort & TimelinePort & AuditPort;
  connection: (customerId?: string) => MdesConnection;
  /**
   * Whether MDES customer `customerId` serves a token of Pismo organisation `orgId` (a processor
   * serving several issuers); absent: every customer serves every token.
   */
  servesToken?: (customerId: string, orgId: string | undefined) => boolean;
  /** Told when one TUR resolves to several of our tokens (the handler logs and counts it). */
  onTurCollision?: (collision: { tur: string; tokenIds: string[] }) => void;
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

/** Two or more of our tokens carry one TUR: acting on either would be a guess (409, naming them). */
export class TurCollision extends AppError {
  constructor(
    readonly tur: string,
    readonly tokenIds: readonly string[],
  ) {
    super(
      `Token Unique Reference collision: tokens ${tokenIds.join(', ')} all carry this TUR; nothing was done (fix the token data, then retry)`,
      409,
      true,
      tokenIds.map((id) => `tokenId: ${id}`),
    );
  }
}

/** The token belongs to an MDES customer other than the one the request acts for (403). */
export class TokenOfOtherCustomer extends AppError {
  constructor(tokenId: string, customerId: string) {
    super(`token ${tokenId} is not served by MDES customer ${customerId}`, 403, true);
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

interface Resolved {
  tokenId?: string;
  tur: string;
  localStatus?: CsTokenStatus;
}

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
    throw new TurCollision(tur, ids);
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
  if (deps.servesToken && !deps.servesToken(customerId, orgId)) throw new TokenOfOtherCustomer(tokenId, customerId);
}

async function resolve(ref: TokenRef, customerId: string, deps: CustomerServiceDeps): Promise<Resolved> {
  const { store } = deps;
  if ('tur' in ref) {
    const tokenId = await tokenIdOfTur(ref.tur, deps);
    const state = tokenId ? await store.getTokenState(tokenId) : undefined;
    if (tokenId && state) checkServed(tokenId, state.state.facts.orgId, customerId, deps);
    const status = state?.state.status;
    return { tokenId, tur: ref.tur, localStatus: status ? FROM_LOCAL[status] : undefined };
  }
  const state = await store.getTokenState(ref.tokenId);
  if (!state) throw new NotFoundError(`token ${ref.tokenId} not found`);
  checkServed(ref.tokenId, state.state.facts.orgId, customerId, deps);
  const tur = state.state.facts.tokenUniqueReference;
  if (state.state.facts.network === 'VTS')
    throw new StatusRuleViolation(`token ${ref.tokenId} is a Visa (VTS) token: MDES Customer Service cannot act on it`);
  if (!tur)
    throw new StatusRuleViolation(
      `token ${ref.tokenId} has no MDES Token Unique Reference yet; address it by TUR or wait for its TC/status event`,
    );
  // Another token claiming the same TUR means MDES would act on a token we cannot attribute.
  await tokenIdOfTur(tur, deps);
  const status = state.state.status;
  return { tokenId: ref.tokenId, tur, localStatus: status ? FROM_LOCAL[status] : undefined };
}

/** Our token of a TUR MDES returned, unless its state belongs to another MDES customer (then not linked). */
async function linkedTokenId(tur: string, customerId: string, deps: CustomerServiceDeps): Promise<string | undefined> {
  const tokenId = await tokenIdOfTur(tur, deps);
  if (!tokenId || !deps.servesToken) return tokenId;
  const state = await deps.store.getTokenState(tokenId);
  return state && !deps.servesToken(customerId, state.state.facts.orgId) ? undefined : tokenId;
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
  MdesCustomerServiceClient.buildBody(def.mdes, request);

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
      walletId = found.WalletId;
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
    // The spec (Apple Pay special case) lets the issuer lift a cardholder's suspension: only on purpose,
    // with `override: true`, and only where the issuer has no suspension of its own to lift first.
    const cardholderOnly =
      def.mdes === 'unsuspend' &&
      !suspenders?.includes(ISSUER_SUSPENDER) &&
      suspenders?.includes(CARDHOLDER_SUSPENDER) === true;
    if (cardholderOnly && override === true && walletId !== APPLE_PAY_WALLET_ID)
      throw new StatusRuleViolation(
        'MDES lets the issuer override a cardholder suspension on Apple Pay tokens only; this token is in another wallet',
      );
    const liftsCardholder = cardholderOnly && override === true;
    if (def.mdes === 'unsuspend' && !suspenders?.includes(ISSUER_SUSPENDER) && !liftsCardholder)
      throw new StatusRuleViolation(
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
    const status = err instanceof AppError ? err.statusCode : 500;
    const failed = err instanceof MdesUnavailable || err instanceof MdesCircuitOpen || !(err instanceof AppError);
    await finish(failed ? 'FAILED' : 'REFUSED', status, err instanceof AppError ? err.message : 'internal error', {
      ...(err instanceof MdesRejected ? { mdesReason: err.details?.join('; ') } : {}),
    });
    throw err;
  }
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
  MdesCustomerServiceClient.buildBody('search', request);
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
  // Our token for each TUR found: a collision refuses the whole answer (audited), as on every TUR path.
  const linked = new Map<string, string | undefined>();
  try {
    for (const t of accounts.flatMap((a) => a.Tokens?.Token ?? []))
      if (t.TokenUniqueReference && !linked.has(t.TokenUniqueReference))
        linked.set(t.TokenUniqueReference, await linkedTokenId(t.TokenUniqueReference, customer.customerId, deps));
  } catch (err) {
    const r = record({}, 'REFUSED', err instanceof AppError ? err.statusCode : 500, (err as Error).message);
    await deps.store.putAudit({ day: at.slice(0, 10) }, r);
    throw err;
  }
  for (const account of accounts)
    for (const t of account.Tokens?.Token ?? []) {
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
    // Two of our tokens with one TUR among the account's tokens: refuse before MDES changes anything.
    const current = await client.search({ AccountPan: request.CurrentAccountPan, AuditInfo: audit });
    for (const t of tokensOf(current))
      if (t.TokenUniqueReference) await linkedTokenId(t.TokenUniqueReference, customer.customerId, deps);
    const result = await client.update(request);
    const updated = [];
    const collisions: TurCollision[] = [];
    for (const t of result.body.TokenUpdateResponse?.Tokens?.Token ?? []) {
      // A collision appearing since the check above cannot stop what MDES already did: it is reported
      // (logged, counted, in the day's record) and the token's record goes under its TUR, not a guess.
      const tokenId = t.TokenUniqueReference
        ? await linkedTokenId(t.TokenUniqueReference, customer.customerId, deps).catch((err: unknown) => {
            if (err instanceof TurCollision) {
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
    const failed = err instanceof MdesUnavailable || err instanceof MdesCircuitOpen || !(err instanceof AppError);
    Object.assign(record, {
      outcome: failed ? 'FAILED' : 'REFUSED',
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
