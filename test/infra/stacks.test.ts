import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import cdkJson from '../../cdk.json';
import { build } from './build-stacks';

describe('infra', () => {
  let stateful: Template;
  let stateless: Template;
  beforeAll(() => {
    const stacks = build();
    stateful = Template.fromStack(stacks.stateful);
    stateless = Template.fromStack(stacks.stateless);
  });

  describe('StatefulStack', () => {
    it('creates the token table with PK/SK, its GSIs (card, TUR, account and decisions by day), PITR, KMS CMK, TTL and deletion protection', () => {
      stateful.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'SK', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() }),
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          GlobalSecondaryIndexes: [
            Match.objectLike({
              IndexName: 'GSI1',
              KeySchema: [
                { AttributeName: 'GSI1PK', KeyType: 'HASH' },
                { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
              ],
            }),
            Match.objectLike({
              IndexName: 'GSI2',
              KeySchema: [
                { AttributeName: 'GSI2PK', KeyType: 'HASH' },
                { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
              ],
            }),
            Match.objectLike({
              IndexName: 'GSI3',
              KeySchema: [
                { AttributeName: 'GSI3PK', KeyType: 'HASH' },
                { AttributeName: 'GSI3SK', KeyType: 'RANGE' },
              ],
            }),
          ],
        }),
      });
    });

    it('rotates every KMS key and keeps it on stack deletion', () => {
      const keys = stateful.findResources('AWS::KMS::Key');
      expect(Object.values(keys).length).toBeGreaterThan(0);
      for (const key of Object.values(keys)) {
        expect(key).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
      }
    });
  });

  describe('StatelessStack', () => {
    it('runs every function on Node.js 24, arm64, with active tracing and an encrypted, retained log group', () => {
      const fns = stateless.findResources('AWS::Lambda::Function', { Metadata: { 'local:entry': Match.anyValue() } });
      // 13 + lifecycle + reconciliation (API, scheduled, sweep) + cards (plan, act) + cardholder (+ provisioning) + console (files, Cognito trigger)
      expect(Object.keys(fns).sort()).toHaveLength(23);
      for (const [id, fn] of Object.entries(fns)) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
        });
        expect(fn.Properties.Environment.Variables).toMatchObject({ NODE_OPTIONS: '--enable-source-maps' });
        // Every function but the key rotation one and the console's works on the token table.
        if (!id.startsWith('RotateMdesKeys') && !id.startsWith('Console'))
          expect(fn.Properties.Environment.Variables).toMatchObject({
            TABLE_NAME: { 'Fn::ImportValue': expect.stringContaining('ExportsOutputRefTokens') },
          });
      }
      stateless.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    });

    it('grants only named DynamoDB actions, writes only to the ingestion functions', () => {
      const policies = Object.values(stateless.findResources('AWS::IAM::Policy'));
      const statements = policies.flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[],
      );
      const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect(actions.filter((a) => a.startsWith('dynamodb:')).every((a) => !a.includes('*'))).toBe(true);
      const readPolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('ReadTokens'));
      expect(JSON.stringify(readPolicy)).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem)/);
      const ingestPolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('IngestPismoEvent'));
      expect(JSON.stringify(ingestPolicy)).toMatch(/dynamodb:PutItem/);
    });

    it('uses no AWS managed policies on function roles', () => {
      stateless.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    });

    it('feeds the events queue from SNS (raw) and EventBridge (detail only), with a KMS-encrypted DLQ after 5 receives', () => {
      stateless.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
        KmsMasterKeyId: Match.anyValue(),
      });
      stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true });
      stateless.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { detail: { domain: ['cards-tokenization', 'cards', 'cardsonfile'] } },
        Targets: [Match.objectLike({ InputPath: '$.detail' })],
      });
      stateless.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    });

    it('consumes the queue with partial batch failures', () => {
      stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
      });
    });

    it('protects the read routes with the JWT authorizer and tokens:read scope', () => {
      // Without an external identity provider for the console (tokenization:consoleClientId), the
      // authorizer trusts the console's Cognito user pool (ADR 0030): test/infra/console.test.ts.
      const external = Template.fromStack(
        build({
          'tokenization:consoleClientId': 'console',
          'tokenization:consoleAuthorizationEndpoint': 'https://auth.example-issuer.com/authorize',
          'tokenization:consoleTokenEndpoint': 'https://auth.example-issuer.com/token',
          'tokenization:consoleEndSessionEndpoint': 'https://auth.example-issuer.com/logout',
        }).stateless,
      );
      external.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: {
          Issuer: cdkJson.context['tokenization:jwtIssuer'],
          Audience: [cdkJson.context['tokenization:jwtAudience']],
        },
      });
      for (const routeKey of ['GET /tokens', 'GET /tokens/{tokenId}']) {
        stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: routeKey,
          AuthorizationType: 'JWT',
          AuthorizationScopes: ['tokens:read'],
        });
      }
    });

    it('gives the Pismo-facing functions the webhook verification settings and the decision settings', () => {
      const fns = Object.values(
        stateless.findResources('AWS::Lambda::Function', { Metadata: { 'local:entry': Match.anyValue() } }),
      );
      const env = (entry: string) =>
        fns.find((f) => f.Metadata['local:entry'] === entry)?.Properties.Environment.Variables;
      for (const entry of ['functions/events/ingest-pismo-event.ts', 'functions/decision/decide-tokenization.ts']) {
        expect(env(entry)).toMatchObject({
          PISMO_JWKS_URL: expect.stringMatching(/^https:\/\//),
          PISMO_JWT_ALGORITHMS: 'RS256,ES256,PS256',
          PISMO_BODY_HASH_CLAIM: 'body_hash',
          PISMO_ORG_ID: cdkJson.context['tokenization:pismoOrgId'],
          PISMO_JWT_ISSUER: cdkJson.context['tokenization:pismoJwtIssuer'],
          PISMO_EVENTS_AUDIENCE: '/pismo/events',
          PISMO_DECISIONS_AUDIENCE: '/pismo/tokenization-decisions',
        });
      }
      expect(env('functions/decision/decide-tokenization.ts')).toMatchObject({
        DECISION_RULE_SET: 'default-v2',
        DECISION_FAIL_MODE: 'DECIDE',
      });
      expect(env('functions/tokens/read-tokens.ts')).not.toHaveProperty('PISMO_JWKS_URL');
    });

    it('routes the decision webhook to its own function without a gateway authorizer (verified in the function)', () => {
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'POST /pismo/tokenization-decisions',
        AuthorizationType: 'NONE',
      });
    });

    it('logs access and throttles the API stage', () => {
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
        DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      });
    });
  });

  describe('Customer Service and Mastercard keys', () => {
    it('creates one secret per MDES customer, encrypted with a customer-managed, rotating, retained key', () => {
      stateful.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          Name: 'card-tokenization/dev/mdes/default',
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysKey'), 'Arn'] },
        }),
      });
      stateful.hasResourceProperties('AWS::KMS::Key', {
        Description: 'Card tokenization Mastercard project keys',
        EnableKeyRotation: true,
      });
    });

    it('rotates every customer secret with the rotation function every 300 days (below the 12-month expiry)', () => {
      stateless.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotateMdesKeysFn'), 'Arn'] },
        RotationRules: { ScheduleExpression: 'rate(300 days)' },
      });
    });

    it('checks key expiry daily and alarms at 45 and 14 days, on rotation failures and on monitor failures', () => {
      stateless.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
      const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
      const expiry = alarms.filter((a) => a.MetricName === 'MdesKeyDaysToExpiry');
      expect(expiry.map((a) => [a.Threshold, a.ComparisonOperator, a.Statistic, a.TreatMissingData]).sort()).toEqual([
        [14, 'LessThanOrEqualToThreshold', 'Minimum', 'breaching'],
        [45, 'LessThanOrEqualToThreshold', 'Minimum', 'breaching'],
      ]);
      expect(expiry[0]?.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'CustomerId', Value: 'default' },
          { Name: 'service', Value: 'monitor-mdes-keys' },
        ]),
      );
      expect(alarms.filter((a) => a.MetricName === 'Errors')).toHaveLength(2);
      for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OperatorAlarms/) }]);
      stateless.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: Match.anyValue(),
        DisplayName: Match.stringLikeRegexp('operator'),
      });
    });

    it('routes the Customer Service API with tokens:read for reads and search, tokens:write for changes', () => {
      const routes = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route'))
        .map((r) => r.Properties as { RouteKey: string; AuthorizationScopes?: string[] })
        .filter((r) => r.RouteKey.includes('/cs/'))
        .map((r) => [r.RouteKey, r.AuthorizationScopes])
        .sort();
      expect(routes).toEqual([
        ['GET /cs/system-status', ['tokens:read']],
        ['GET /cs/tokens/{tokenId}/{operation}', ['tokens:read']],
        ['GET /cs/turs/{tur}/{operation}', ['tokens:read']],
        ['POST /cs/accounts/update', ['tokens:write']],
        ['POST /cs/search', ['tokens:read']],
        ['POST /cs/tokens/{tokenId}/{operation}', ['tokens:write']],
        ['POST /cs/turs/{tur}/{operation}', ['tokens:write']],
      ]);
    });

    it('lets only the rotation function write key secrets, and only the Mastercard functions read them', () => {
      const policies = Object.values(stateless.findResources('AWS::IAM::Policy'));
      const statements = (p: (typeof policies)[number]) =>
        p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
      const roles = (action: string, resource: RegExp) =>
        policies
          .filter((p) =>
            statements(p).some(
              (st) => [st.Action].flat().includes(action) && resource.test(JSON.stringify(st.Resource)),
            ),
          )
          .map((p) => JSON.stringify(p.Properties.Roles))
          .join(' ');
      expect(roles('secretsmanager:PutSecretValue', /MdesKeys/)).toMatch(/^[^ ]*RotateMdesKeys[^ ]*$/);
      const mdesReaders = roles('secretsmanager:GetSecretValue', /MdesKeys/);
      for (const fn of [
        'CustomerService',
        'ResendChallenge',
        'ReviewAbandonedToken',
        'RotateMdesKeys',
        'MonitorMdesKeys',
      ])
        expect(mdesReaders).toContain(fn);
      for (const fn of ['IngestPismoEvent', 'DecideTokenization', 'ReadTokens', 'DeliverOtp'])
        expect(mdesReaders).not.toContain(fn);
      // The Pismo client secret: the functions that call Pismo's API, and no others.
      const pismoReaders = roles('secretsmanager:GetSecretValue', /PismoClientSecret/);
      for (const fn of ['DecideTokenization', 'DeliverOtp', 'NotifyCardAdded']) expect(pismoReaders).toContain(fn);
      for (const fn of ['IngestPismoEvent', 'ReadTokens', 'CustomerService']) expect(pismoReaders).not.toContain(fn);
    });

    it('refuses a rotation period of 12 months or more', () => {
      expect(() => build({ 'tokenization:keyRotationDays': '365' })).toThrow(/keyRotationDays/);
    });
  });

  describe('decision provisioned concurrency', () => {
    const flag = 'tokenization:decisionProvisionedConcurrency';
    const decisionIntegration = (t: Template) =>
      Object.entries(t.findResources('AWS::ApiGatewayV2::Integration')).find(([id]) =>
        id.startsWith('ApiPOSTpismotokenizationdecisionsDecideIntegration'),
      )?.[1];

    it('invokes the function itself and provisions nothing when the flag is unset', () => {
      expect(stateless.findResources('AWS::Lambda::Alias')).toEqual({});
      const uri = JSON.stringify(decisionIntegration(stateless)?.Properties.IntegrationUri);
      expect(uri).toMatch(/DecideTokenizationFn/);
    });

    it('routes the decision webhook to a live alias with that many provisioned executions when set', () => {
      const stacks = build({ [flag]: '2' });
      const t = Template.fromStack(stacks.stateless);
      const aliases = Object.entries(t.findResources('AWS::Lambda::Alias'));
      expect(aliases).toHaveLength(1);
      const [aliasId, alias] = aliases[0] ?? [];
      expect(alias?.Properties).toMatchObject({
        Name: 'live',
        ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
        FunctionName: { Ref: expect.stringMatching(/^DecideTokenizationFn/) },
      });
      expect(JSON.stringify(decisionIntegration(t)?.Properties.IntegrationUri)).toContain(String(aliasId));
      // The synthesized app still passes cdk-nag with the alias.
      expect(() => stacks.app.synth()).not.toThrow();
    });

    it('refuses a value that is not a whole number', () => {
      expect(() => build({ [flag]: '1.5' })).toThrow(/decisionProvisionedConcurrency/);
      expect(() => build({ [flag]: '-1' })).toThrow(/decisionProvisionedConcurrency/);
    });
  });

  describe('cdk-nag', () => {
    it('passes AwsSolutions and PCI DSS 3.2.1 with every acknowledgement reasoned', () => {
      const { app } = build();
      expect(() => app.synth()).not.toThrow();
    });

    it('fails synth on an unacknowledged finding (the packs are really attached)', () => {
      const app = new App();
      const stack = new Stack(app, 'Bad');
      new Queue(stack, 'NoDlqNoSsl');
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
    });
  });
});
