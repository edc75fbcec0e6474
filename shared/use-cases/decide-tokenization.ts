import { randomUUID } from 'node:crypto';
import { maskEmail, maskPhone } from '../domain/challenge';
import { type Decision, type DecisionSignals, decide, type RuleSet } from '../domain/decision';
import type { ContactDirectory } from '../pismo/accounts-client';
import { decisionRequestSchema, decisionSignals } from '../pismo/decision-request';
import { type DecisionAnswer, toPismoDecisionResponse } from '../pismo/decision-response';
import type { DecisionOwner, DecisionRecord, TokenStore } from '../store/token-store';

/** What to answer when the store cannot be read in time: decline, or let Pismo decide alone. */
export type DecisionFailMode = 'DECLINE' | 'DEFER';

export interface DecideDeps {
  store: Pick<TokenStore, 'listTokensOfCard' | 'putDecision'>;
  liveRuleSet: RuleSet;
  /** Evaluated and recorded next to the live decision, never returned. */
  shadowRuleSet?: RuleSet;
  failMode: DecisionFailMode;
  /** Budget for each store call; Pismo's whole budget is ~2 s end to end. */
  storeTimeoutMs: number;
  now?: () => number;
  /** Cardholder contacts, to show masked destinations with the methods offered (optional). */
  contacts?: ContactDirectory;
}

/** The answer for Pismo plus what the handler needs for logs and metrics. */
export interface DecideResult {
  response: ReturnType<typeof toPismoDecisionResponse>;
  record: DecisionRecord;
  /** The store read failed or timed out (fail mode applied). */
  storeFailed: boolean;
  /** The decision could not be recorded (logged by the handler instead). */
  recordFailed: boolean;
}

class StoreTimeout extends Error {
  override readonly name = 'StoreTimeout';
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
  };
}

/**
 * Decides one tokenization request: validate → signals (network message + ≤ 1 store query for
 * velocity) → live (and shadow) rule set → record → answer. Never throws for bad input: an invalid
 * request is declined with INVALID_REQUEST and recorded; a store outage follows the fail mode.
 */
export async function decideTokenization(raw: unknown, deps: DecideDeps): Promise<DecideResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const decisionId = randomUUID();
  const decidedAt = new Date(started).toISOString();

  const parsed = decisionRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    return recordAndAnswer(deps, { invalidOn: decidedAt.slice(0, 10) }, started, {
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

  let storeFailure: string | undefined;
  try {
    const since = new Date(started - deps.liveRuleSet.velocityWindowHours * HOUR_MS).toISOString();
    const tokens = await withTimeout(deps.store.listTokensOfCard(cardId, 100), deps.storeTimeoutMs);
    signals.tokensProvisionedRecently = tokens.items.filter(
      (t) => t.tokenId !== tokenId && t.firstEventAt >= since,
    ).length;
  } catch (err) {
    storeFailure = err instanceof Error ? err.name : 'Error';
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
  } else if (storeFailure) {
    answer = {
      decisionId,
      outcome: 'DECLINE',
      reasonCodes: ['STORE_UNAVAILABLE'],
      ruleSetVersion: live.ruleSetVersion,
      activationMethods: [],
    };
  } else {
    answer = {
      decisionId,
      outcome: live.outcome,
      reasonCodes: live.reasonCodes,
      ruleSetVersion: live.ruleSetVersion,
      activationMethods:
        live.outcome === 'REQUIRE_ID_AND_V' ? await (earlyMethods ?? offeredMethods(deps, contactRef)) : [],
    };
  }
  return recordAndAnswer(deps, owner, started, {
    decisionId,
    decidedAt,
    answer,
    firedRules: live.firedRules,
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
  signals?: Record<string, unknown>;
  shadow?: DecisionRecord['shadow'];
  callMethod?: string;
  network?: string;
  cardId?: string;
  storeFailure?: string;
  storeFailed: boolean;
}

async function recordAndAnswer(
  deps: DecideDeps,
  owner: DecisionOwner,
  started: number,
  p: Pending,
): Promise<DecideResult> {
  const response = toPismoDecisionResponse(p.answer);
  const record: DecisionRecord = {
    decisionId: p.decisionId,
    decidedAt: p.decidedAt,
    decision: response.decision,
    reasonCodes: response.reason_codes,
    ruleSetVersion: p.answer.ruleSetVersion,
    firedRules: p.firedRules,
    signals: p.signals,
    shadow: p.shadow,
    callMethod: p.callMethod,
    network: p.network,
    cardId: p.cardId,
    storeFailure: p.storeFailure,
    details: p.answer.details,
    latencyMs: (deps.now ?? Date.now)() - started,
  };
  let recordFailed = false;
  try {
    await withTimeout(deps.store.putDecision(owner, record), deps.storeTimeoutMs);
  } catch {
    recordFailed = true;
  }
  return { response, record, storeFailed: p.storeFailed, recordFailed };
}

/** Records a request rejected before it could be parsed (wrong media type, not JSON). */
export async function recordRejectedRequest(
  reason: string,
  deps: Pick<DecideDeps, 'store' | 'storeTimeoutMs'>,
): Promise<boolean> {
  const decidedAt = new Date().toISOString();
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
