/**
 * Flow: Mastercard key lifecycle (docs/flows/keys.md; runbook docs/operations/mdes-keys.md).
 * Handlers: functions/keys/rotate-mdes-keys.ts (Secrets Manager rotation of each customer's key
 * secret), functions/keys/monitor-mdes-keys.ts (daily expiry check; revokes rotated-out keys after
 * the grace period). Use cases: shared/keys/rotation.ts, shared/keys/expiry-monitor.ts.
 *
 * Rotation every `rotationDays` (below the 12-month expiry), the daily monitor, and alarms to the
 * operators' topic at 45 and 14 days to expiry and on any rotation or monitor failure.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ENV, METRICS_NAMESPACE } from '../../shared/config';
import { EXPIRY_THRESHOLDS_DAYS } from '../../shared/keys/expiry-monitor';
import { AppFunction, type MdesBinding } from './app-function';

/** Credentials API, rotation period, grace before the old key is revoked. */
export interface KeySettings {
  registrarUrl: string;
  rotationDays: number;
  revokeGraceHours: number;
}

export interface KeysProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  /** MDES customers (CIDs) and their key secrets. */
  mdes: readonly MdesBinding[];
  settings: KeySettings;
  /** The operators' topic the alarms notify. */
  operators: ITopic;
}

export class Keys {
  readonly rotate: AppFunction;
  readonly monitor: AppFunction;

  constructor(scope: Construct, props: KeysProps) {
    const common = { logKey: props.logKey, logRetention: props.logRetention };
    const keysEnv = { [ENV.mdesRegistrarUrl]: props.settings.registrarUrl };
    const rotate = (this.rotate = new AppFunction(scope, 'RotateMdesKeys', {
      ...common,
      entry: 'functions/keys/rotate-mdes-keys.ts',
      description: 'Secrets Manager rotation of the Mastercard project keys',
      timeout: Duration.seconds(60),
      mastercard: true,
      environment: { ...keysEnv, [ENV.keyRevokeGraceHours]: String(props.settings.revokeGraceHours) },
    }).useMdes(props.mdes));
    rotate.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        resources: props.mdes.map((c) => c.secret.secretArn),
      }),
    );
    rotate.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [...new Set(props.mdes.map((c) => c.key.keyArn))],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
      }),
    );
    props.mdes.forEach((c, i) => {
      // Referenced without its key: RotationSchedule would grant on the key in the stateful stack (a
      // cross-stack cycle); the rotation function's KMS permissions are granted above.
      const secret = Secret.fromSecretAttributes(scope, `MdesKeysRef${i}`, { secretCompleteArn: c.secret.secretArn });
      new RotationSchedule(scope, `MdesKeysRotation${i}`, {
        secret,
        rotationLambda: rotate.fn,
        automaticallyAfter: Duration.days(props.settings.rotationDays),
      });
    });
    Validations.of(rotate).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'RotationSchedule grants secretsmanager:GetRandomPassword, which has no resource-level permissions (unused: ' +
        'keys are generated in the function).',
    });

    const monitor = (this.monitor = new AppFunction(scope, 'MonitorMdesKeys', {
      ...common,
      entry: 'functions/keys/monitor-mdes-keys.ts',
      description: 'Daily: Mastercard key days-to-expiry metrics; revokes rotated-out keys after grace',
      timeout: Duration.seconds(60),
      mastercard: true,
      environment: keysEnv,
    })
      .useTable(props.table, 'readWrite')
      .useMdes(props.mdes));
    const daily = new Rule(scope, 'MonitorMdesKeysDaily', {
      description: 'Daily Mastercard key expiry check',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaFunction(monitor.fn, { retryAttempts: 2 })],
    });
    Validations.of(daily).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The scheduled event carries no data to replay: a missed run shows as missing MdesKeyDaysToExpiry data, ' +
        'which the expiry alarms treat as breaching, and a failed run raises MdesKeyMonitorFailed.',
    });

    const action = new SnsAction(props.operators);
    const alarm = (
      id: string,
      metric: Metric,
      threshold: number,
      op: ComparisonOperator,
      description: string,
      missing: TreatMissingData,
    ) =>
      new Alarm(scope, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: op,
        treatMissingData: missing,
        alarmDescription: description,
      }).addAlarmAction(action);
    for (const c of props.mdes) {
      const days = new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'MdesKeyDaysToExpiry',
        dimensionsMap: { service: 'monitor-mdes-keys', CustomerId: c.customerId },
        statistic: 'Minimum',
        period: Duration.days(1),
      });
      const id = c.customerId.replace(/[^A-Za-z0-9]/g, '');
      for (const [level, threshold] of Object.entries(EXPIRY_THRESHOLDS_DAYS))
        alarm(
          `MdesKeyExpiry${level}${id}`,
          days,
          threshold,
          ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
          `Mastercard keys of ${c.customerId} expire in ${threshold} days or less: rotate now (docs/operations/mdes-keys.md)`,
          // No data means the monitor did not run: as bad as an unknown expiry.
          TreatMissingData.BREACHING,
        );
    }
    alarm(
      'MdesKeyRotationFailed',
      rotate.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      'A Mastercard key rotation step failed; AWSCURRENT is unchanged (docs/operations/mdes-keys.md)',
      TreatMissingData.NOT_BREACHING,
    );
    alarm(
      'MdesKeyMonitorFailed',
      monitor.fn.metricErrors({ period: Duration.days(1), statistic: 'Sum' }),
      1,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      'The daily Mastercard key check failed',
      TreatMissingData.NOT_BREACHING,
    );
  }
}
