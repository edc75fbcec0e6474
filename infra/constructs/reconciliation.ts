import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  type IChainable,
  JsonPath,
  LogLevel,
  Map as MapState,
  S3ObjectsItemReader,
  StateMachine,
  StateMachineType,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV, METRICS_NAMESPACE, RECONCILIATION_DEFAULTS, RECONCILIATION_ENV } from '../../shared/config';
import { AppFunction, type MdesBinding } from './app-function';
import { SCOPES, type ServiceApi } from './http-api';

/** Context keys of the reconciliation (docs/reference/configuration.md). */
export const RECONCILIATION_CONTEXT = {
  /** Pismo's tokenization API base; default `<pismoApiUrl>/cards-tokenization`. */
  pismoTokenizationUrl: 'tokenization:pismoTokenizationUrl',
  /** MDES Search permits per second for the whole deployment (split among the functions and sweep workers). */
  mdesRate: 'tokenization:reconciliationMdesRatePerSecond',
  /** Map concurrency of the full sweep (workers calling Pismo at once). */
  sweepConcurrency: 'tokenization:reconciliationSweepConcurrency',
  /** `distributed` (AWS: table export to S3 + Distributed Map) or `inline` (the local runner's form). */
  sweepMode: 'tokenization:reconciliationSweep',
  /** Drift findings per hour that raise the alarm. */
  driftAlarmThreshold: 'tokenization:reconciliationDriftAlarmThreshold',
} as const;

export interface ReconciliationProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  /** The service's HTTP API: the routes get its JWT authorizer and the scopes of SCOPES. */
  api: ServiceApi;
  alarmTopic: ITopic;
  mdes: readonly MdesBinding[];
  pismoApiUrl: string;
  pismoClientId: string;
  pismoClientSecret: { secret: ISecret; key: IKey };
}

function contextNumber(scope: Construct, key: string, fallback: number): number {
  const raw: unknown = scope.node.tryGetContext(key);
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${key} must be a positive number, got ${String(raw)}`);
  return n;
}

/**
 * Reconciliation (docs/flows/reconciliation.md): the on-demand API (`/reconciliation/*`), the
 * scheduled run over tokens in doubt (hourly), the weekly full sweep (a state machine: table export
 * to S3 and a Distributed Map over the export's files in AWS, an inline Map over card batches on the
 * local runner), and the drift alarm.
 */
export class Reconciliation extends Construct {
  readonly api: AppFunction;
  readonly scheduled: AppFunction;
  readonly sweep: AppFunction;
  readonly stateMachine: StateMachine;
  readonly driftAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    const sweepConcurrency = Math.floor(contextNumber(this, RECONCILIATION_CONTEXT.sweepConcurrency, 10));
    const mdesRate = contextNumber(this, RECONCILIATION_CONTEXT.mdesRate, RECONCILIATION_DEFAULTS.mdesRatePerSecond);
    const mode = String(this.node.tryGetContext(RECONCILIATION_CONTEXT.sweepMode) ?? 'distributed');
    if (mode !== 'distributed' && mode !== 'inline')
      throw new Error(`${RECONCILIATION_CONTEXT.sweepMode} must be distributed or inline, got ${mode}`);
    const tokenizationUrl = String(
      this.node.tryGetContext(RECONCILIATION_CONTEXT.pismoTokenizationUrl) ??
        `${props.pismoApiUrl.replace(/\/+$/, '')}/cards-tokenization`,
    );
    // The MDES budget is shared: the API and the scheduled run get one share each, every sweep worker one.
    const share = mdesRate / (sweepConcurrency + 2);
    const environment = {
      [RECONCILIATION_ENV.pismoTokenizationUrl]: tokenizationUrl,
      [ENV.pismoApiUrl]: props.pismoApiUrl,
      [ENV.pismoClientId]: props.pismoClientId,
      [RECONCILIATION_ENV.mdesRatePerSecond]: String(share),
    };
    const fn = (name: string, entry: string, description: string, timeout: Duration, extra = {}) => {
      const f = new AppFunction(this, name, {
        logKey: props.logKey,
        logRetention: props.logRetention,
        entry,
        description,
        timeout,
        mastercard: true,
        environment: { ...environment, ...extra },
      })
        .useTable(props.table, 'readWrite')
        .useSecret(ENV.pismoClientSecretId, props.pismoClientSecret.secret, props.pismoClientSecret.key)
        .useMdes(props.mdes);
      // The token-state scan (tokens in doubt, the local sweep) and clearing a card's flag.
      f.fn.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Scan', 'dynamodb:DeleteItem'], resources: [props.table.tableArn] }),
      );
      return f;
    };

    this.api = fn(
      'ReconciliationApi',
      'functions/reconciliation/reconciliation-api.ts',
      'POST/GET /reconciliation/cards/{cardId}, GET /reconciliation/runs',
      Duration.seconds(29),
    );
    const integration = new HttpLambdaIntegration('ReconciliationIntegration', this.api.fn);
    const routes: [string, HttpMethod, string][] = [
      ['/reconciliation/cards/{cardId}', HttpMethod.POST, SCOPES.tokensWrite],
      ['/reconciliation/cards/{cardId}', HttpMethod.GET, SCOPES.tokensRead],
      ['/reconciliation/runs', HttpMethod.GET, SCOPES.tokensRead],
    ];
    for (const [path, method, scopeName] of routes) props.api.addInternalRoute(path, method, integration, scopeName);

    this.scheduled = fn(
      'ScheduledReconciliation',
      'functions/reconciliation/scheduled-reconciliation.ts',
      'Hourly: reconcile the cards of tokens in doubt and the flagged cards',
      Duration.minutes(15),
    );
    const hourly = new Rule(this, 'Hourly', {
      description: 'Reconciliation of the tokens in doubt',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(this.scheduled.fn, { retryAttempts: 2 })],
    });
    Validations.of(hourly).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The scheduled event carries no data to replay: the next hourly run picks the same tokens in doubt and the ' +
        'flagged cards again.',
    });

    this.sweep = fn(
      'ReconciliationSweep',
      'functions/reconciliation/sweep-step.ts',
      'Full sweep steps: start, reconcile a batch or an export file, finish',
      Duration.minutes(15),
    );
    this.stateMachine = this.sweepStateMachine(props, mode, sweepConcurrency);
    const weekly = new Rule(this, 'Weekly', {
      description: 'Full reconciliation sweep',
      schedule: Schedule.cron({ weekDay: 'SUN', hour: '3', minute: '0' }),
      targets: [new SfnStateMachine(this.stateMachine, { retryAttempts: 2 })],
    });
    Validations.of(weekly).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The weekly event carries no data: a missed sweep is visible (no run that week) and the SweepFailed alarm fires.',
    });

    // --- alarms ---------------------------------------------------------------------------------
    const threshold = contextNumber(this, RECONCILIATION_CONTEXT.driftAlarmThreshold, 25);
    const drift = (service: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'ReconciliationDrift',
        dimensionsMap: { service },
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    const action = new SnsAction(props.alarmTopic);
    this.driftAlarm = new Alarm(this, 'DriftAlarm', {
      metric: new MathExpression({
        expression: 'api + scheduled + sweep',
        usingMetrics: {
          api: drift('reconciliation-api'),
          scheduled: drift('scheduled-reconciliation'),
          sweep: drift('reconciliation-sweep'),
        },
        period: Duration.hours(1),
        label: 'ReconciliationDrift (all runs)',
      }),
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `Reconciliation found ${threshold} or more drifting tokens in an hour: events are being lost (docs/flows/reconciliation.md)`,
    });
    this.driftAlarm.addAlarmAction(action);
    new Alarm(this, 'SweepFailed', {
      metric: this.stateMachine.metricFailed({ period: Duration.days(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'The full reconciliation sweep failed (docs/flows/reconciliation.md)',
    }).addAlarmAction(action);
  }

  /**
   * The full sweep. `distributed` (AWS): start the run → export the table to S3 (point-in-time) →
   * wait for it → a Distributed Map over the export's files (each child reconciles one file's cards),
   * `MaxConcurrency` workers → finish. `inline` (local: aws-local-stepfunctions has no ItemReader and
   * no export): start lists every card in batches → an inline Map over the batches, same
   * `MaxConcurrency` → finish. The same step function serves both.
   */
  private sweepStateMachine(props: ReconciliationProps, mode: 'distributed' | 'inline', concurrency: number) {
    const step = (name: string, payload: Record<string, unknown>, resultPath?: string) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: this.sweep.fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
        taskTimeout: Timeout.duration(Duration.minutes(15)),
        payload: TaskInput.fromObject(payload),
        ...(resultPath ? { resultPath } : {}),
      });
    const runIdPath = JsonPath.stringAt('$.run.runId');
    const start = step(
      'StartSweep',
      {
        action: 'start',
        runId: JsonPath.stringAt('$$.Execution.Name'),
        ...(mode === 'inline' ? { listCards: true } : {}),
      },
      '$.run',
    );
    const finish = step(
      'FinishSweep',
      { action: 'finish', runId: runIdPath, startedAt: JsonPath.stringAt('$.run.startedAt') },
      '$.result',
    );
    let definition: IChainable;
    if (mode === 'inline') {
      const map = new MapState(this, 'ReconcileCards', {
        itemsPath: '$.run.batches',
        maxConcurrency: concurrency,
        resultPath: JsonPath.DISCARD,
      });
      map.itemProcessor(
        step('ReconcileBatch', {
          action: 'reconcile',
          BatchInput: JsonPath.objectAt('$.BatchInput'),
          Items: JsonPath.listAt('$.Items'),
        }),
      );
      definition = start.next(map).next(finish);
    } else {
      const bucket = new Bucket(this, 'Exports', {
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        lifecycleRules: [{ expiration: Duration.days(7) }],
        removalPolicy: RemovalPolicy.DESTROY,
        autoDeleteObjects: false,
      });
      Validations.of(bucket).acknowledge(
        {
          id: 'AwsSolutions-S1',
          reason:
            'Holds only the table exports of the weekly sweep (deleted after 7 days), written by DynamoDB and read by ' +
            'the sweep; CloudTrail data events cover access. Server access logs would need a second bucket.',
        },
        {
          id: 'PCI.DSS.321-S3BucketLoggingEnabled',
          reason: 'See AwsSolutions-S1: export files only, 7-day lifetime, no card data (tokens and ids).',
        },
        { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason: 'Transient exports (7 days): the table has PITR.' },
        {
          id: 'PCI.DSS.321-S3BucketVersioningEnabled',
          reason: 'Transient exports, written once, deleted after 7 days.',
        },
        {
          id: 'PCI.DSS.321-S3DefaultEncryptionKMS',
          reason: 'SSE-S3: the exports hold token states only, no card data.',
        },
      );
      const prefix = JsonPath.format('exports/{}/', runIdPath);
      const exportTable = new CallAwsService(this, 'ExportTable', {
        service: 'dynamodb',
        action: 'exportTableToPointInTime',
        parameters: {
          TableArn: props.table.tableArn,
          S3Bucket: bucket.bucketName,
          S3Prefix: prefix,
          ExportFormat: 'DYNAMODB_JSON',
        },
        iamResources: [props.table.tableArn],
        resultSelector: { exportArn: JsonPath.stringAt('$.ExportDescription.ExportArn') },
        resultPath: '$.export',
      });
      const describe = new CallAwsService(this, 'DescribeExport', {
        service: 'dynamodb',
        action: 'describeExport',
        parameters: { ExportArn: JsonPath.stringAt('$.export.exportArn') },
        // Export ARNs are generated (`<table>/export/<id>`); DescribeExport reads export metadata only.
        iamResources: ['*'],
        resultSelector: { status: JsonPath.stringAt('$.ExportDescription.ExportStatus') },
        resultPath: '$.exportStatus',
      });
      const wait = new Wait(this, 'WaitForExport', { time: WaitTime.duration(Duration.minutes(2)) });
      const map = new DistributedMap(this, 'ReconcileExportFiles', {
        itemReader: new S3ObjectsItemReader({ bucket, prefix }),
        itemSelector: {
          action: 'reconcileExportFile',
          runId: runIdPath,
          bucket: bucket.bucketName,
          key: JsonPath.stringAt('$$.Map.Item.Value.Key'),
        },
        maxConcurrency: concurrency,
        toleratedFailurePercentage: 5,
        resultPath: JsonPath.DISCARD,
      });
      map.itemProcessor(
        new LambdaInvoke(this, 'ReconcileExportFile', {
          lambdaFunction: this.sweep.fn,
          payloadResponseOnly: true,
          retryOnServiceExceptions: true,
          taskTimeout: Timeout.duration(Duration.minutes(15)),
        }),
      );
      this.sweep.fn.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('exports/*')] }),
      );
      Validations.of(this.sweep).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/exports/*]`,
        reason: 'The sweep reads the export files of any run: they are written under exports/<run id>/ by DynamoDB.',
      });
      definition = start
        .next(exportTable)
        .next(wait)
        .next(describe)
        .next(
          new Choice(this, 'ExportDone')
            .when(Condition.stringEquals('$.exportStatus.status', 'COMPLETED'), map.next(finish))
            .when(Condition.stringEquals('$.exportStatus.status', 'IN_PROGRESS'), wait)
            .otherwise(new Fail(this, 'ExportFailed', { error: 'ExportFailed', cause: 'the table export failed' })),
        );
      this.exportGrants = { bucket, table: props.table };
    }
    const sm = new StateMachine(this, 'SweepStateMachine', {
      stateMachineName: `${Stack.of(this).stackName}-reconciliation-sweep`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'SweepLogs', {
          retention: props.logRetention,
          encryptionKey: props.logKey,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    if (this.exportGrants) {
      const { bucket, table } = this.exportGrants;
      // DynamoDB writes the export with the caller's permissions.
      sm.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl'],
          resources: [bucket.arnForObjects('exports/*')],
        }),
      );
      if (table.encryptionKey)
        sm.addToRolePolicy(
          new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [table.encryptionKey.keyArn] }),
        );
    }
    Validations.of(sm).acknowledge(
      {
        id: 'PCI.DSS.321-IAMNoInlinePolicy',
        reason:
          'The state machine role policy is generated by CDK from its task definitions: named function, table and bucket.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray (active tracing) and the Step Functions log delivery actions support no resource-level permissions; ' +
          'dynamodb:DescribeExport is on `*` because export ARNs are generated (it reads export metadata only).',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.sweep.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'Step Functions invokes the sweep function by ARN; CDK also allows its versions/aliases (`:*`).',
      },
    );
    if (this.exportGrants) {
      const stack = Stack.of(this);
      const bucketId = stack.getLogicalId(this.exportGrants.bucket.node.defaultChild as CfnElement);
      const execution = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(sm.node.defaultChild as CfnElement)}"}]}]}`;
      Validations.of(sm).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*]`,
          reason: "DynamoDB writes each export under exports/<run id>/ with the caller's permissions.",
        },
        {
          id: `AwsSolutions-IAM5[Resource::${execution}:*]`,
          reason:
            "The Distributed Map's child executions of this state machine (CDK's DistributedMapPolicy): generated names.",
        },
        {
          id: `AwsSolutions-IAM5[Resource::${execution}/*:*]`,
          reason:
            "The Distributed Map's child executions of this state machine (CDK's DistributedMapPolicy): generated names.",
        },
      );
    }
    return sm;
  }

  private exportGrants?: { bucket: Bucket; table: ITable };
}
