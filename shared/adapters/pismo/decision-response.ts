import type { Outcome } from '../../domain/decision';

/**
 * The one place that knows the shape of our answer to Pismo's tokenization anti-fraud webhook.
 * Pismo's response schema is not public, so this shape is ours (documented in the README) and
 * isolated here: adapting to Pismo's confirmed schema is a change to this file only.
 */
export type WireDecision = 'APPROVED' | 'DECLINED' | 'REQUIRE_ADDITIONAL_AUTHENTICATION' | 'NO_DECISION';

const WIRE: Record<Outcome, WireDecision> = {
  APPROVE: 'APPROVED',
  DECLINE: 'DECLINED',
  REQUIRE_ID_AND_V: 'REQUIRE_ADDITIONAL_AUTHENTICATION',
};

export interface DecisionAnswer {
  decisionId: string;
  /** undefined: no decision (defer to Pismo). */
  outcome?: Outcome;
  reasonCodes: string[];
  ruleSetVersion?: string;
  /** Methods offered, with the destination masked as the cardholder may see it (null when unknown). */
  activationMethods: { type: string; destination: string | null }[];
  details?: string[];
}

/** Builds the response body for Pismo. */
export function toPismoDecisionResponse(answer: DecisionAnswer) {
  const decision = answer.outcome ? WIRE[answer.outcome] : 'NO_DECISION';
  return {
    decision,
    decision_id: answer.decisionId,
    reason_codes: answer.reasonCodes,
    rule_set_version: answer.ruleSetVersion ?? null,
    activation_methods: decision === 'REQUIRE_ADDITIONAL_AUTHENTICATION' ? answer.activationMethods : [],
    ...(answer.details ? { details: answer.details } : {}),
  };
}
