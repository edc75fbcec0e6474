import { Template } from 'aws-cdk-lib/assertions';
import { build } from './build-stacks';

interface Statement {
  Action: string | string[];
  Resource?: unknown;
}

/**
 * The cards act function goes through the token lifecycle use case (ADR 0020): it gets what the
 * lifecycle function has (table, Pismo client secret, MDES key secrets, Pismo tokenization URL), and
 * no more (least privilege: no action the lifecycle function does not have).
 */
describe('infra: the card act function has the lifecycle access', () => {
  const t = Template.fromStack(build({ 'tokenization:lifecyclePismoMastercardPrograms': 'prog-1' }).stateless);
  const fnOf = (entry: string) => {
    const found = Object.values(t.findResources('AWS::Lambda::Function')).find(
      (f) => f.Metadata?.['local:entry'] === entry,
    );
    if (!found) throw new Error(`no function ${entry}`);
    return found;
  };
  const actionsOf = (fn: ReturnType<typeof fnOf>) => {
    const role = JSON.stringify({ Ref: (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] });
    return [
      ...new Set(
        Object.values(t.findResources('AWS::IAM::Policy'))
          .filter((p) => JSON.stringify(p.Properties.Roles) === `[${role}]`)
          .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
          .flatMap((s) => [s.Action].flat()),
      ),
    ].sort();
  };
  const act = fnOf('functions/cards/act-on-card-token.ts');
  const lifecycle = fnOf('functions/lifecycle/lifecycle.ts');

  it('sets the lifecycle settings on the act function', () => {
    const env = act.Properties.Environment.Variables as Record<string, unknown>;
    const lcEnv = lifecycle.Properties.Environment.Variables as Record<string, unknown>;
    for (const key of [
      'PISMO_TOKENIZATION_URL',
      'LIFECYCLE_PISMO_MASTERCARD_PROGRAMS',
      'PISMO_API_URL',
      'PISMO_CLIENT_ID',
      'PISMO_CLIENT_SECRET_ID',
      'MDES_CUSTOMERS',
    ])
      expect({ key, value: env[key] }).toEqual({ key, value: lcEnv[key] });
    expect(env.PISMO_TOKENIZATION_URL).toEqual(expect.stringMatching(/\/cards-tokenization$/));
  });

  it("grants the secrets' reads and no action the lifecycle function lacks", () => {
    const actions = actionsOf(act);
    expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt']));
    const lcActions = new Set(actionsOf(lifecycle));
    expect(actions.filter((a) => !lcActions.has(a))).toEqual([]);
  });
});
