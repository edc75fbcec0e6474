import { Template } from 'aws-cdk-lib/assertions';
import { LIFECYCLE_ROUTES } from '../../infra/constructs/lifecycle';
import { build } from './build-stacks';

interface Statement {
  Action: string | string[];
  Resource?: unknown;
}

/** The lifecycle construct: its routes, its settings and its grants (least privilege). */
describe('infra: lifecycle', () => {
  const template = (context: Record<string, unknown> = {}) => Template.fromStack(build(context).stateless);
  const fnOf = (t: Template) => {
    const [entry] = Object.entries(t.findResources('AWS::Lambda::Function')).filter(
      ([, f]) => f.Metadata?.['local:entry'] === 'functions/lifecycle/lifecycle.ts',
    );
    if (!entry) throw new Error('no lifecycle function');
    return { id: entry[0], fn: entry[1] };
  };

  it('puts every lifecycle route on the internal API behind the JWT authorizer, scope tokens:write', () => {
    const t = template();
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    for (const path of LIFECYCLE_ROUTES) {
      const route = routes.find((r) => r.RouteKey === `POST ${path}`);
      expect({ path, type: route?.AuthorizationType, scopes: route?.AuthorizationScopes }).toEqual({
        path,
        type: 'JWT',
        scopes: ['tokens:write'],
      });
    }
  });

  it('grants only the table, the Pismo client secret and the MDES key secrets; sets its settings', () => {
    const t = template({ 'tokenization:lifecyclePismoMastercardPrograms': 'prog-1,prog-2' });
    const { id, fn } = fnOf(t);
    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(env).toMatchObject({
      PISMO_TOKENIZATION_URL: expect.stringMatching(/\/cards-tokenization$/),
      LIFECYCLE_PISMO_MASTERCARD_PROGRAMS: 'prog-1,prog-2',
    });
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'TABLE_NAME',
        'PISMO_API_URL',
        'PISMO_CLIENT_ID',
        'PISMO_CLIENT_SECRET_ID',
        'MDES_CUSTOMERS',
      ]),
    );
    const role = JSON.stringify({ Ref: (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] });
    const actions = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === `[${role}]`)
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .flatMap((s) => {
        // X-Ray tracing has no resource-level permissions; everything else names its resources.
        if (![s.Action].flat().every((a) => a.startsWith('xray:')))
          expect({ id, resource: s.Resource }).not.toEqual({ id, resource: '*' });
        return [s.Action].flat();
      });
    expect([...new Set(actions)].sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });
});
