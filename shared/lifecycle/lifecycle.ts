/**
 * Token lifecycle for issuer staff, one network-neutral API over both networks.
 *
 * Primary course (`POST /tokens/{tokenId}/suspend`, an officer with scope `tokens:write`):
 * 1. The body is checked strictly (a reason of {@link LIFECYCLE_REASONS}, an optional comment; an
 *    activation code where the route needs one); the officer (JWT `sub` and `name`) must be named.
 * 2. The token is read from our store (404 when unknown); its network and program choose the route:
 *    Visa → Pismo's token operations; Mastercard → MDES Customer Service (multi-suspender rule,
 *    Mastercard's AuditInfo), or Pismo when its program is listed in `pismoMastercardPrograms`.
 * 3. The network's status rules (Visa table, MDES FAQ table: shared/domain/lifecycle-actions.ts) are
 *    checked on our status before any call: a refused action is 409 naming the rule, nothing is sent.
 * 4. The audit record is written PENDING, the network is called (Pismo with `operator_id`, a stable
 *    short id of the officer kept in the audit), then the outcome is written over it (DONE, REFUSED,
 *    FAILED) and put on the token's timeline.
 * 5. Our token status does NOT change here: it changes when the network's event arrives (Pismo's
 *    `patch`, MDES's TV through Pismo). The answer (202) says which status is expected; the token view
 *    shows the request as pending until then.
 *
 * Also: the card-level action (one Pismo card operation, results per token) and "a device was lost"
 * (suspend every token of one device on the given cards, chosen from our store, each result reported,
 * safe to re-run).
 */
import { createHash, randomInt } from 'node:crypto';
import { type Officer, auditOutcomeOf, pendingAudit } from '../domain/audit';
import { challengeToActivate, OPEN_CHALLENGE_STATUSES } from '../domain/challenge';
import { AppError, NotFoundError, ValidationError } from '../domain/errors';
import {
  checkLifecycleRule,
  EXPECTED_STATUS,
  type LifecycleAction,
  LIFECYCLE_REASONS,
  type LifecycleReason,
  MDES_OPERATION_OF,
} from '../domain/lifecycle-actions';
import { checkStatusRule, ISSUER_SUSPENDER, type StatusVerdict, SUSPENDERS } from '../domain/status-rules';
import type { AuditOwner, AuditRecord } from '../domain/store';
import type { TokenState } from '../domain/token-state';
import * as z from '../zod';
import type { LifecycleDeps, MdesOperation, PismoCardOperation, PismoOperation } from './ports';

export type { LifecycleDeps } from './ports';

/** A network status rule forbids the action (409, naming the rule); nothing was sent. */
export class LifecycleRuleViolationError extends AppError {
  constructor(rule: string) {
    super(rule, 'conflict', { expose: true });
  }
}

/** Device-binding approval: which of Pismo's three Visa approvals. */
export const DEVICE_BINDING_METHODS = {
  DEFAULT: 'TOKEN_DEVICE_BIDING_APPROVE',
  CALL_CENTER: 'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER',
  BANK_APP: 'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP',
} as const satisfies Record<string, PismoOperation>;

const comment = z
  .string()
  .check(
    z.maxLength(200),
    z.regex(/\S/, 'must not be blank'),
    z.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  );
const activationCode = z.string().check(z.regex(/^[A-Za-z0-9]{1,8}$/, 'must be 1-8 letters or digits'));
const reason = z.enum(LIFECYCLE_REASONS);
const actionBody = z.strictObject({
  reason,
  comment: z.optional(comment),
  activationCode: z.optional(activationCode),
  method: z.optional(z.enum(Object.keys(DEVICE_BINDING_METHODS) as ['DEFAULT', 'CALL_CENTER', 'BANK_APP'])),
});
const cardBody = z.strictObject({ reason, comment: z.optional(comment) });
const deviceBody = z.strictObject({
  deviceId: z.string().check(z.regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 printable characters')),
  cardIds: z
    .array(z.string().check(z.regex(/^[1-9]\d{0,18}$/, 'must be a Pismo card id')))
    .check(z.minLength(1), z.maxLength(20)),
  reason,
  comment: z.optional(comment),
});

export type ActionBody = z.infer<typeof actionBody>;

function parseBody<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  const parsed = z.safeParse(schema, body ?? {});
  if (!parsed.success)
    throw new ValidationError(
      `invalid request: ${parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ')}`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    );
  return parsed.data;
}

/** The officer must be named (Mastercard's AuditInfo and our audit require both id and name). */
function checkOfficer(officer: Partial<Officer>): Officer {
  if (!officer.userId) throw new ValidationError('officer.userId is required (JWT sub)', ['officer.userId: required']);
  if (!officer.userName)
    throw new ValidationError('officer.userName is required (JWT name)', ['officer.userName: required']);
  return {
    userId: officer.userId.slice(0, 50),
    userName: officer.userName.slice(0, 200),
    ...(officer.kind ? { kind: officer.kind } : {}),
  };
}

/** `operator_id` sent to Pismo: a stable 16-character id of the officer (Pismo allows ≤ 16), mapped in the audit. */
export function operatorIdOf(userId: string): string {
  return `op${createHash('sha256').update(userId).digest('hex').slice(0, 14)}`;
}

/** Our reasons → MDES Customer Service reason codes per operation (the contract's enums). */
const MDES_REASON: Record<MdesOperation, Record<LifecycleReason, string>> = {
  // L lost, S stolen, T fraud, Z other.
  suspend: {
    DEVICE_LOST: 'L',
    DEVICE_STOLEN: 'S',
    FRAUD_SUSPECTED: 'T',
    CARDHOLDER_REQUEST: 'Z',
    ACCOUNT_CLOSED: 'Z',
    OTHER: 'Z',
  },
  // F device found, T not fraud after all, Z other.
  unsuspend: {
    DEVICE_LOST: 'F',
    DEVICE_STOLEN: 'F',
    FRAUD_SUSPECTED: 'T',
    CARDHOLDER_REQUEST: 'Z',
    ACCOUNT_CLOSED: 'Z',
    OTHER: 'Z',
  },
  // L lost, S stolen, T fraud, C account closed, Z other.
  delete: {
    DEVICE_LOST: 'L',
    DEVICE_STOLEN: 'S',
    FRAUD_SUSPECTED: 'T',
    CARDHOLDER_REQUEST: 'Z',
    ACCOUNT_CLOSED: 'C',
    OTHER: 'Z',
  },
  // C: the cardholder was verified by customer service.
  activate: {
    DEVICE_LOST: 'C',
    DEVICE_STOLEN: 'C',
    FRAUD_SUSPECTED: 'C',
    CARDHOLDER_REQUEST: 'C',
    ACCOUNT_CLOSED: 'C',
    OTHER: 'C',
  },
};

const PISMO_OPERATION: Record<Exclude<LifecycleAction, 'approveDeviceBinding'>, PismoOperation> = {
  suspend: 'SUSPEND',
  resume: 'RESUME',
  delete: 'DELETE',
  activate: 'CALL_CENTER_ACTIVATION',
};

/**
 * Pismo's `operation_reason`: some wallets show it to the cardholder, so it is a fixed sentence per
 * reason, never the officer's comment (which stays in our audit; MDES gets it as CommentText).
 */
const PISMO_REASON: Record<LifecycleReason, string> = {
  DEVICE_LOST: 'Device reported lost. Contact your bank if you need help.',
  DEVICE_STOLEN: 'Device reported stolen. Contact your bank if you need help.',
  FRAUD_SUSPECTED: 'Suspected fraud: contact your bank.',
  CARDHOLDER_REQUEST: 'Done at your request.',
  ACCOUNT_CLOSED: 'The account is closed.',
  OTHER: 'Changed by your bank. Contact your bank if you need help.',
};
const pismoReason = (body: { reason: LifecycleReason }): string => PISMO_REASON[body.reason];

export type Route = 'pismo' | 'mdes';

/** Pismo's `error_code` carried by an error of its adapter, if any. */
function errorCodeOf(err: unknown): { errorCode?: string } {
  const code = typeof err === 'object' && err !== null ? (err as { errorCode?: unknown }).errorCode : undefined;
  return typeof code === 'string' ? { errorCode: code } : {};
}

/** Which system acts on this token. */
export function routeOf(state: TokenState, deps: Pick<LifecycleDeps, 'pismoMastercardPrograms'>): Route | undefined {
  const { network, programId } = state.facts;
  if (network === 'VTS') return 'pismo';
  if (network === 'MDES')
    return programId !== undefined && deps.pismoMastercardPrograms.includes(programId) ? 'pismo' : 'mdes';
  return undefined;
}

/** What the API answers for one token action. */
export interface TokenActionResult {
  tokenId: string;
  action: LifecycleAction;
  network?: string;
  route: Route;
  /** REQUESTED: the network accepted it, our status follows its event; ALREADY_DONE: nothing needed sending. */
  outcome: 'REQUESTED' | 'ALREADY_DONE';
  statusBefore?: string;
  /** The status our token shows once the network's event arrives (until then the view shows it pending). */
  expectedStatus?: string;
  /** The `operator_id` sent to Pismo for this officer. */
  operatorId?: string;
  /** MDES: the suspenders before the call, by name; after a resume, the others still suspending it. */
  suspendersBefore?: string[];
  stillSuspendedBy?: string[];
  note?: string;
  auditId: string;
  /** ID&V activations (call centre, app-to-app): the challenge activated on, and the path. */
  challengeId?: string;
  activationPath?: 'CALL_CENTER' | 'APP_TO_APP';
}

interface AuditContext {
  owner: AuditOwner;
  tokenId?: string;
  tur?: string;
  /** The token's card (and account): flagged for the next reconciliation run when the action FAILED. */
  cardId?: string;
  accountId?: string;
  operation: string;
  officer: Officer;
  customerId: string;
  parameters: Record<string, string | undefined>;
}

/**
 * Runs `action` under the audit (as `auditedAction` does, with the lifecycle's own parameters:
 * reason, comment, route, operator id, expected status): PENDING first, the outcome over it, and the
 * outcome on the token's timeline.
 */
async function audited<T>(
  ctx: AuditContext,
  deps: Pick<LifecycleDeps, 'store' | 'now'>,
  action: (record: AuditRecord) => Promise<T>,
  describe: (result: T) => string | undefined = () => undefined,
): Promise<T> {
  const started = performance.now();
  const record: AuditRecord = {
    ...pendingAudit({ officer: ctx.officer, params: {} }, ctx.customerId, (deps.now?.() ?? new Date()).toISOString()),
    operation: ctx.operation,
    tokenId: ctx.tokenId,
    tokenUniqueReference: ctx.tur,
    parameters: Object.fromEntries(
      Object.entries(ctx.parameters).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  };
  await deps.store.putAudit(ctx.owner, record);
  try {
    const result = await action(record);
    Object.assign(record, { outcome: 'DONE', httpStatus: 200, reason: describe(result) });
    return result;
  } catch (err) {
    Object.assign(record, {
      outcome: auditOutcomeOf(err),
      httpStatus: err instanceof AppError ? err.statusCode : 500,
      reason: err instanceof AppError ? err.message : 'internal error',
    });
    const { errorCode } = errorCodeOf(err);
    if (errorCode) record.parameters = { ...record.parameters, pismoErrorCode: errorCode };
    // A failed (not refused) action leaves the network's state in doubt: the next reconciliation run
    // checks the card. Best effort: a flag that cannot be written must not hide the action's error.
    if (record.outcome === 'FAILED' && ctx.cardId)
      await deps.store
        .flagCardForReconciliation({
          cardId: ctx.cardId,
          accountId: ctx.accountId,
          reason: `${ctx.operation} failed: ${record.reason ?? 'unknown'}`.slice(0, 200),
          at: record.at,
        })
        .catch(() => undefined);
    throw err;
  } finally {
    record.latencyMs = Math.round(performance.now() - started);
    await deps.store.putAudit(ctx.owner, record);
    if (ctx.tokenId)
      await deps.store.addTimelineEntry(
        { tokenId: ctx.tokenId },
        {
          eventId: `lc-${record.auditId}`,
          eventType: 'lifecycle',
          occurredAt: record.at,
          callMethod: ctx.operation.toUpperCase().replace(/-/g, '_'),
          recognized: true,
          facts: {},
          payload: JSON.stringify({
            auditId: record.auditId,
            outcome: record.outcome,
            httpStatus: record.httpStatus,
            userId: record.userId,
            route: record.parameters?.route,
            reason: record.parameters?.reason,
            expectedStatus: record.parameters?.expectedStatus,
          }),
          receivedAt: new Date().toISOString(),
        },
      );
  }
}

/** The token's Pismo account and card (the account from our state, else Pismo's cards API). */
async function pismoRefOf(state: TokenState, deps: LifecycleDeps): Promise<{ accountId: string; cardId: string }> {
  const cardId = state.facts.cardId;
  if (!cardId)
    throw new LifecycleRuleViolationError(`token ${state.tokenId} names no Pismo card yet: wait for its event`);
  const accountId = state.facts.accountId ?? (await deps.pismo.accountOfCard(cardId));
  if (!accountId) throw new NotFoundError(`Pismo knows no account for card ${cardId}`);
  return { accountId, cardId };
}

/**
 * One lifecycle action on one token (`POST /tokens/{tokenId}/{action}`): body and officer checked,
 * route chosen, status rules checked before any call, audited, the network called. Our status is
 * left to the network's event.
 */
export async function performTokenAction(
  input: {
    tokenId: string;
    action: LifecycleAction;
    body: unknown;
    officer: Partial<Officer>;
    /**
     * The acting party's own rule, checked before the network's status rules and any call (a refusal
     * is audited like theirs): e.g. the cardholder may not lift the bank's or the wallet's suspension.
     */
    actorRule?: (state: TokenState) => StatusVerdict;
  },
  deps: LifecycleDeps,
): Promise<TokenActionResult> {
  const body = parseBody(actionBody, input.body);
  const officer = checkOfficer(input.officer);
  const { action, tokenId } = input;
  const callCentre = action === 'activate' && body.method === 'CALL_CENTER';
  if (body.method !== undefined && action !== 'approveDeviceBinding' && !callCentre)
    throw new ValidationError('invalid request: method', [
      'method: only for approve-device-binding, or CALL_CENTER to activate',
    ]);
  const current = await deps.store.getTokenState(tokenId);
  if (!current) throw new NotFoundError(`token ${tokenId} not found`);
  const state = current.state;
  const route = routeOf(state, deps);
  const needsCode = route === 'pismo' && action === 'activate';
  const mayHaveCode = needsCode || (action === 'approveDeviceBinding' && body.method === 'CALL_CENTER');
  if (needsCode && body.activationCode === undefined)
    throw new ValidationError('invalid request: activationCode', [
      'activationCode: required to activate through Pismo (CALL_CENTER_ACTIVATION)',
    ]);
  if (!mayHaveCode && body.activationCode !== undefined)
    throw new ValidationError('invalid request: activationCode', [`activationCode: not taken by ${action} here`]);
  // The ID&V call-centre activation: the agent verified the caller; the token's challenge must be open.
  if (callCentre)
    return activateOnChallenge(
      {
        tokenId,
        path: 'CALL_CENTER',
        actor: officer,
        reason: body.reason,
        comment: body.comment,
        activationCode: body.activationCode,
      },
      state,
      deps,
    );

  const operatorId = route === 'pismo' ? operatorIdOf(officer.userId) : undefined;
  const expectedStatus = EXPECTED_STATUS[action];
  const mdes = route === 'mdes' ? deps.mdes(state.facts.orgId) : undefined;
  const ctx: AuditContext = {
    owner: { tokenId },
    tokenId,
    tur: state.facts.tokenUniqueReference,
    cardId: state.facts.cardId,
    accountId: state.facts.accountId,
    operation: action,
    officer,
    customerId: mdes?.customerId ?? 'pismo',
    parameters: {
      reason: body.reason,
      comment: body.comment,
      route: route ?? 'none',
      network: state.facts.network,
      statusBefore: state.status,
      expectedStatus,
      operatorId,
      method: body.method,
    },
  };
  return audited(
    ctx,
    deps,
    async (record): Promise<TokenActionResult> => {
      // The actor's own rule first: its refusal speaks the actor's words (the cardholder's app shows them).
      const actorVerdict = input.actorRule?.(state);
      if (actorVerdict && !actorVerdict.allowed) throw new LifecycleRuleViolationError(actorVerdict.rule);
      const verdict = checkLifecycleRule(action, state.facts.network, state.status);
      if (!verdict.allowed || !route)
        throw new LifecycleRuleViolationError(verdict.allowed ? 'no route' : verdict.rule);
      const base = {
        tokenId,
        action,
        network: state.facts.network,
        route,
        statusBefore: state.status,
        expectedStatus,
        auditId: record.auditId,
      };
      if (route === 'pismo') {
        const ref = { ...(await pismoRefOf(state, deps)), tokenId };
        const operationType =
          action === 'approveDeviceBinding'
            ? DEVICE_BINDING_METHODS[body.method ?? 'DEFAULT']
            : PISMO_OPERATION[action];
        const result = await deps.pismo.performTokenOperation(ref, {
          operationType,
          reason: pismoReason(body),
          operatorId,
          ...(body.activationCode === undefined ? {} : { activationCode: body.activationCode }),
        });
        return {
          ...base,
          outcome: 'REQUESTED',
          operatorId,
          ...(result.confirmedByRead ? { note: "Pismo's answer was lost; a read confirmed the operation" } : {}),
        };
      }
      // MDES Customer Service, as the officer.
      if (action === 'approveDeviceBinding' || !mdes)
        throw new LifecycleRuleViolationError('no MDES route for this action');
      const tur = state.facts.tokenUniqueReference;
      if (!tur)
        throw new LifecycleRuleViolationError(
          `token ${tokenId} has no MDES Token Unique Reference yet: wait for its TC or status event`,
        );
      const operation = MDES_OPERATION_OF[action];
      const reasonCode = MDES_REASON[operation][body.reason];
      record.parameters = { ...record.parameters, ReasonCode: reasonCode };
      let suspenders: string[] | undefined;
      if (operation === 'suspend' || operation === 'unsuspend') {
        // Multi-suspender semantics: who suspends the token now, and MDES's own status (a read).
        const seen = await mdes.lookup(tur, officer);
        if (!seen) throw new NotFoundError(`MDES has no token ${tur}`);
        suspenders = seen.suspenders;
        if (seen.status) {
          record.mdesStatusBefore = seen.status;
          const v = checkStatusRule(operation, seen.status);
          if (!v.allowed) throw new LifecycleRuleViolationError(v.rule);
        }
      }
      const named = suspenders?.map((s) => SUSPENDERS[s] ?? s);
      if (operation === 'suspend' && suspenders?.includes(ISSUER_SUSPENDER))
        return {
          ...base,
          outcome: 'ALREADY_DONE',
          suspendersBefore: named,
          note: 'already suspended by the issuer: nothing sent to MDES',
        };
      // The cardholder lifts only a suspension that is the issuer's alone (theirs, made through the
      // issuer's app): another party's (the wallet's) greys the toggle until that party lifts it.
      const othersNow = suspenders?.filter((s) => s !== ISSUER_SUSPENDER) ?? [];
      if (operation === 'unsuspend' && officer.kind === 'cardholder' && othersNow.length)
        throw new LifecycleRuleViolationError(
          `MDES multi-suspender rule: also suspended by ${othersNow.map((s) => SUSPENDERS[s] ?? s).join(', ')}; only that party can lift its suspension`,
        );
      if (operation === 'unsuspend' && !suspenders?.includes(ISSUER_SUSPENDER))
        throw new LifecycleRuleViolationError(
          `MDES multi-suspender rule: the issuer can only lift its own suspension, and this token is suspended only by ${named?.join(', ') || 'nobody'}`,
        );
      const result = await mdes.perform(operation, { tur, reasonCode, comment: body.comment, officer });
      const others = suspenders?.filter((s) => s !== ISSUER_SUSPENDER).map((s) => SUSPENDERS[s] ?? s) ?? [];
      const stillSuspended = operation === 'unsuspend' && others.length > 0;
      // The others' suspensions stay: the token stays suspended, nothing is pending.
      if (stillSuspended) record.parameters = { ...record.parameters, expectedStatus: 'suspended' };
      return {
        ...base,
        expectedStatus: stillSuspended ? 'suspended' : expectedStatus,
        outcome: 'REQUESTED',
        ...(named ? { suspendersBefore: named } : {}),
        ...(stillSuspended
          ? {
              stillSuspendedBy: others,
              note: `the issuer suspension is lifted, but the token stays suspended by ${others.join(', ')}`,
            }
          : {}),
        ...(result.confirmedBySearch ? { note: "MDES's answer was lost; a search confirmed the operation" } : {}),
      };
    },
    (r) => r.note,
  );
}

/** The token has no challenge the issuer may activate it on now (409, with the reason: shared/domain/challenge.ts). */
export class ChallengeNotOpenError extends AppError {
  constructor(
    readonly reason: 'NO_OPEN_CHALLENGE' | 'CHALLENGE_EXPIRED' | 'NOT_AN_APP_CHALLENGE',
    detail: string,
  ) {
    super(`${reason}: ${detail}`, 'conflict', { expose: true, details: [reason] });
  }
}

/** An ID&V activation by the issuer: its call centre (an agent) or its app (the cardholder, app-to-app). */
export interface ChallengeActivation {
  tokenId: string;
  path: 'CALL_CENTER' | 'APP_TO_APP';
  /** The agent, or the cardholder's account (`account:<accountId>`): kept in the audit. */
  actor: Officer;
  reason: LifecycleReason;
  comment?: string;
  /** Call centre through Pismo: the agent's code (CALL_CENTER_ACTIVATION needs one). */
  activationCode?: string;
}

/**
 * A one-time code for Pismo's CALL_CENTER_ACTIVATION when the issuer's app, not an agent, verified the
 * cardholder (Visa app-to-app): Pismo requires a code "known only to the issuer"; it is sent once and
 * never stored or logged (docs/decisions/0033-app-to-app-and-call-centre-activation.md).
 */
function issuerActivationCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 8 }, () => alphabet.charAt(randomInt(alphabet.length))).join('');
}

/**
 * Activates a token waiting for ID&V on its open challenge (`POST /tokens/{tokenId}/activate` with
 * `"method": "CALL_CENTER"`, and the cardholder's `POST /me/digital-cards/{tokenId}/activate`):
 *
 * 1. Already active, or activation already requested on the open challenge: ALREADY_DONE, nothing sent.
 * 2. The newest challenge must be open and unexpired (app-to-app: opened for the app method): else 409
 *    with the reason ({@link ChallengeNotOpenError}).
 * 3. The network's status rules, then the network: call centre by the token's route (Visa → Pismo
 *    CALL_CENTER_ACTIVATION with the agent's code; Mastercard → MDES activate, or Pismo for listed
 *    programs); app-to-app always Pismo (Mastercard CARDHOLDER_STEPUP_APP_TO_APP, Visa
 *    CALL_CENTER_ACTIVATION with an issuer code). A refusal is 422 with Pismo's code; the challenge
 *    stays open until it expires.
 * 4. The challenge records who asked (the workflow, ending on the network's event, puts the path on
 *    the timeline). Audited with the actor, as every lifecycle action.
 */
export async function activateOnChallenge(
  input: ChallengeActivation,
  state: TokenState,
  deps: LifecycleDeps,
): Promise<TokenActionResult> {
  const { tokenId, path, actor } = input;
  const network = state.facts.network;
  const route: Route | undefined =
    path === 'APP_TO_APP' ? (network === 'VTS' || network === 'MDES' ? 'pismo' : undefined) : routeOf(state, deps);
  const operatorId = route === 'pismo' ? operatorIdOf(actor.userId) : undefined;
  const mdes = route === 'mdes' ? deps.mdes(state.facts.orgId) : undefined;
  const operationType: PismoOperation =
    path === 'APP_TO_APP' && network === 'MDES' ? 'CARDHOLDER_STEPUP_APP_TO_APP' : 'CALL_CENTER_ACTIVATION';
  const ctx: AuditContext = {
    owner: { tokenId },
    tokenId,
    tur: state.facts.tokenUniqueReference,
    cardId: state.facts.cardId,
    accountId: state.facts.accountId,
    operation: path === 'APP_TO_APP' ? 'activate-app-to-app' : 'activate',
    officer: actor,
    customerId: mdes?.customerId ?? 'pismo',
    parameters: {
      reason: input.reason,
      comment: input.comment,
      route: route ?? 'none',
      network,
      statusBefore: state.status,
      expectedStatus: EXPECTED_STATUS.activate,
      operatorId,
      method: path,
      operationType: route === 'pismo' ? operationType : undefined,
    },
  };
  return audited(
    ctx,
    deps,
    async (record): Promise<TokenActionResult> => {
      const base = {
        tokenId,
        action: 'activate' as const,
        network,
        route: route ?? ('pismo' as const),
        statusBefore: state.status,
        expectedStatus: EXPECTED_STATUS.activate,
        activationPath: path,
        auditId: record.auditId,
      };
      if (state.status === 'active')
        return { ...base, outcome: 'ALREADY_DONE', note: 'the token is already active: nothing sent' };
      const now = deps.now?.() ?? new Date();
      const found = challengeToActivate(await deps.store.listChallenges(tokenId), path, now);
      if ('reason' in found) throw new ChallengeNotOpenError(found.reason, found.detail);
      const challenge = found.challenge;
      record.parameters = { ...record.parameters, challengeId: challenge.challengeId };
      if (challenge.activationRequestedBy)
        return {
          ...base,
          outcome: 'ALREADY_DONE',
          challengeId: challenge.challengeId,
          note: `activation already requested (${challenge.activationRequestedBy}, ${challenge.activationRequestedAt ?? ''}): the token becomes active with the network's event`,
        };
      const verdict = checkLifecycleRule('activate', network, state.status);
      if (!verdict.allowed || !route)
        throw new LifecycleRuleViolationError(verdict.allowed ? 'no route' : verdict.rule);
      let note: string | undefined;
      if (route === 'pismo') {
        const ref = { ...(await pismoRefOf(state, deps)), tokenId };
        const code =
          operationType !== 'CALL_CENTER_ACTIVATION'
            ? undefined
            : path === 'CALL_CENTER'
              ? input.activationCode
              : issuerActivationCode();
        const result = await deps.pismo.performTokenOperation(ref, {
          operationType,
          reason: PISMO_REASON[input.reason],
          operatorId,
          ...(code === undefined ? {} : { activationCode: code }),
        });
        if (result.confirmedByRead) note = "Pismo's answer was lost; a read confirmed the operation";
      } else {
        const tur = state.facts.tokenUniqueReference;
        if (!mdes || !tur)
          throw new LifecycleRuleViolationError(
            `token ${tokenId} has no MDES Token Unique Reference yet: wait for its TC or status event`,
          );
        const reasonCode = MDES_REASON.activate[input.reason];
        record.parameters = { ...record.parameters, ReasonCode: reasonCode };
        const result = await mdes.perform('activate', { tur, reasonCode, comment: input.comment, officer: actor });
        if (result.confirmedBySearch) note = "MDES's answer was lost; a search confirmed the operation";
      }
      await deps.store.updateChallenge(tokenId, challenge.challengeId, OPEN_CHALLENGE_STATUSES, {
        activationRequestedBy: path,
        activationRequestedAt: now.toISOString(),
      });
      return {
        ...base,
        route,
        outcome: 'REQUESTED',
        challengeId: challenge.challengeId,
        ...(operatorId ? { operatorId } : {}),
        ...(note ? { note } : {}),
      };
    },
    (r) => r.note,
  );
}

/** One token's outcome of a card or device action. */
export interface TokenOutcome {
  tokenId: string;
  network?: string;
  statusBefore?: string;
  /**
   * REQUESTED: sent and accepted; SKIPPED: its status rules forbid it (nothing sent for it); FAILED:
   * the network refused or was unavailable for it; UNKNOWN: sent, but Pismo's answer does not say.
   */
  result: 'REQUESTED' | 'SKIPPED' | 'FAILED' | 'UNKNOWN';
  /** Pismo's status of the token after the operation, when known. */
  pismoStatus?: string;
  rule?: string;
  errorCode?: string;
  message?: string;
  httpStatus?: number;
  auditId?: string;
}

const CARD_EFFECT: Record<PismoCardOperation, (status: string | undefined) => boolean | undefined> = {
  SUSPEND: (s) => (s === undefined ? undefined : s === 'SUSPENDED'),
  RESUME: (s) => (s === undefined ? undefined : s === 'ACTIVE'),
  DELETE: (s) => (s === undefined ? undefined : s === 'DEACTIVATED'),
};

async function tokensOfCard(cardId: string, deps: LifecycleDeps): Promise<TokenState[]> {
  const out: TokenState[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listTokensOfCard(cardId, 100, cursor);
    out.push(...page.items);
    cursor = page.items.length ? page.nextCursor : undefined;
  } while (cursor && out.length < 1000);
  return out;
}

/**
 * A card-level action (`POST /cards/{cardId}/tokens/suspend|resume|delete`): one Pismo card
 * operation on every token of the card, for both networks. The tokens are our store's; those whose
 * status rules forbid the action are reported SKIPPED (all of them: 409, nothing sent). Each token
 * sent is audited; its result comes from Pismo's per-token answer, else from a read of the card's
 * tokens. Re-running it is safe: done tokens are skipped.
 */
export async function performCardAction(
  input: { cardId: string; action: 'suspend' | 'resume' | 'delete'; body: unknown; officer: Partial<Officer> },
  deps: LifecycleDeps,
): Promise<{ cardId: string; action: string; operatorId: string; results: TokenOutcome[]; note?: string }> {
  const body = parseBody(cardBody, input.body);
  const officer = checkOfficer(input.officer);
  const tokens = await tokensOfCard(input.cardId, deps);
  if (!tokens.length) throw new NotFoundError(`card ${input.cardId} has no tokens we know of`);
  const verdicts = tokens.map((t) => ({ t, v: checkLifecycleRule(input.action, t.facts.network, t.status) }));
  const eligible = verdicts.filter((x) => x.v.allowed).map((x) => x.t);
  const skipped: TokenOutcome[] = verdicts
    .filter((x) => !x.v.allowed)
    .map(({ t, v }) => ({
      tokenId: t.tokenId,
      network: t.facts.network,
      statusBefore: t.status,
      result: 'SKIPPED',
      rule: v.allowed ? undefined : v.rule,
    }));
  if (!eligible.length)
    throw new LifecycleRuleViolationError(
      `no token of card ${input.cardId} allows ${input.action}: ${skipped.map((s) => `${s.tokenId}: ${s.rule}`).join('; ')}`,
    );
  const operatorId = operatorIdOf(officer.userId);
  const operationType = ({ suspend: 'SUSPEND', resume: 'RESUME', delete: 'DELETE' } as const)[input.action];
  const accountId =
    eligible.find((t) => t.facts.accountId)?.facts.accountId ?? (await deps.pismo.accountOfCard(input.cardId));
  if (!accountId) throw new NotFoundError(`Pismo knows no account for card ${input.cardId}`);
  const ref = { accountId, cardId: input.cardId };

  // Audit: each token sent gets its PENDING record before the one call, its outcome after.
  const at = (deps.now?.() ?? new Date()).toISOString();
  const records = eligible.map((t) => ({
    t,
    record: {
      ...pendingAudit({ officer, params: {} }, 'pismo', at),
      operation: `card-${input.action}`,
      tokenId: t.tokenId,
      tokenUniqueReference: t.facts.tokenUniqueReference,
      parameters: Object.fromEntries(
        Object.entries({
          reason: body.reason,
          comment: body.comment,
          route: 'pismo',
          network: t.facts.network,
          statusBefore: t.status,
          expectedStatus: EXPECTED_STATUS[input.action],
          operatorId,
          cardId: input.cardId,
        }).filter((e): e is [string, string] => e[1] !== undefined),
      ),
    } as AuditRecord,
  }));
  const started = performance.now();
  await Promise.all(records.map(({ t, record }) => deps.store.putAudit({ tokenId: t.tokenId }, record)));
  const finish = (record: AuditRecord, t: TokenState, changes: Partial<AuditRecord>) => {
    Object.assign(record, changes, { latencyMs: Math.round(performance.now() - started) });
    return Promise.all([
      deps.store.putAudit({ tokenId: t.tokenId }, record),
      deps.store.addTimelineEntry(
        { tokenId: t.tokenId },
        {
          eventId: `lc-${record.auditId}`,
          eventType: 'lifecycle',
          occurredAt: record.at,
          callMethod: record.operation.toUpperCase().replace(/-/g, '_'),
          recognized: true,
          facts: {},
          payload: JSON.stringify({
            auditId: record.auditId,
            outcome: record.outcome,
            httpStatus: record.httpStatus,
            userId: record.userId,
            route: 'pismo',
            reason: body.reason,
            expectedStatus: record.parameters?.expectedStatus,
          }),
          receivedAt: new Date().toISOString(),
        },
      ),
    ]);
  };
  let answer: Awaited<ReturnType<LifecycleDeps['pismo']['performCardTokenOperation']>>;
  try {
    answer = await deps.pismo.performCardTokenOperation(ref, { operationType, reason: pismoReason(body), operatorId });
  } catch (err) {
    const changes = {
      outcome: auditOutcomeOf(err),
      httpStatus: err instanceof AppError ? err.statusCode : 500,
      reason: err instanceof AppError ? err.message : 'internal error',
    } as const;
    await Promise.all(records.map(({ t, record }) => finish(record, t, changes)));
    throw err;
  }
  // Per-token results: Pismo's when it sends any, else what a read of the card's tokens shows.
  let seen: Map<string, { status?: string; result?: string; errorCode?: string; message?: string }> | undefined;
  let note: string | undefined;
  if (answer.results?.length) seen = new Map(answer.results.map((r) => [r.tokenId ?? '', r]));
  else
    try {
      seen = new Map((await deps.pismo.getCardTokens(ref)).tokens.map((t) => [t.tokenId ?? '', t]));
    } catch (err) {
      note = `Pismo accepted the card operation; reading the card's tokens failed (${err instanceof Error ? err.message : 'error'}): results UNKNOWN, re-run safely`;
    }
  const sent: TokenOutcome[] = [];
  for (const { t, record } of records) {
    const r = seen?.get(t.tokenId);
    const failed = r?.result !== undefined && !/^(SUCCESS|OK|DONE)$/i.test(r.result);
    const applied = r ? CARD_EFFECT[operationType](r.status) : undefined;
    const outcome: TokenOutcome = {
      tokenId: t.tokenId,
      network: t.facts.network,
      statusBefore: t.status,
      result: failed ? 'FAILED' : applied === true ? 'REQUESTED' : r && applied === false ? 'FAILED' : 'UNKNOWN',
      ...(r?.status ? { pismoStatus: r.status } : {}),
      ...(r?.errorCode ? { errorCode: r.errorCode } : {}),
      ...(r?.message ? { message: r.message } : {}),
      auditId: record.auditId,
    };
    sent.push(outcome);
    await finish(record, t, {
      outcome: outcome.result === 'REQUESTED' ? 'DONE' : outcome.result === 'FAILED' ? 'REFUSED' : 'DONE',
      httpStatus: outcome.result === 'FAILED' ? 422 : 200,
      reason:
        outcome.result === 'UNKNOWN'
          ? 'card operation accepted; the token result is not known'
          : outcome.result === 'FAILED'
            ? `Pismo did not apply it to this token${r?.errorCode ? `: ${r.errorCode}` : ''}`
            : undefined,
      ...(r?.errorCode ? { parameters: { ...record.parameters, pismoErrorCode: r.errorCode } } : {}),
    });
  }
  return {
    cardId: input.cardId,
    action: input.action,
    operatorId,
    results: [...sent, ...skipped],
    ...(note ? { note } : {}),
  };
}

/**
 * "A device was lost": suspends every token of `deviceId` on the given cards (the account's cards, as
 * the console knows them), chosen from our store. Each token goes its own route (Visa → Pismo,
 * Mastercard → MDES or Pismo) under its own audit; each outcome is reported, none hides another.
 * Safe to re-run: tokens already suspended are SKIPPED, nothing is sent for them.
 */
export async function suspendDevice(
  input: { body: unknown; officer: Partial<Officer> },
  deps: LifecycleDeps,
): Promise<{ deviceId: string; results: TokenOutcome[] }> {
  const body = parseBody(deviceBody, input.body);
  checkOfficer(input.officer);
  const tokens = (await Promise.all([...new Set(body.cardIds)].map((c) => tokensOfCard(c, deps))))
    .flat()
    .filter((t) => t.facts.deviceId === body.deviceId);
  if (!tokens.length) throw new NotFoundError(`no token of device ${body.deviceId} on these cards`);
  const results: TokenOutcome[] = [];
  for (const t of tokens) {
    const base = { tokenId: t.tokenId, network: t.facts.network, statusBefore: t.status };
    if (t.status === 'suspended' || t.status === 'deleted') {
      results.push({ ...base, result: 'SKIPPED', rule: `already ${t.status}` });
      continue;
    }
    try {
      const r = await performTokenAction(
        {
          tokenId: t.tokenId,
          action: 'suspend',
          body: { reason: body.reason, ...(body.comment ? { comment: body.comment } : {}) },
          officer: input.officer,
        },
        deps,
      );
      results.push({ ...base, result: 'REQUESTED', auditId: r.auditId });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({
        ...base,
        result: err instanceof LifecycleRuleViolationError ? 'SKIPPED' : 'FAILED',
        ...(err instanceof LifecycleRuleViolationError ? { rule: err.message } : { message: err.message }),
        httpStatus: err.statusCode,
        ...errorCodeOf(err),
      });
    }
  }
  return { deviceId: body.deviceId, results };
}
