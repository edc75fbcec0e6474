import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnIPSet, CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_SECRET_KEY } from '../../shared/edge/origin-verify';

/** What the edge is built from (context keys in docs/security/edge.md). */
export interface EdgeSettings {
  /** The HTTP API's domain, `<api-id>.execute-api.<region>.amazonaws.com` (stack output ApiUrl, after the first deploy). */
  apiOriginDomain: string;
  /**
   * CIDRs allowed to call `/pismo/*`: context `tokenization:pismoSourceRanges`. UNCONFIRMED: Pismo has not
   * confirmed to us the source ranges its webhooks are sent from; the deployment supplies what Pismo
   * states for its environment, and there is no default. This is the one place that says so.
   */
  pismoSourceRanges: readonly string[];
  /** CIDRs allowed to call the internal routes (`/tokens*`, `/cs/*`): context `tokenization:internalSourceRanges`. */
  internalSourceRanges: readonly string[];
  /** Requests per source IP per 5 minutes before the rate rule blocks it (not applied to Pismo's ranges). */
  rateLimit: number;
  /** Name of the origin secret (`{"value":"…"}`), read by the stateless stack's authorizer. */
  originSecretName: string;
  /** Free text written into the distribution's comment: changing it makes CloudFront send the current secret. */
  originSecretRotation?: string;
  /** A custom domain and its ACM certificate (us-east-1): with them viewers need TLS 1.2+. */
  domainName?: string;
  certificateArn?: string;
  logRetention: RetentionDays;
}

export interface EdgeProps {
  settings: EdgeSettings;
}

/** Managed rule groups of the web ACL, in evaluation order (before the allow rules). */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesCommonRuleSet'] as const;

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  // Sampled requests show every header unredacted, Pismo's JWT included; the WAF log redacts it.
  sampledRequestsEnabled: false,
});

/** The URI path (normalised: `/pismo/../tokens` is `/tokens`) starts with `prefix`. */
const pathStartsWith = (prefix: string): CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'STARTS_WITH',
    searchString: prefix,
    textTransformations: [{ priority: 0, type: 'NORMALIZE_PATH' }],
  },
});

const anyOf = (statements: CfnWebACL.StatementProperty[]): CfnWebACL.StatementProperty =>
  statements.length === 1 && statements[0] ? statements[0] : { orStatement: { statements } };

/**
 * CloudFront + AWS WAF in front of the HTTP API (docs/security/edge.md). The web ACL blocks by default
 * and allows `/pismo/*` from Pismo's ranges and the internal routes from the internal range, after a
 * per-IP rate rule and two AWS managed rule groups. CloudFront forwards to the API over TLS 1.2 with a
 * secret header that the API's origin-verify authorizer checks on the Pismo routes.
 */
export class Edge extends Construct {
  readonly distribution: Distribution;
  readonly webAcl: CfnWebACL;
  readonly originSecret: Secret;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const s = props.settings;
    const pismo = this.ipSets('Pismo', s.pismoSourceRanges);
    const internal = this.ipSets('Internal', s.internalSourceRanges);

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Card tokenization API: Pismo and internal routes from their ranges only',
      defaultAction: { block: {} },
      visibilityConfig: visibility('TokenizationEdge'),
      rules: [
        {
          name: 'RatePerSourceIp',
          priority: 0,
          action: { block: {} },
          // Pismo calls from a few addresses at up to the route throttles (100/s each): a per-IP cap would
          // cut it off at its peak. Its volume is bounded by the stage's route throttles instead.
          statement: {
            rateBasedStatement: {
              limit: s.rateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
              scopeDownStatement: { notStatement: { statement: pismo } },
            },
          },
          visibilityConfig: visibility('RatePerSourceIp'),
        },
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: 1 + i,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name,
              // The common set blocks bodies over 8 KB; the functions enforce their own limit (256 KiB),
              // and a blocked decision webhook would decline a cardholder's provisioning.
              ...(name === 'AWSManagedRulesCommonRuleSet'
                ? { ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] }
                : {}),
            },
          },
          visibilityConfig: visibility(name),
        })),
        {
          name: 'AllowPismoRoutesFromPismo',
          priority: 10,
          action: { allow: {} },
          statement: { andStatement: { statements: [pathStartsWith('/pismo/'), pismo] } },
          visibilityConfig: visibility('AllowPismoRoutesFromPismo'),
        },
        {
          name: 'AllowInternalRoutesFromInternal',
          priority: 11,
          action: { allow: {} },
          statement: {
            andStatement: {
              statements: [
                { orStatement: { statements: [pathStartsWith('/tokens'), pathStartsWith('/cs/')] } },
                internal,
              ],
            },
          },
          visibilityConfig: visibility('AllowInternalRoutesFromInternal'),
        },
      ],
    });
    this.logWebAcl(s.logRetention);

    this.originSecret = new Secret(this, 'OriginSecret', {
      secretName: s.originSecretName,
      description: `Value of the ${ORIGIN_VERIFY_HEADER} header CloudFront adds (docs/security/edge.md)`,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: ORIGIN_VERIFY_SECRET_KEY,
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.originSecret).acknowledge(
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotated by the operator in two steps (docs/security/edge.md): a new value (the authorizer accepts current and ' +
          'previous), then an edge deploy so CloudFront sends it. A rotation Lambda cannot update the distribution safely.',
      },
      {
        id: 'PCI.DSS.321-SecretsManagerUsingKMSKey',
        reason:
          'No cardholder data: the value is also readable in the distribution config (cloudfront:GetDistributionConfig), ' +
          'so a customer-managed key would not narrow who can read it. The aws/secretsmanager key needs no cross-region grant.',
      },
    );

    this.distribution = this.buildDistribution(s, this.accessLogBucket(s.logRetention));
  }

  /** One IP set per address family present (WAF sets are IPv4 or IPv6); the statement matching any. */
  private ipSets(name: string, ranges: readonly string[]): CfnWebACL.StatementProperty {
    const families = [
      ['IPV4', ranges.filter((r) => !r.includes(':'))],
      ['IPV6', ranges.filter((r) => r.includes(':'))],
    ] as const;
    return anyOf(
      families
        .filter(([, addresses]) => addresses.length > 0)
        .map(([version, addresses]) => ({
          ipSetReferenceStatement: {
            arn: new CfnIPSet(this, `${name}${version === 'IPV4' ? 'V4' : 'V6'}`, {
              scope: 'CLOUDFRONT',
              ipAddressVersion: version,
              addresses: [...addresses],
              description: `${name} source ranges`,
            }).attrArn,
          },
        })),
    );
  }

  /** WAF logs to CloudWatch Logs (name must start `aws-waf-logs-`), KMS-encrypted, Authorization redacted. */
  private logWebAcl(retention: RetentionDays): void {
    const stack = Stack.of(this);
    const key = new Key(this, 'LogKey', {
      description: 'Card tokenization edge: WAF logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`,
          },
        },
      }),
    );
    const logGroupName = `aws-waf-logs-${stack.stackName}`;
    const logGroup = new LogGroup(this, 'WafLogs', {
      logGroupName,
      retention,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logging = new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the trailing `:*` that LogGroup.logGroupArn carries.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Pismo's webhook JWT and the internal clients' bearer tokens never reach the log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(logGroup);
  }

  /** CloudFront standard logs: SSE-S3 (what CloudFront log delivery supports), no public access, TLS only. */
  private accessLogBucket(retention: RetentionDays): Bucket {
    const bucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      // CloudFront's log delivery writes through the bucket ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(retention), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log bucket of the distribution; logging it would need another log bucket in turn.',
      },
      {
        id: 'PCI.DSS.321-S3BucketLoggingEnabled',
        reason: 'This is the access-log bucket of the distribution; logging it would need another log bucket in turn.',
      },
      {
        id: 'PCI.DSS.321-S3BucketReplicationEnabled',
        reason:
          'CloudFront request logs are operational (the audit trail of token actions is in the token store and the ' +
          "functions' logs); versioning and a retained bucket protect them against overwrite and stack deletion.",
      },
      {
        id: 'PCI.DSS.321-S3DefaultEncryptionKMS',
        reason:
          'Encrypted at rest with SSE-S3, the encryption CloudFront standard-log delivery writes without extra key ' +
          'grants; the request lines hold no cardholder data (method, path with token ids, client IP, status).',
      },
    );
    return bucket;
  }

  private buildDistribution(s: EdgeSettings, logBucket: Bucket): Distribution {
    const custom =
      s.domainName && s.certificateArn
        ? {
            domainNames: [s.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', s.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {};
    const distribution = new Distribution(this, 'Distribution', {
      comment: ['Card tokenization API', s.originSecretRotation && `origin secret ${s.originSecretRotation}`]
        .filter(Boolean)
        .join('; ')
        .slice(0, 128),
      defaultBehavior: {
        origin: new HttpOrigin(s.apiOriginDomain, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          // Kept-alive origin connections save the TLS handshake on Pismo's synchronous webhook.
          keepaliveTimeout: Duration.seconds(60),
          customHeaders: {
            // A CloudFormation dynamic reference: resolved at deploy, never in the template or cdk.out.
            [ORIGIN_VERIFY_HEADER]: this.originSecret.secretValueFromJson(ORIGIN_VERIFY_SECRET_KEY).unsafeUnwrap(),
          },
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      webAclId: this.webAcl.attrArn,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      ...custom,
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        "Where Pismo sends from is Pismo's choice and may move; the web ACL allows each route only from its source " +
        'ranges, which is stricter than any country list.',
    });
    if (!custom.certificate)
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose viewer policy ' +
          'AWS fixes at TLSv1; set tokenization:edgeDomainName and tokenization:edgeCertificateArn for TLS 1.2+ ' +
          '(docs/security/edge.md). The origin side is TLS 1.2 only either way.',
      });
    return distribution;
  }
}
