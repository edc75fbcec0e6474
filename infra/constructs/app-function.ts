import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, GSI } from '../../shared/config';
import { TRACE_ENABLED_ENV } from '../../shared/adapters/observability/tracer';

/** Metadata key the local stack reads to map a synthesized function back to its TypeScript entry. */
export const LOCAL_ENTRY_METADATA = 'local:entry';

const ROOT = path.resolve(__dirname, '..', '..');

/** How Pismo-facing functions verify Pismo's signed webhooks (see shared/adapters/pismo/webhook-auth.ts). */
export interface PismoWebhookSettings {
  jwksUrl: string;
  algorithms: string;
  /** Required: tokens are bound to this issuer and tenant. */
  issuer: string;
  orgId: string;
  /** Unset: the adapter's (unconfirmed) defaults. */
  orgClaim?: string;
  bodyHashClaim?: string;
  eventsAudience?: string;
  decisionsAudience?: string;
}

export interface AppFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/tokens/read-tokens.ts`. */
  entry: string;
  description: string;
  logKey: IKey;
  logRetention: RetentionDays;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /**
   * Calls Mastercard: node-forge (PKCS#12 keys, loaded only for such a key) is installed next to the
   * bundle instead of inside it, so its 290 KiB are not parsed at every cold start.
   */
  mastercard?: boolean;
  /** Directories (relative to the repository root) copied beside the bundle under their last name (the console's `public/`). */
  copyDirectories?: string[];
}

/** Packages installed beside the bundle (node_modules) rather than bundled; see `mastercard`. */
export const INSTALLED_NOT_BUNDLED = ['node-forge'];

/**
 * What esbuild leaves out of a function's bundle: only {@link INSTALLED_NOT_BUNDLED}, for a function
 * calling Mastercard; never the AWS SDK (bundled at its pinned version, not the Lambda runtime's copy).
 */
export const externalModulesOf = (props: Pick<AppFunctionProps, 'mastercard'>): string[] =>
  props.mastercard ? INSTALLED_NOT_BUNDLED : [];

/**
 * Every Lambda of the service: newest Node.js runtime, arm64, esbuild minified bundle with source
 * maps, X-Ray tracing, its own KMS-encrypted log group with retention, and Powertools settings.
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const logGroup = (this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    // Own role instead of AWSLambdaBasicExecutionRole: logs only to this function's log group.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Fn', {
      role,
      entry: path.join(ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.CJS,
        // Bundle the pinned SDK instead of the runtime's copy: the version we test is the version we run.
        externalModules: externalModulesOf(props),
        nodeModules: props.mastercard ? INSTALLED_NOT_BUNDLED : undefined,
        ...(props.copyDirectories?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.copyDirectories ?? []).map(
                    (dir) => `cp -R "${path.join(inputDir, dir)}" "${path.join(outputDir, path.basename(dir))}"`,
                  ),
              },
            }
          : {}),
      },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.logLevel]: 'INFO',
        // AWS SDK calls as X-Ray subsegments (shared/adapters/observability/tracer.ts); context
        // `tokenization:sdkTracing=false` saves its cold-start cost (docs/operations/dashboard.md).
        [TRACE_ENABLED_ENV]: String(!['false', false].includes(this.node.tryGetContext('tokenization:sdkTracing'))),
        ...props.environment,
      },
    });
    (this.fn.node.defaultChild as CfnFunction).addMetadata(LOCAL_ENTRY_METADATA, props.entry);
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions.',
      },
      {
        id: 'PCI.DSS.321-IAMNoInlinePolicy',
        reason:
          'The only inline policy is the per-function role policy CDK generates from explicit grants: attached to one ' +
          'role, least-privilege (named actions on named resources), managed as code; no user or group policies exist.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'A Lambda DLQ applies to asynchronous invocations only. The functions are invoked synchronously (API ' +
          'Gateway, the SQS event source mapping whose queue dead-letters after 5 receives, Step Functions with ' +
          'Retry/Catch, Secrets Manager rotation); the one asynchronous caller, the daily key-monitor schedule, is ' +
          'covered by alarms on its errors and on a missing daily metric (docs/operations/dashboard.md).',
      },
      {
        id: 'PCI.DSS.321-LambdaInsideVPC',
        reason:
          'Besides AWS APIs (DynamoDB, SQS, Step Functions, KMS, Secrets Manager, SNS, SES; IAM auth), the functions ' +
          "call third parties over the internet with TLS: Pismo's API (OAuth 2 client-credentials token) and its " +
          "webhook key set (JWKS), and Mastercard's MDES and credentials APIs (OAuth 1.0a signed requests). They " +
          'expose no listener and reach no private network; in a VPC those calls would need a NAT gateway (cost, ' +
          'cold-start latency) and reach the same endpoints. Revisit if a function must reach a private network.',
      },
    );
  }

  /** Sets the Pismo webhook verification settings (PISMO_* variables) of a Pismo-facing function. */
  usePismoWebhookAuth(settings: PismoWebhookSettings): this {
    const env: Record<string, string | undefined> = {
      [ENV.pismoJwksUrl]: settings.jwksUrl,
      [ENV.pismoJwtAlgorithms]: settings.algorithms,
      [ENV.pismoJwtIssuer]: settings.issuer,
      [ENV.pismoOrgId]: settings.orgId,
      [ENV.pismoOrgClaim]: settings.orgClaim,
      [ENV.pismoBodyHashClaim]: settings.bodyHashClaim,
      [ENV.pismoEventsAudience]: settings.eventsAudience,
      [ENV.pismoDecisionsAudience]: settings.decisionsAudience,
    };
    for (const [name, value] of Object.entries(env)) if (value) this.fn.addEnvironment(name, value);
    return this;
  }

  /**
   * Grants exactly the DynamoDB and KMS actions the store adapter uses (no wildcards) on the table,
   * its GSIs and its key, and sets TABLE_NAME in the same step, so neither is ever forgotten.
   */
  useTable(table: ITable, access: 'read' | 'readWrite'): this {
    const write = access === 'readWrite';
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query', ...(write ? ['dynamodb:PutItem', 'dynamodb:UpdateItem'] : [])],
        resources: [table.tableArn, ...Object.values(GSI).map((index) => `${table.tableArn}/index/${index}`)],
      }),
    );
    if (table.encryptionKey) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt', 'kms:DescribeKey', ...(write ? ['kms:Encrypt', 'kms:GenerateDataKey'] : [])],
          resources: [table.encryptionKey.keyArn],
        }),
      );
    }
    this.fn.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }

  /**
   * The ID&V code key: `seal` (ingestion: kms:Encrypt) or `open` (delivery: kms:Decrypt), only with an
   * encryption context naming the challenge and token, and its ARN in OTP_KEY_ARN.
   */
  useOtpKey(key: IKey, use: 'seal' | 'open'): this {
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: [use === 'seal' ? 'kms:Encrypt' : 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['challengeId', 'tokenId'] } },
      }),
    );
    this.fn.addEnvironment(ENV.otpKeyArn, key.keyArn);
    return this;
  }

  /** Reads one secret: its ARN in `envName`, read-only grants on it and (via Secrets Manager) its key. */
  useSecret(envName: string, secret: ISecret, key: IKey): this {
    this.fn.addEnvironment(envName, secret.secretArn);
    this.grantSecretsRead([secret], [key]);
    return this;
  }

  /**
   * Explicit grants (not secret.grantRead): the secrets' key lives in the stateful stack, and a
   * grant would write this role into its key policy, a cross-stack cycle.
   */
  private grantSecretsRead(secrets: readonly ISecret[], keys: readonly IKey[]): void {
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: secrets.map((s) => s.secretArn),
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [...new Set(keys.map((k) => k.keyArn))],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Sends cardholder messages: SMS through SNS to phone numbers and email through SES from `emailFrom`
   * (sets EMAIL_FROM). SMS publish names no topic, so it cannot be scoped by resource and SNS has no
   * condition key for a phone number: the grant is `sns:Publish` on everything that is *not* an SNS
   * ARN (`NotResource arn:…:sns:*:*:*`), i.e. direct SMS only, never a topic or platform endpoint.
   * Email: `ses:SendEmail` only on the sender's identities (address and domain) and only with
   * `ses:FromAddress` = `emailFrom`.
   */
  useCardholderMessaging(emailFrom: string): this {
    const stack = Stack.of(this);
    const domain = emailFrom.slice(emailFrom.lastIndexOf('@') + 1);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sns:Publish'],
        notResources: [`arn:${stack.partition}:sns:*:*:*`],
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [...new Set([emailFrom, domain])].map((identity) =>
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
        ),
        conditions: { StringEquals: { 'ses:FromAddress': emailFrom } },
      }),
    );
    this.fn.addEnvironment(ENV.emailFrom, emailFrom);
    return this;
  }

  /**
   * Lets the function call MDES for these customers: sets MDES_CUSTOMERS (ids, organizations, base
   * URLs, secret ARNs; never key material) and grants read on exactly their secrets and key.
   */
  useMdes(customers: readonly MdesBinding[]): this {
    this.fn.addEnvironment(
      ENV.mdesCustomers,
      Stack.of(this).toJsonString(
        customers.map((c) => ({
          customerId: c.customerId,
          organization: c.organization,
          baseUrl: c.baseUrl,
          encryption: c.encryption,
          secretId: c.secret.secretArn,
        })),
      ),
    );
    this.grantSecretsRead(
      customers.map((c) => c.secret),
      customers.map((c) => c.key),
    );
    return this;
  }
}

/** One MDES customer (CID) as the infrastructure knows it: settings plus its key secret. */
export interface MdesBinding {
  customerId: string;
  organization: string;
  /** `sandbox`, `mtf`, `production` or a base URL. */
  baseUrl: string;
  encryption: boolean;
  secret: ISecret;
  /** The KMS key that encrypts the secret. */
  key: IKey;
}
