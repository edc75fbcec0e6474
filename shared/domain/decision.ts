/**
 * Tokenization decisions: rules as data over network-agnostic signals. Pure.
 *
 * Every rule whose conditions all hold "fires"; the decision is the most severe outcome among the
 * fired rules and the wallet's own recommendation, so we are never more permissive than the wallet.
 *
 * One exception, declared in the data: an APPROVE rule with `waivesIdAndV: true` that fires turns a
 * REQUIRE_ID_AND_V asked by the rule set into APPROVE (its reason code is added to the reasons that
 * asked for ID&V). It never lowers a DECLINE, and never the wallet's own ID&V or decline
 * recommendation (docs/decisions/0035-rules-that-waive-id-and-v.md).
 */

export const OUTCOMES = ['APPROVE', 'REQUIRE_ID_AND_V', 'DECLINE'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const SEVERITY: Record<Outcome, number> = { APPROVE: 0, REQUIRE_ID_AND_V: 1, DECLINE: 2 };

/** The facts a decision may use; every field may be missing from a given request. */
export interface DecisionSignals {
  network?: 'MDES' | 'VTS';
  callMethod?: string;
  walletRecommendation?: Outcome;
  walletRecommendationRaw?: string;
  walletName?: string;
  walletDeviceScore?: number;
  walletAccountScore?: number;
  visaTokenScore?: number;
  panSource?: 'ON_FILE' | 'MANUAL' | 'APP' | 'OTHER';
  cardStatus?: string;
  cardStage?: string;
  customCodes?: string[];
  activeTokens?: number;
  tokensProvisionedRecently?: number;
  tokenType?: string;
  storageTechnology?: string;
  deviceCountry?: string;
  walletAccountCountry?: string;
  deviceCountryMismatch?: boolean;
  otpMaxReached?: boolean;
}

export type SignalName = keyof DecisionSignals;
type Scalar = string | number | boolean;

/** One test on one signal. A missing signal fails every operator but `missing`. */
export type Condition =
  | { signal: SignalName; op: 'eq' | 'neq'; value: Scalar }
  | { signal: SignalName; op: 'in' | 'notIn'; value: Scalar[] }
  | { signal: SignalName; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { signal: SignalName; op: 'isTrue' | 'present' | 'missing' | 'nonEmpty' };

export interface Rule {
  id: string;
  description: string;
  /** All must hold for the rule to fire. */
  when: Condition[];
  outcome: Outcome;
  reasonCode: string;
  /**
   * Only on an APPROVE rule: when it fires, an ID&V asked by the rule set becomes APPROVE. A DECLINE
   * and the wallet's own recommendation are never lowered.
   */
  waivesIdAndV?: boolean;
}

/** A versioned rule set: the unit that is reviewed, deployed and shadow-tested. */
export interface RuleSet {
  version: string;
  description: string;
  /** Window for `tokensProvisionedRecently`. */
  velocityWindowHours: number;
  /** Methods offered when ID&V is required, in order of preference. */
  activationMethods: ('OTP_SMS' | 'OTP_EMAIL' | 'APP' | 'CALL_CENTER')[];
  rules: Rule[];
}

export interface FiredRule {
  id: string;
  outcome: Outcome;
  reasonCode: string;
  /** Present (true) on a fired rule that may waive ID&V, whether or not it did. */
  waivesIdAndV?: true;
}

export interface Decision {
  outcome: Outcome;
  ruleSetVersion: string;
  firedRules: FiredRule[];
  /** Reason codes of the fired rules that set the outcome (plus WALLET_RECOMMENDATION when it did). */
  reasonCodes: string[];
  /**
   * Ids of the fired rules that waived ID&V: the rule set asked for ID&V and the outcome is APPROVE
   * because of them. Absent when nothing was waived.
   */
  waivedBy?: string[];
}

function holds(c: Condition, signals: DecisionSignals): boolean {
  const v = signals[c.signal];
  if (c.op === 'missing') return v === undefined;
  if (v === undefined) return false;
  switch (c.op) {
    case 'eq':
      return v === c.value;
    case 'neq':
      return v !== c.value;
    case 'in':
      return c.value.includes(v as Scalar);
    case 'notIn':
      return !c.value.includes(v as Scalar);
    case 'gt':
      return typeof v === 'number' && v > c.value;
    case 'gte':
      return typeof v === 'number' && v >= c.value;
    case 'lt':
      return typeof v === 'number' && v < c.value;
    case 'lte':
      return typeof v === 'number' && v <= c.value;
    case 'isTrue':
      return v === true;
    case 'present':
      return true;
    case 'nonEmpty':
      return Array.isArray(v) ? v.length > 0 : v !== '';
  }
}

/** Evaluates a rule set; the result lists every rule that fired. */
export function decide(ruleSet: RuleSet, signals: DecisionSignals): Decision {
  const firedRules: FiredRule[] = ruleSet.rules
    .filter((r) => r.when.every((c) => holds(c, signals)))
    .map((r) => ({
      id: r.id,
      outcome: r.outcome,
      reasonCode: r.reasonCode,
      ...(r.waivesIdAndV === true && r.outcome === 'APPROVE' ? { waivesIdAndV: true as const } : {}),
    }));
  let ruled: Outcome = 'APPROVE';
  for (const r of firedRules) if (SEVERITY[r.outcome] > SEVERITY[ruled]) ruled = r.outcome;
  // A waiver lowers only the rule set's own ID&V: never a DECLINE, never the wallet's recommendation.
  const waivers = ruled === 'REQUIRE_ID_AND_V' ? firedRules.filter((r) => r.waivesIdAndV) : [];
  let outcome: Outcome = waivers.length > 0 ? 'APPROVE' : ruled;
  const wallet = signals.walletRecommendation;
  const walletStricter = wallet !== undefined && SEVERITY[wallet] > SEVERITY[outcome];
  if (walletStricter) outcome = wallet;
  const waived = waivers.length > 0 && outcome === 'APPROVE';
  const reasonCodes = waived
    ? [...firedRules.filter((r) => r.outcome === 'REQUIRE_ID_AND_V'), ...waivers].map((r) => r.reasonCode)
    : firedRules.filter((r) => r.outcome === outcome).map((r) => r.reasonCode);
  if (wallet !== undefined && wallet === outcome && outcome !== 'APPROVE') reasonCodes.push('WALLET_RECOMMENDATION');
  return {
    outcome,
    ruleSetVersion: ruleSet.version,
    firedRules,
    reasonCodes: [...new Set(reasonCodes)],
    ...(waived ? { waivedBy: waivers.map((r) => r.id) } : {}),
  };
}
