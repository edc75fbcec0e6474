/**
 * Flow "decision": Pismo's synchronous tokenization anti-fraud webhook. Primary course:
 *
 * 1. Pismo calls POST /pismo/tokenization-decisions with a signed token (verified in the handler).
 * 2. The token's `jti` is claimed in the replay memory: a replay gets the first call's answer.
 * 3. The request is validated and turned into decision signals (network scores, device, wallet).
 * 4. The card's history is read from the store within a budget (velocity signals); on time-out the
 *    fail mode applies (DECIDE on network data alone, DEFER or DECLINE).
 * 5. The live rule set decides (and a shadow rule set, if configured, is evaluated beside it).
 * 6. For a yellow path the activation methods are offered with masked destinations from Pismo.
 * 7. The decision is recorded with its reasons, rule-set version and latency, and answered to Pismo.
 */
import { randomUUID } from 'node:crypto';
import type { DecisionFailMode } from '../config';
import { maskEmail, maskPhone } from '../domain/challenge';
import { type Clock, systemClock } from '../domain/clock';
import { type Decision, type DecisionSignals, decide, type RuleSet } from '../domain/decision';
import type { ContactDirectory } from '../adapters/pismo/accounts-client';
import { decisionRequestSchema, decisionSignals } from '../adapters/pismo/decision-request';
import { AppError } from '../domain/errors';
import { type DecisionAnswer, toPismoDecisionResponse } from '../adapters/pismo/decision-response';
import type { DecisionOwner, DecisionPort, DecisionRecord, ReplayMemory, TokenStatePort } from '../domain/store';

export type { DecisionFailMode } from '../config';

/** The body answered to Pismo. */
export type PismoDecisionResponse = ReturnType<typeof toPismoDecisionResponse>;

export interface DecideDeps {
  store: Pick<TokenStatePort, 'listTokensOfCard'> & Pick<DecisionPort, 'putDecision'>;
  liveRuleSet: RuleSet;
  /** Evaluated and recorded next to the live decision, never returned. */
  shadowRuleSet?: RuleSet;
  /**
   * When the card's history cannot be read in time: DECIDE on the network data alone (store-derived
   * signals missing), DEFER (NO_DECISION: Pismo decides alone) or DECLINE.
   */
  failMode: DecisionFailMode;
  /** Budget for each store call; Pismo's whole budget is ~2 s end to end. */
  storeTimeoutMs: number;
  /** The time of the decision and of its latency measure. */
  now?: Clock;
  /** Cardholder contacts, to show masked destinations with the methods offered (optional). */
  contacts?: ContactDirectory;
  /** Memory of the webhook tokens already used and the answers given (replays get the first answer). */
  replay?: ReplayMemory<PismoDecisionResponse>;
}

/** The verified webhook token of this call (see PismoWebhookClaims). */
export interface DecisionCall {
  /** SHA-256 of the token's `jti`. */
  replayKey: string;
  /** Epoch seconds until which the token is acceptable: how long its `jti` is remembered. */
  acceptedUntil: number;
}

/**
 * What became of the decision record within the store budget: `written`; `pending` (the write was
 * still in flight at the timeout and carries on: `recordSettled` tells how it ended); `failed`.
 */
export type RecordWrite = 'written' | 'pending' | 'failed';

/** A new decision: the answer for Pismo plus what the handler needs for logs and metrics. */
export interface DecideResult {
  replayed: false;
  response: PismoDecisionResponse;
  record: DecisionRecord;
  /** The store read failed or timed out (fail mode applied). */
  storeFailed: boolean;
  recordWrite: RecordWrite;
  /** The write's final outcome, whenever it comes (never rejects). */
  recordSettled: Promise<'written' | 'failed'>;
  /** The replay memory could not be consulted or updated in time (this call was decided without it). */
  replayMemoryFailed: boolean;
}

/** A replay of a call already decided: the first call's answer, nothing decided or recorded again. */
export interface ReplayedDecision {
  replayed: true;
  response: PismoDecisionResponse;
}

/** 409: the token was already used and its first call has not answered yet; nothing is decided. */
export class ReplayInProgressError extends AppError {
  constructor() {
    super('this webhook token was already used and its decision is still being made', 'conflict', { expose: true });
  }
}

class StoreTimeout extends Error {
  override readonly name = 'StoreTimeout';
}

/** Runs a store call with an AbortSignal that fires at the budget: the call is cancelled, not orphaned. */
async function abortable<T>(call: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new StoreTimeout(`store call exceeded ${ms} ms`)), ms);
  try {
    return await call(controller.signal);
  } catch (err) {
    throw controller.signal.aborted ? new StoreTimeout(`store call exceeded ${ms} ms`) : err;
  } finally {
    clearTimeout(timer);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreTimeout(`store call exceeded ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const HOUR_MS = 3_600_000;

/** Signals that contain no card data and are worth keeping with the decision. */
function recordedSignals(s: DecisionSignals): Record<string, unknown> {
  return { ...s };
}

function shadowOf(d: Decision | undefined): DecisionRecord['shadow'] {
  if (!d) return undefined;
  const wire = toPismoDecisionResponse({ decisionId: '', outcome: d.outcome, reasonCodes: [], activationMethods: [] });
  return {
    ruleSetVersion: d.ruleSetVersion,
    decision: wire.decision,
    reasonCodes: d.reasonCodes,
    firedRules: d.firedRules.map((r) => ({ id: r.id })),
    ...(d.waivedBy ? { waivedBy: d.waivedBy } : {}),
  };
}

/**
 * Decides one tokenization request: validate → signals (network message + ≤ 1 store query for
 * velocity) → live (and shadow) rule set → record → answer. Never throws for bad input: an invalid
 * request is declined with INVALID_REQUEST and recorded; a store outage follows the fail mode.
 * With `call` (the verified token) and replay memory, the token's `jti` is claimed alongside the store
 * read: a replay gets the first call's answer and nothing is decided or recorded again.
 */
export function decideTokenization(raw: unknown, deps: DecideDeps): Promise<DecideResult>;
export function decideTokenization(
  raw: unknown,
  deps: DecideDeps,
  call: DecisionCall | undefined,
): Promise<DecideResult | ReplayedDecision>;
export async function decideTokenization(
  raw: unknown,
  deps: DecideDeps,
  call?: DecisionCall,
): Promise<DecideResult | ReplayedDecision> {
  const started = (deps.now ?? systemClock)().getTime();
  const decisionId = randomUUID();
  const decidedAt = new Date(started).toISOString();
  // Off the critical path: the claim runs while the request is parsed and the card's history read.
  const claim = call && deps.replay ? claimToken(deps, deps.replay, call) : undefined;
  const replay = claim && call ? { claim, call } : undefined;

  const parsed = decisionRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    return recordAndAnswer(deps, replay, { invalidOn: decidedAt.slice(0, 10) }, started, {
      decisionId,
      decidedAt,
      answer: { decisionId, outcome: 'DECLINE', reasonCodes: ['INVALID_REQUEST'], activationMethods: [], details },
      firedRules: [],
      storeFailed: false,
    });
  }
  const request = parsed.data;
  const signals = decisionSignals(request);
  const cardId = request.card.id;
  const tokenId = request.token_id ?? undefined;
  const owner: DecisionOwner = tokenId ? { tokenId } : { cardId };

  // The wallet asks for ID&V and we are never more permissive than the wallet, so the answer is ID&V
  // or a decline: look the contacts up now, in parallel with the store query, not after it.
  const contactRef = { accountId: request.account_id ?? undefined, cardId };
  const earlyMethods =
    signals.walletRecommendation === 'REQUIRE_ID_AND_V' ? offeredMethods(deps, contactRef) : undefined;

  // Which store call failed and how is recorded as such: a slow read of the card's history is not a
  // lost record (READ_TIMEOUT / READ_ERROR here; the record write has its own outcome below).
  let storeFailure: string | undefined;
  try {
    const since = new Date(started - deps.liveRuleSet.velocityWindowHours * HOUR_MS).toISOString();
    const tokens = await withTimeout(deps.store.listTokensOfCard(cardId, 100), deps.storeTimeoutMs);
    signals.tokensProvisionedRecently = tokens.items.filter(
      (t) => t.tokenId !== tokenId && t.firstEventAt >= since,
    ).length;
  } catch (err) {
    storeFailure =
      err instanceof StoreTimeout ? 'READ_TIMEOUT' : `READ_ERROR ${err instanceof Error ? err.name : 'Error'}`;
  }

  const live = decide(deps.liveRuleSet, signals);
  const shadow = deps.shadowRuleSet ? decide(deps.shadowRuleSet, signals) : undefined;
  let answer: DecisionAnswer;
  if (storeFailure && deps.failMode === 'DEFER') {
    answer = {
      decisionId,
      reasonCodes: ['STORE_UNAVAILABLE'],
      ruleSetVersion: live.ruleSetVersion,
      activationMethods: [],
    };
  } else if (storeFailure && deps.failMode === 'DECLINE') {
    answer = {
      decisionId,
      outcome: 'DECLINE',
      reasonCodes: ['STORE_UNAVAILABLE'],
      ruleSetVersion: live.ruleSetVersion,
      activationMethods: [],
    };
  } else {
    // DECIDE (or a healthy store): the rules on the signals at hand; a missing store-derived signal
    // fires no rule, and the outcome is never more permissive than the wallet's recommendation.
    answer = {
      decisionId,
      outcome: live.outcome,
      reasonCodes: storeFailure ? [...live.reasonCodes, 'STORE_UNAVAILABLE'] : live.reasonCodes,
      ruleSetVersion: live.ruleSetVersion,
      activationMethods:
        live.outcome === 'REQUIRE_ID_AND_V' ? await (earlyMethods ?? offeredMethods(deps, contactRef)) : [],
    };
  }
  return recordAndAnswer(deps, replay, owner, started, {
    decisionId,
    decidedAt,
    answer,
    firedRules: live.firedRules,
    // Only when the live outcome was answered: under DEFER/DECLINE fail modes nothing was waived.
    waivedBy: answer.outcome === live.outcome ? live.waivedBy : undefined,
    signals: recordedSignals(signals),
    shadow: shadowOf(shadow),
    callMethod: request.network_call_method,
    network: signals.network,
    cardId,
    storeFailure,
    storeFailed: storeFailure !== undefined,
  });
}

/**
 * The rule set's activation methods with masked destinations. A method whose destination is known
 * not to exist (no mobile phone, no email) is not offered; a failed or slow lookup keeps the method
 * with a null destination rather than withholding it.
 */
async function offeredMethods(deps: DecideDeps, ref: { accountId?: string; cardId: string }) {
  const methods = deps.liveRuleSet.activationMethods;
  const lookup = async <T>(f: () => Promise<T>): Promise<T | 'unknown'> => {
    if (!deps.contacts) return 'unknown';
    try {
      return await withTimeout(f(), deps.storeTimeoutMs);
    } catch {
      return 'unknown';
    }
  };
  const [phone, email] = await Promise.all([
    methods.includes('OTP_SMS')
      ? lookup(() => deps.contacts?.mobilePhone(ref) ?? Promise.resolve(undefined))
      : 'unknown',
    methods.includes('OTP_EMAIL') ? lookup(() => deps.contacts?.email(ref) ?? Promise.resolve(undefined)) : 'unknown',
  ]);
  const offered: { type: string; destination: string | null }[] = [];
  for (const type of methods) {
    const found = type === 'OTP_SMS' ? phone : type === 'OTP_EMAIL' ? email : 'unknown';
    if (found === undefined) continue;
    const destination = found === 'unknown' ? null : type === 'OTP_SMS' ? maskPhone(found) : maskEmail(found);
    offered.push({ type, destination });
  }
  return offered;
}

interface Pending {
  decisionId: string;
  decidedAt: string;
  answer: DecisionAnswer;
  firedRules: DecisionRecord['firedRules'];
  waivedBy?: string[];
  signals?: Record<string, unknown>;
  shadow?: DecisionRecord['shadow'];
  callMethod?: string;
  network?: string;
  cardId?: string;
  storeFailure?: string;
  storeFailed: boolean;
}

type Claim = 'first' | 'replay' | 'unavailable';

/** Claims the token's `jti`; 'unavailable' when the memory cannot answer in time (decided without it). */
async function claimToken(
  deps: DecideDeps,
  memory: ReplayMemory<PismoDecisionResponse>,
  call: DecisionCall,
): Promise<Claim> {
  try {
    return await abortable((signal) => memory.claim(call.replayKey, call.acceptedUntil, signal), deps.storeTimeoutMs);
  } catch {
    return 'unavailable';
  }
}

const REPLAY_POLL_MS = 25;

/**
 * The first call's answer for a replayed token. A replay racing its first call waits for that answer
 * (up to two store budgets: the first call's read and write); still none means 409, never a decision.
 */
async function firstAnswer(deps: DecideDeps, call: DecisionCall): Promise<ReplayedDecision> {
  const memory = deps.replay;
  const deadline = Date.now() + 2 * deps.storeTimeoutMs;
  while (memory) {
    const answer = await abortable((signal) => memory.firstAnswer(call.replayKey, signal), deps.storeTimeoutMs).catch(
      () => undefined,
    );
    if (answer) return { replayed: true, response: answer };
    if (Date.now() + REPLAY_POLL_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
  }
  throw new ReplayInProgressError();
}

async function recordAndAnswer(
  deps: DecideDeps,
  replay: { claim: Promise<Claim>; call: DecisionCall } | undefined,
  owner: DecisionOwner,
  started: number,
  p: Pending,
): Promise<DecideResult | ReplayedDecision> {
  const claimed = replay ? await replay.claim : undefined;
  if (replay && claimed === 'replay') return firstAnswer(deps, replay.call);
  const response = toPismoDecisionResponse(p.answer);
  const record: DecisionRecord = {
    decisionId: p.decisionId,
    decidedAt: p.decidedAt,
    decision: response.decision,
    reasonCodes: response.reason_codes,
    ruleSetVersion: p.answer.ruleSetVersion,
    firedRules: p.firedRules,
    ...(p.waivedBy ? { waivedBy: p.waivedBy } : {}),
    signals: p.signals,
    shadow: p.shadow,
    callMethod: p.callMethod,
    network: p.network,
    cardId: p.cardId,
    storeFailure: p.storeFailure,
    details: p.answer.details,
    latencyMs: (deps.now ?? systemClock)().getTime() - started,
  };
  // The write is not cancelled at the budget (the store port takes no signal, and a request already
  // sent may land anyway): the answer goes out, and `recordSettled` reports what really happened.
  const write = deps.store.putDecision(owner, record);
  const recordSettled = write.then(
    () => 'written' as const,
    () => 'failed' as const,
  );
  const memory = deps.replay;
  const [recordWrite, answerSaved] = await Promise.all([
    withTimeout(recordSettled, deps.storeTimeoutMs).catch(() => 'pending' as const),
    replay && memory
      ? abortable(
          (signal) => memory.saveAnswer(replay.call.replayKey, replay.call.acceptedUntil, response, signal),
          deps.storeTimeoutMs,
        ).then(
          () => true,
          () => false,
        )
      : true,
  ]);
  return {
    replayed: false,
    response,
    record,
    storeFailed: p.storeFailed,
    recordWrite,
    recordSettled,
    replayMemoryFailed: claimed === 'unavailable' || !answerSaved,
  };
}

/** Records a request rejected before it could be parsed (wrong media type, not JSON). */
export async function recordRejectedRequest(
  reason: string,
  deps: Pick<DecideDeps, 'store' | 'storeTimeoutMs' | 'now'>,
): Promise<boolean> {
  const decidedAt = (deps.now ?? systemClock)().toISOString();
  const record: DecisionRecord = {
    decisionId: randomUUID(),
    decidedAt,
    decision: 'REJECTED',
    reasonCodes: ['UNPARSEABLE_REQUEST'],
    firedRules: [],
    details: [reason],
    latencyMs: 0,
  };
  try {
    await withTimeout(deps.store.putDecision({ invalidOn: decidedAt.slice(0, 10) }, record), deps.storeTimeoutMs);
    return true;
  } catch {
    return false;
  }
}
