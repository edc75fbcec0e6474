import * as z from '../zod';
import { CARD_STATUSES, type CardTokenAction, isKnownCardStatus, type KnownCardStatus } from '../domain/card';
import defaultV1 from './policies/default-v1.json';
import defaultV2 from './policies/default-v2.json';

/**
 * The card-status policy (issue 14), as data: what a card status does to the card's tokens.
 * Versioned JSON files beside default-v1.json, reviewed in git; a deployment picks one by name
 * (CDK context `tokenization:cardStatusPolicy` → `CARD_POLICY`, default {@link DEFAULT_CARD_POLICY})
 * and may force shadow mode (`tokenization:cardStatusPolicyMode` → `CARD_POLICY_MODE=shadow`): the
 * plan is recorded, no token is touched. Format and defaults: docs/flows/cards.md.
 */
const BUNDLED: Record<string, unknown> = { 'default-v1': defaultV1, 'default-v2': defaultV2 };

export { DEFAULT_CARD_POLICY } from '../config';

/** `resume` resumes only the tokens this policy suspended; `none` leaves the tokens alone. */
export const POLICY_ACTIONS = ['suspend', 'resume', 'delete', 'none'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export interface PolicyRule {
  action: PolicyAction;
  reason: string;
}

/** What a `pan_update` FAILURE (a reissue without its tokens) does: one retry of the transfer, or none. */
export const PAN_UPDATE_FAILURE_ACTIONS = ['retry-transfer', 'none'] as const;
export interface PanUpdateFailureRule {
  action: (typeof PAN_UPDATE_FAILURE_ACTIONS)[number];
  reason: string;
}

/** A policy without `panUpdateFailure` (default-v1) retries nothing: the alarm and the work item only. */
const NO_TRANSFER_RETRY: PanUpdateFailureRule = {
  action: 'none',
  reason: 'no transfer retry: the alarm and the work item only',
};

export interface CardPolicy {
  version: string;
  description: string;
  mode: 'enforce' | 'shadow';
  statuses: Record<KnownCardStatus, PolicyRule>;
  unknownStatus: PolicyRule;
  panUpdateFailure: PanUpdateFailureRule;
}

const rule = z.strictObject({
  action: z.enum(POLICY_ACTIONS),
  reason: z.string().check(z.minLength(1), z.maxLength(120)),
});

export const cardPolicySchema = z.strictObject({
  version: z.string().check(z.regex(/^[a-z0-9-]{1,64}$/)),
  description: z.string(),
  mode: z.enum(['enforce', 'shadow']),
  statuses: z.record(z.string(), rule),
  unknownStatus: rule,
  panUpdateFailure: z.optional(
    z.strictObject({
      action: z.enum(PAN_UPDATE_FAILURE_ACTIONS),
      reason: z.string().check(z.minLength(1), z.maxLength(120)),
    }),
  ),
});

/** Validates a policy: every documented status must say what it does (a bad policy fails the cold start). */
export function parseCardPolicy(input: unknown): CardPolicy {
  const parsed = cardPolicySchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `invalid card policy: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const named = Object.keys(parsed.data.statuses);
  const unknown = named.filter((s) => !isKnownCardStatus(s));
  if (unknown.length) throw new Error(`invalid card policy: unknown card status ${unknown.join(', ')}`);
  const missing = CARD_STATUSES.filter((s) => !named.includes(s));
  if (missing.length) throw new Error(`invalid card policy: no rule for ${missing.join(', ')}`);
  return { ...parsed.data, panUpdateFailure: parsed.data.panUpdateFailure ?? NO_TRANSFER_RETRY } as CardPolicy;
}

/** Loads a bundled policy by name, optionally forcing its mode; throws naming the ones available. */
export function loadCardPolicy(name: string, mode?: 'enforce' | 'shadow'): CardPolicy {
  const raw = BUNDLED[name];
  if (raw === undefined) throw new Error(`unknown card policy ${name}; bundled: ${Object.keys(BUNDLED).join(', ')}`);
  const policy = parseCardPolicy(raw);
  return mode ? { ...policy, mode } : policy;
}

/** The rule of a card status (the `unknownStatus` one for a status we do not know). */
export function ruleFor(policy: CardPolicy, status: string): PolicyRule {
  return isKnownCardStatus(status) ? policy.statuses[status] : policy.unknownStatus;
}

/** What the policy knows of one token when it plans. */
export interface TokenView {
  tokenId: string;
  status: string;
  /** Whether this policy's suspension mark is on the token. */
  suspendedByPolicy: boolean;
  /**
   * Whether someone else (the cardholder or the wallet, per the network's last lifecycle event) also
   * suspended it since: the multi-suspender rule, each suspender lifts only its own suspension.
   */
  suspendedByOthers?: boolean;
}

const TERMINAL = new Set(['deleted', 'declined']);

/**
 * The action on one token, or why none: pure, the heart of the policy matrix.
 * - suspend: active tokens only;
 * - resume: suspended tokens carrying this policy's mark only (never one the cardholder, the
 *   wallet or an agent suspended);
 * - delete: every token not deleted or declined yet.
 */
export function decideForToken(action: PolicyAction, token: TokenView): { action: CardTokenAction } | { skip: string } {
  switch (action) {
    case 'none':
      return { skip: 'the policy leaves tokens alone for this status' };
    case 'suspend':
      return token.status === 'active' ? { action: 'suspend' } : { skip: `token ${token.status}, not active` };
    case 'resume':
      if (token.status !== 'suspended') return { skip: `token ${token.status}, not suspended` };
      if (!token.suspendedByPolicy) return { skip: 'suspended by someone else, not by this policy' };
      return token.suspendedByOthers
        ? { skip: 'also suspended by the cardholder or the wallet since: theirs to lift' }
        : { action: 'resume' };
    case 'delete':
      return TERMINAL.has(token.status) ? { skip: `token already ${token.status}` } : { action: 'delete' };
  }
}
