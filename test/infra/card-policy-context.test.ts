import { Template } from 'aws-cdk-lib/assertions';
import { build } from './build-stacks';

/**
 * The card-status policy is chosen by CDK context (docs/decisions/0022-card-policy-chosen-by-context.md):
 * `tokenization:cardStatusPolicy` → `CARD_POLICY`, `tokenization:cardStatusPolicyMode` →
 * `CARD_POLICY_MODE` of the plan function; default `default-v2`; an unknown policy fails the synth.
 */
describe('infra: the card-status policy from context', () => {
  const planEnv = (context: Record<string, unknown>) => {
    const t = Template.fromStack(build(context).stateless);
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find(
      (f) => f.Metadata?.['local:entry'] === 'functions/cards/plan-card-change.ts',
    );
    return fn?.Properties.Environment.Variables as Record<string, unknown>;
  };

  it('defaults to default-v2 in its own mode; context picks another policy and forces shadow mode', () => {
    const byDefault = planEnv({});
    expect(byDefault).toMatchObject({ CARD_POLICY: 'default-v2' });
    expect(byDefault).not.toHaveProperty('CARD_POLICY_MODE');
    expect(
      planEnv({ 'tokenization:cardStatusPolicy': 'default-v1', 'tokenization:cardStatusPolicyMode': 'shadow' }),
    ).toMatchObject({ CARD_POLICY: 'default-v1', CARD_POLICY_MODE: 'shadow' });
  });

  it('fails the synth for an unknown policy or mode, naming the bundled ones', () => {
    expect(() => build({ 'tokenization:cardStatusPolicy': 'my-bank-v9' })).toThrow(
      /unknown card policy my-bank-v9; bundled: default-v1, default-v2/,
    );
    expect(() => build({ 'tokenization:cardStatusPolicyMode': 'dry-run' })).toThrow(
      /tokenization:cardStatusPolicyMode must be enforce or shadow/,
    );
  });
});
