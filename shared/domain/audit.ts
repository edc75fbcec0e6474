import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from './clock';
import { AppError, type ErrorKind, httpStatusOf } from './errors';
import type { ActorKind, AuditOwner, AuditPort, AuditRecord } from './store';

/**
 * Every action on a token is audited the same way, whatever the route or the actor (an agent, the
 * ID&V workflow, later a policy or the cardholder): a PENDING record before the action, its outcome
 * after, over the same record.
 */

export type { ActorKind } from './store';

/** The acting officer (customer-service agent, or another actor of {@link ActorKind}), from the caller's JWT. */
export interface Officer {
  userId: string;
  userName: string;
  /** Absent: issuer staff (an agent). Kept in the audit record as `actorKind`. */
  kind?: ActorKind;
}

/**
 * Runs one action on a token under the audit, the same way on every route: a PENDING record before
 * the action (no action without a trace), then its outcome (DONE, REFUSED by a rule or the network,
 * FAILED when unavailable or broken) over the same record.
 */
export async function auditedAction<T>(
  input: {
    owner: AuditOwner;
    operation: string;
    officer: Officer;
    customerId: string;
    tokenId?: string;
    tokenUniqueReference?: string;
    params?: Record<string, unknown>;
  },
  deps: { store: Pick<AuditPort, 'putAudit'>; now?: Clock },
  action: () => Promise<T>,
  describe: (result: T) => string | undefined = () => undefined,
): Promise<T> {
  const started = performance.now();
  const record: AuditRecord = {
    ...pendingAudit(
      { officer: input.officer, params: input.params ?? {} },
      input.customerId,
      (deps.now ?? systemClock)().toISOString(),
    ),
    operation: input.operation,
    tokenId: input.tokenId,
    tokenUniqueReference: input.tokenUniqueReference,
  };
  await deps.store.putAudit(input.owner, record);
  try {
    const result = await action();
    Object.assign(record, { outcome: 'DONE', httpStatus: 200, reason: describe(result) });
    return result;
  } catch (err) {
    Object.assign(record, auditedFailure(err));
    throw err;
  } finally {
    record.latencyMs = Math.round(performance.now() - started);
    await deps.store.putAudit(input.owner, record);
  }
}

/** A new audit record, PENDING, for the officer's call with these parameters (every audited route builds it here). */
export function pendingAudit(
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
    ...(input.officer.kind ? { actorKind: input.officer.kind } : {}),
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
    'IssuerApplicationMessageDisplay',
    'override',
    'challengeId',
  ];
  const out = Object.fromEntries(
    keep.filter((k) => typeof params[k] === 'string').map((k) => [k, String(params[k]).slice(0, 500)]),
  );
  return Object.keys(out).length ? out : undefined;
}

/** Kinds of failure that mean the action could not be tried or completed (not a "no"). */
const FAILED_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['unavailable', 'upstream-failed', 'internal']);

/**
 * The audit outcome of a failed action, decided in one place, by the error's kind: a rule or the
 * network said no (invalid, forbidden, not found, conflict, refused…) → REFUSED; anything unavailable
 * or broken (keys unavailable, network down or out of contract, circuit open, an error not ours) → FAILED.
 */
export function auditOutcomeOf(err: unknown): 'FAILED' | 'REFUSED' {
  return err instanceof AppError && !FAILED_KINDS.has(err.kind) ? 'REFUSED' : 'FAILED';
}

/**
 * What the audit record of a failed action says about the failure: its outcome, the status the
 * caller got, the reason (an error not ours: none of its text), and the network's own reason when
 * the network refused.
 */
export function auditedFailure(
  err: unknown,
): Pick<AuditRecord, 'outcome' | 'httpStatus' | 'reason'> & Partial<Pick<AuditRecord, 'mdesReason'>> {
  return {
    outcome: auditOutcomeOf(err),
    httpStatus: httpStatusOf(err),
    reason: err instanceof AppError ? err.message : 'internal error',
    ...(err instanceof AppError && err.networkReason !== undefined ? { mdesReason: err.networkReason } : {}),
  };
}
