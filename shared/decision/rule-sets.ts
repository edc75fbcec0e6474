import * as z from '../zod';
import { OUTCOMES, type RuleSet, type SignalName } from '../domain/decision';
import defaultV1 from './rule-sets/default-v1.json';
import defaultV2 from './rule-sets/default-v2.json';

/**
 * The rule sets shipped with this build. Rules are reviewed and versioned in git; an environment
 * picks its live (and optional shadow) rule set by name, so changing rules is a reviewed deploy.
 * Add a JSON file beside default-v1.json and list it here (a new version, never an edit of a
 * deployed one). `default-v2` is `default-v1` with `issuer-app-provisioning` waiving ID&V (ADR 0035).
 */
const BUNDLED: Record<string, unknown> = { 'default-v1': defaultV1, 'default-v2': defaultV2 };

const SIGNALS = [
  'network',
  'callMethod',
  'walletRecommendation',
  'walletRecommendationRaw',
  'walletName',
  'walletDeviceScore',
  'walletAccountScore',
  'visaTokenScore',
  'panSource',
  'cardStatus',
  'cardStage',
  'customCodes',
  'activeTokens',
  'tokensProvisionedRecently',
  'tokenType',
  'storageTechnology',
  'deviceCountry',
  'walletAccountCountry',
  'deviceCountryMismatch',
  'otpMaxReached',
] as const satisfies readonly SignalName[];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const signal = z.enum(SIGNALS);
const condition = z.union([
  z.strictObject({ signal, op: z.enum(['eq', 'neq']), value: scalar }),
  z.strictObject({ signal, op: z.enum(['in', 'notIn']), value: z.array(scalar) }),
  z.strictObject({ signal, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number() }),
  z.strictObject({ signal, op: z.enum(['isTrue', 'present', 'missing', 'nonEmpty']) }),
]);

export const ruleSetSchema = z.strictObject({
  version: z.string().check(z.minLength(1), z.maxLength(64)),
  description: z.string(),
  velocityWindowHours: z.number().check(z.positive()),
  activationMethods: z.array(z.enum(['OTP_SMS', 'OTP_EMAIL', 'APP', 'CALL_CENTER'])),
  rules: z.array(
    z.strictObject({
      id: z.string().check(z.regex(/^[a-z0-9-]{1,64}$/)),
      description: z.string(),
      when: z.array(condition).check(z.minLength(1)),
      outcome: z.enum(OUTCOMES),
      reasonCode: z.string().check(z.regex(/^[A-Z0-9_]{1,48}$/)),
      /** Only on an APPROVE rule: when it fires, an ID&V asked by the rule set becomes APPROVE. */
      waivesIdAndV: z.optional(z.boolean()),
    }),
  ),
});

/** Validates a rule set; throws with every problem (a bad rule set must fail the cold start). */
export function parseRuleSet(input: unknown): RuleSet {
  const parsed = ruleSetSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `invalid rule set: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const ids = parsed.data.rules.map((r) => r.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`invalid rule set: duplicate rule id ${duplicate}`);
  // A waiver that is not an APPROVE rule would be ambiguous (would it decline and waive?): refused.
  const badWaiver = parsed.data.rules.find((r) => r.waivesIdAndV === true && r.outcome !== 'APPROVE');
  if (badWaiver) throw new Error(`invalid rule set: rule ${badWaiver.id} waives ID&V but its outcome is not APPROVE`);
  return parsed.data as RuleSet;
}

/** Loads a bundled rule set by name; throws naming the ones available. */
export function loadRuleSet(name: string): RuleSet {
  const raw = BUNDLED[name];
  if (raw === undefined) throw new Error(`unknown rule set ${name}; bundled: ${Object.keys(BUNDLED).join(', ')}`);
  return parseRuleSet(raw);
}
