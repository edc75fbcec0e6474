import { RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { GSI } from '../../shared/config';

/**
 * State that outlives deployments: the token table (DESIGN.md §4) and its customer-managed key.
 * Everything here is retained on stack deletion and protected against accidental deletion.
 */
/** An MDES customer (CID) served by this deployment, from `tokenization:mdesCustomers`. */
export interface MdesCustomerSettings {
  customerId: string;
  organization: string;
  /** `sandbox`, `mtf`, `production` or a base URL. */
  baseUrl: string;
  encryption: boolean;
}

export interface StatefulStackProps extends StackProps {
  stage: string;
  mdesCustomers: readonly MdesCustomerSettings[];
}

export class StatefulStack extends Stack {
  readonly table: Table;
  /** Encrypts the Mastercard key secrets. */
  readonly keysKey: Key;
  /** One secret per MDES customer; values are installed by the operator (README runbook), never by code. */
  readonly mdesSecrets: { settings: MdesCustomerSettings; secret: Secret }[];
  /** Pismo's API client secret (`{"clientSecret":"…"}`), installed by the operator. */
  readonly pismoClientSecret: Secret;
  readonly tableKey: Key;
  /** Seals ID&V codes held until delivery (shared/notify/otp-sealer.ts); retained like the table. */
  readonly otpKey: Key;
  /** Encrypts every CloudWatch log group of the service (function logs, API access logs). */
  readonly logKey: Key;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.tableKey = new Key(this, 'TableKey', {
      description: 'Card tokenization token store',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logKey = new Key(this, 'LogKey', {
      description: 'Card tokenization log groups',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:*`,
          },
        },
      }),
    );
    this.otpKey = new Key(this, 'OtpKey', {
      description: 'Card tokenization ID&V codes sealed until delivery',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.keysKey = new Key(this, 'KeysKey', {
      description: 'Card tokenization Mastercard project keys',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.mdesSecrets = props.mdesCustomers.map((settings) => ({
      settings,
      secret: new Secret(this, `MdesKeys${settings.customerId.replace(/[^A-Za-z0-9]/g, '')}`, {
        secretName: `card-tokenization/${props.stage}/mdes/${settings.customerId}`,
        description: `Mastercard MDES keys of customer ${settings.customerId} (format: README, Keys)`,
        encryptionKey: this.keysKey,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
    }));
    for (const { secret } of this.mdesSecrets)
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotation is scheduled on this secret from the stateless stack (RotationSchedule with the MDES key rotation ' +
          'function, every 300 days), which cdk-nag cannot see across stacks.',
      });
    this.pismoClientSecret = new Secret(this, 'PismoClientSecret', {
      secretName: `card-tokenization/${props.stage}/pismo-client`,
      description: 'Pismo API client secret: {"clientSecret":"…"} (README, Configuration)',
      encryptionKey: this.keysKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.pismoClientSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Pismo issues and rotates its API client secrets in Pismo's console; the operator then writes the new value " +
        '(put-secret-value). There is no API for a Lambda to rotate it.',
    });
    this.table = new Table(this, 'Tokens', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI.byCard,
      partitionKey: { name: 'GSI1PK', type: AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: AttributeType.STRING },
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI.byTokenUniqueReference,
      partitionKey: { name: 'GSI2PK', type: AttributeType.STRING },
      sortKey: { name: 'GSI2SK', type: AttributeType.STRING },
    });
  }
}
