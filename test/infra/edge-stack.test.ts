import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTemplate } from '../../local/model/cloud-template';
import { deriveLocalModel } from '../../local/model/model';
import { build } from './build-stacks';

const PISMO = ['203.0.113.0/24', '2001:db8::/32'];
const INTERNAL = ['198.51.100.0/24'];
const EDGE_CONTEXT = {
  'tokenization:apiOriginDomain': 'abc123.execute-api.eu-west-1.amazonaws.com',
  'tokenization:pismoSourceRanges': JSON.stringify(PISMO),
  // As `-c key=a,b` gives it.
  'tokenization:internalSourceRanges': INTERNAL.join(','),
};
// CloudFront's managed policies (AWS documents these ids).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Resource = { Type: string; Properties: Record<string, unknown> };

function only(t: Template, type: string): [string, Resource] {
  const found = Object.entries(t.findResources(type)) as [string, Resource][];
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

function pismoRoutes(t: Template): Record<string, unknown>[] {
  return Object.values(t.findResources('AWS::ApiGatewayV2::Route'))
    .map((r) => r.Properties as Record<string, unknown>)
    .filter((p) => String(p.RouteKey).includes(' /pismo/'));
}

describe('edge (CloudFront + WAF)', () => {
  describe('without tokenization:apiOriginDomain', () => {
    it('builds no edge stack and leaves the Pismo routes without an authorizer', () => {
      const stacks = build();
      expect(stacks.edge).toBeUndefined();
      expect(stacks.app.node.children.filter((c) => c instanceof Stack)).toHaveLength(2);
      const stateless = Template.fromStack(stacks.stateless);
      expect(pismoRoutes(stateless)).toHaveLength(2);
      for (const route of pismoRoutes(stateless)) expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
      stateless.resourcePropertiesCountIs('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST' }, 0);
      expect(Object.keys(stateless.findResources('AWS::CloudFront::Distribution'))).toHaveLength(0);
    });
  });

  describe('with the origin domain and source ranges', () => {
    let stacks: ReturnType<typeof build>;
    let edge: Template;
    let stateless: Template;
    beforeAll(() => {
      stacks = build(EDGE_CONTEXT);
      if (!stacks.edge) throw new Error('no edge stack');
      edge = Template.fromStack(stacks.edge);
      stateless = Template.fromStack(stacks.stateless);
    });

    it('deploys the edge to us-east-1, before the stateless stack (whose authorizer reads its secret)', () => {
      expect(stacks.edge?.region).toBe('us-east-1');
      expect(stacks.stateless.dependencies).toContain(stacks.edge);
    });

    it('builds the IP sets from context, per address family, scoped to CloudFront', () => {
      const sets = Object.values(edge.findResources('AWS::WAFv2::IPSet')).map(
        (r) => r.Properties as Resource['Properties'],
      );
      expect(sets.map((s) => [s.IPAddressVersion, s.Addresses, s.Scope]).sort()).toEqual(
        [
          ['IPV4', [PISMO[0]], 'CLOUDFRONT'],
          ['IPV6', [PISMO[1]], 'CLOUDFRONT'],
          ['IPV4', INTERNAL, 'CLOUDFRONT'],
        ].sort(),
      );
    });

    it('blocks by default, rate-limits per IP, runs the managed groups, then allows each route family from its ranges', () => {
      const [, acl] = only(edge, 'AWS::WAFv2::WebACL');
      const ipSetId = (addresses: string[]) => {
        const [id] = Object.entries(edge.findResources('AWS::WAFv2::IPSet', { Properties: { Addresses: addresses } }));
        return { 'Fn::GetAtt': [id?.[0], 'Arn'] };
      };
      const pismoSets = {
        OrStatement: {
          Statements: [
            { IPSetReferenceStatement: { Arn: ipSetId([PISMO[0] as string]) } },
            { IPSetReferenceStatement: { Arn: ipSetId([PISMO[1] as string]) } },
          ],
        },
      };
      const path = (prefix: string) =>
        Match.objectLike({
          ByteMatchStatement: Match.objectLike({
            FieldToMatch: { UriPath: {} },
            PositionalConstraint: 'STARTS_WITH',
            SearchString: prefix,
          }),
        });
      expect(acl.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Block: {} } });
      const rules = acl.Properties.Rules as { Name: string; Priority: number }[];
      expect([...rules].sort((a, b) => a.Priority - b.Priority).map((r) => r.Name)).toEqual([
        'RatePerSourceIp',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesCommonRuleSet',
        'AllowPismoRoutesFromPismo',
        'AllowInternalRoutesFromInternal',
      ]);
      edge.hasResourceProperties('AWS::WAFv2::WebACL', {
        // In evaluation order (arrayWith keeps order).
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'RatePerSourceIp',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: {
                AggregateKeyType: 'IP',
                Limit: 2000,
                EvaluationWindowSec: 300,
                ScopeDownStatement: { NotStatement: { Statement: pismoSets } },
              },
            },
          }),
          ...['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesCommonRuleSet'].map((name) =>
            Match.objectLike({
              Name: name,
              OverrideAction: { None: {} },
              Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: name }) },
            }),
          ),
          Match.objectLike({
            Name: 'AllowPismoRoutesFromPismo',
            Action: { Allow: {} },
            Statement: { AndStatement: { Statements: [path('/pismo/'), pismoSets] } },
          }),
          Match.objectLike({
            Name: 'AllowInternalRoutesFromInternal',
            Action: { Allow: {} },
            Statement: {
              AndStatement: {
                Statements: [
                  { OrStatement: { Statements: [path('/tokens'), path('/cs/')] } },
                  { IPSetReferenceStatement: { Arn: ipSetId(INTERNAL) } },
                ],
              },
            },
          }),
        ]),
      });
      for (const rule of rules as unknown as { VisibilityConfig: Record<string, unknown> }[])
        expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: false });
    });

    it('logs the web ACL to an encrypted aws-waf-logs-* group with the Authorization header redacted', () => {
      edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        RedactedFields: [{ SingleHeader: { Name: 'authorization' } }],
        LogDestinationConfigs: [
          Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:aws-waf-logs-')])] }),
        ],
      });
      edge.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'),
        KmsKeyId: Match.anyValue(),
      });
    });

    it('sends to the API over HTTPS (TLS 1.2) only, with the secret header, uncached, all methods, behind the ACL', () => {
      const [, dist] = only(edge, 'AWS::CloudFront::Distribution');
      const [secretId] = only(edge, 'AWS::SecretsManager::Secret');
      const [aclId] = only(edge, 'AWS::WAFv2::WebACL');
      const [bucketId] = only(edge, 'AWS::S3::Bucket');
      expect(dist.Properties.DistributionConfig).toMatchObject({
        WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] },
        Logging: { Bucket: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] } },
        DefaultCacheBehavior: {
          ViewerProtocolPolicy: 'https-only',
          CachePolicyId: CACHING_DISABLED,
          OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        },
        Origins: [
          {
            DomainName: EDGE_CONTEXT['tokenization:apiOriginDomain'],
            CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
            OriginCustomHeaders: [
              {
                HeaderName: 'x-origin-verify',
                // A dynamic reference to the generated secret: the value is in neither template nor cdk.out.
                HeaderValue: {
                  'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:value::}}']],
                },
              },
            ],
          },
        ],
      });
      edge.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: 'card-tokenization/dev/origin-verify',
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'value', ExcludePunctuation: true }),
      });
    });

    it('writes the access logs to an encrypted, private, TLS-only bucket', () => {
      edge.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      edge.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('puts the origin-verify authorizer on exactly the two Pismo routes, by header, cached, simple responses', () => {
      const request = Object.entries(
        stateless.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { AuthorizerType: 'REQUEST' } }),
      );
      expect(request).toHaveLength(1);
      const [id, authorizer] = request[0] as [string, Resource];
      expect(authorizer.Properties).toMatchObject({
        IdentitySource: ['$request.header.x-origin-verify'],
        AuthorizerResultTtlInSeconds: 300,
        EnableSimpleResponses: true,
        AuthorizerPayloadFormatVersion: '2.0',
      });
      const withIt = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route'))
        .map((r) => r.Properties as Record<string, unknown>)
        .filter((p) => JSON.stringify(p.AuthorizerId) === JSON.stringify({ Ref: id }));
      expect(withIt.map((p) => [p.RouteKey, p.AuthorizationType]).sort()).toEqual([
        ['POST /pismo/events', 'CUSTOM'],
        ['POST /pismo/tokenization-decisions', 'CUSTOM'],
      ]);
    });

    it('lets the authorizer read only the origin secret, by name in us-east-1', () => {
      const fns = Object.entries(
        stateless.findResources('AWS::Lambda::Function', {
          Metadata: { 'local:entry': 'functions/edge/verify-origin.ts' },
        }),
      );
      expect(fns).toHaveLength(1);
      expect((fns[0]?.[1] as Resource).Properties).toMatchObject({
        Environment: {
          Variables: {
            ORIGIN_VERIFY_SECRET_ID: 'card-tokenization/dev/origin-verify',
            ORIGIN_VERIFY_SECRET_REGION: 'us-east-1',
          },
        },
      });
      stateless.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: 'secretsmanager:GetSecretValue',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':secretsmanager:us-east-1:',
                    { Ref: 'AWS::AccountId' },
                    ':secret:card-tokenization/dev/origin-verify-??????',
                  ],
                ],
              },
            },
          ]),
        },
      });
    });

    it('the local stack treats the origin-verify authorizer as satisfied and ignores CloudFront and WAF', () => {
      const assembly = stacks.app.synth();
      const model = deriveLocalModel(
        assembly.stacks.map((s) => ({ stackName: s.stackName, template: s.template as CfnTemplate })),
      );
      const pismo = model.routes.filter((r) => r.path.startsWith('/pismo/'));
      expect(pismo.map((r) => r.auth.type)).toEqual(['NONE', 'NONE']);
      expect(model.routes.filter((r) => r.auth.type === 'JWT').length).toBeGreaterThan(0);
    });
  });

  describe('edge context', () => {
    it('requires TLS 1.2 from viewers with a custom domain and certificate', () => {
      const stacks = build({
        ...EDGE_CONTEXT,
        'tokenization:edgeDomainName': 'api.example-issuer.com',
        'tokenization:edgeCertificateArn': 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
        'tokenization:edgeRateLimit': 500,
      });
      const edge = Template.fromStack(stacks.edge as Stack);
      edge.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Aliases: ['api.example-issuer.com'],
          ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
        }),
      });
      edge.hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([
          Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 500 }) } }),
        ]),
      });
    });

    it('refuses missing or open source ranges, a half-configured domain and a URL for the origin', () => {
      const without = (key: string) => Object.fromEntries(Object.entries(EDGE_CONTEXT).filter(([k]) => k !== key));
      expect(() => build(without('tokenization:pismoSourceRanges'))).toThrow(/pismoSourceRanges is required/);
      expect(() => build(without('tokenization:internalSourceRanges'))).toThrow(/internalSourceRanges is required/);
      expect(() => build({ ...EDGE_CONTEXT, 'tokenization:pismoSourceRanges': '0.0.0.0/0' })).toThrow(/\/0 refused/);
      expect(() => build({ ...EDGE_CONTEXT, 'tokenization:internalSourceRanges': '10.0.0.0' })).toThrow(/not an IPv4/);
      expect(() => build({ ...EDGE_CONTEXT, 'tokenization:edgeDomainName': 'api.example.com' })).toThrow(/go together/);
      expect(() => build({ ...EDGE_CONTEXT, 'tokenization:apiOriginDomain': 'https://x.example.com/prod' })).toThrow(
        /must be a domain name/,
      );
    });
  });
});
