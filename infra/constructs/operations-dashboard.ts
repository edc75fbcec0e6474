import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/config';
import { EXPIRY_THRESHOLDS_DAYS } from '../../shared/keys/expiry-monitor';
import type { AppFunction } from './app-function';
import { accountArn, allowServiceToUseKey } from './key-policies';

/**
 * The operators' topic every alarm of the service notifies, encrypted with `topicKey`; the key lets
 * CloudWatch alarms of this account publish to it. Built in `scope` (the stack): id `OperatorAlarms`.
 */
export function operatorAlarmTopic(scope: Construct, topicKey: IKey): Topic {
  allowServiceToUseKey(
    topicKey,
    'cloudwatch.amazonaws.com',
    ['kms:Decrypt', 'kms:GenerateDataKey*'],
    accountArn(topicKey, 'cloudwatch', 'alarm:*'),
  );
  return new Topic(scope, 'OperatorAlarms', {
    displayName: 'Card tokenization operator alarms',
    masterKey: topicKey,
    enforceSSL: true,
  });
}

export interface OperationsDashboardProps {
  /** The operators' (KMS-encrypted) SNS topic every alarm notifies. */
  alarmTopic: ITopic;
  decide: AppFunction;
  ingest: AppFunction;
  consume: AppFunction;
  deliverOtp: AppFunction;
  customerService: AppFunction;
  eventsDlq: IQueue;
  idvStateMachine: IStateMachine;
  mdesCustomerIds: readonly string[];
}

/** Pismo waits ~2 s for a decision (docs/api/pismo-webhooks.md); p99 above half of it is an incident in the making. */
export const DECISION_P99_ALARM_MS = 1000;

/** Decision outcomes as the decision function counts them (`Decision${record.decision}`). */
const DECISION_OUTCOMES = ['APPROVED', 'DECLINED', 'REQUIRE_ADDITIONAL_AUTHENTICATION', 'NO_DECISION', 'REJECTED'];

/**
 * Metrics derived from logs (the code emits no metric for them): the delivery step logs
 * `deliver-otp done` / `deliver-otp failed` (shared/idv/step-handler.ts; an expired code is a
 * normal end), the Customer Service API logs `error: "MdesCircuitOpenError"` when the breaker refuses a call.
 */
export const LOG_METRICS = {
  otpDelivered: { metricName: 'OtpDelivered', pattern: '{ $.message = "deliver-otp done" }' },
  otpFailed: {
    metricName: 'OtpDeliveryFailed',
    pattern: '{ $.message = "deliver-otp failed" && $.error != "ChallengeExpired" }',
  },
  circuitOpen: { metricName: 'MdesCircuitOpen', pattern: '{ $.error = "MdesCircuitOpenError" }' },
} as const;

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The on-call engineer's view (docs/operations/dashboard.md): decision latency and outcomes,
 * ingestion outcomes, the dead-letter queue, OTP delivery, Customer Service and the MDES circuit, and
 * Mastercard key expiry; with an alarm, notifying the operators' topic, on each signal that needs a
 * person. Metric names are the ones the functions emit (namespace `CardTokenization`, dimension
 * `service` = the function's Powertools service name).
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const app = (service: string, metricName: string, statistic = 'Sum', label?: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: FIVE_MINUTES,
        label: label ?? metricName,
      });
    const fromLogs = (fn: AppFunction, key: keyof typeof LOG_METRICS) => {
      const { metricName, pattern } = LOG_METRICS[key];
      new MetricFilter(this, `${metricName}Filter`, {
        logGroup: fn.logGroup,
        metricNamespace: METRICS_NAMESPACE,
        metricName,
        filterPattern: FilterPattern.literal(pattern),
        metricValue: '1',
        defaultValue: 0,
      });
      return new Metric({ namespace: METRICS_NAMESPACE, metricName, statistic: 'Sum', period: FIVE_MINUTES });
    };
    const action = new SnsAction(props.alarmTopic);
    const alarm = (
      name: string,
      metric: IMetric,
      threshold: number,
      description: string,
      options: { evaluationPeriods?: number; datapointsToAlarm?: number } = {},
    ) => {
      const a = new Alarm(this, name, {
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.datapointsToAlarm,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${description} (docs/operations/dashboard.md, ${name})`,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };
    const sum = (label: string, metrics: Record<string, IMetric>) =>
      new MathExpression({
        expression: Object.keys(metrics).join('+'),
        usingMetrics: metrics,
        label,
        period: FIVE_MINUTES,
      });

    // --- Decision webhook -----------------------------------------------------------------------
    const decide = 'decide-tokenization';
    const latencyP50 = app(decide, 'DecisionLatency', 'p50', 'p50');
    const latencyP99 = app(decide, 'DecisionLatency', 'p99', 'p99');
    const storeFailures = app(decide, 'DecisionStoreFailure');
    const recordFailures = app(decide, 'DecisionRecordFailure');
    alarm('DecisionLatencyP99', latencyP99, DECISION_P99_ALARM_MS, `Decision p99 ≥ ${DECISION_P99_ALARM_MS} ms`, {
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    alarm('DecisionStoreFailures', storeFailures, 1, 'Decisions answered by the fail mode: the store is unavailable');
    alarm('DecisionRecordFailures', recordFailures, 1, 'Decisions answered but not recorded');
    const recordPending = app(decide, 'DecisionRecordPending');
    const replays = app(decide, 'DecisionReplay');
    const replayMemoryFailures = app(decide, 'DecisionReplayMemoryFailure');
    alarm(
      'DecisionRecordPending',
      recordPending,
      5,
      'Decision records landing after the store budget: the store is slow',
      {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      },
    );
    alarm(
      'DecisionReplayMemoryFailures',
      replayMemoryFailures,
      1,
      'Decisions made without replay protection: the jti memory did not answer in time',
    );
    alarm(
      'DecisionFunctionErrors',
      sum('errors + throttles', {
        errors: props.decide.fn.metricErrors({ period: FIVE_MINUTES }),
        throttles: props.decide.fn.metricThrottles({ period: FIVE_MINUTES }),
      }),
      1,
      'The decision function failed or was throttled: Pismo got no answer',
    );

    // --- Ingestion ------------------------------------------------------------------------------
    const http = 'ingest-pismo-event';
    const sqs = 'consume-pismo-events';
    const perChannel = (metricName: string, what: string) => [
      app(http, metricName, 'Sum', `${what} (webhook)`),
      app(sqs, metricName, 'Sum', `${what} (queue)`),
    ];
    const rejected = sum('rejected', {
      rejectedWebhook: app(http, 'ClientErrors'),
      failedQueue: app(sqs, 'EventsFailed'),
    });
    const unknownFields = sum('unknown fields', {
      unknownWebhook: app(http, 'UnknownEventFields'),
      unknownQueue: app(sqs, 'UnknownEventFields'),
    });
    alarm('IngestionRejected', rejected, 5, 'Pismo events refused or failing (signature, schema or store)');
    alarm('UnknownEventFields', unknownFields, 1, 'Pismo sent fields the schema does not know: the contract changed', {
      evaluationPeriods: 1,
    });

    // --- Dead-letter queue ----------------------------------------------------------------------
    const dlqDepth = props.eventsDlq.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MINUTES,
      statistic: 'Maximum',
      label: 'messages',
    });
    alarm('EventsDlqNotEmpty', dlqDepth, 1, 'Pismo events gave up after 5 receives and wait in the DLQ');

    // --- OTP delivery (ID&V) --------------------------------------------------------------------
    const otpDelivered = fromLogs(props.deliverOtp, 'otpDelivered');
    const otpFailed = fromLogs(props.deliverOtp, 'otpFailed');
    const idvFailed = props.idvStateMachine.metricFailed({ period: FIVE_MINUTES, label: 'challenges failed' });
    alarm('OtpDeliveryFailures', otpFailed, 3, 'SMS/email provider refusing codes (each failure is retried)');
    alarm('IdvChallengesFailed', idvFailed, 1, 'A cardholder got no code or the workflow failed');

    // --- Customer Service / MDES ----------------------------------------------------------------
    const cs = 'customer-service';
    const circuitOpen = fromLogs(props.customerService, 'circuitOpen');
    alarm('MdesCircuitOpen', circuitOpen, 1, 'MDES calls paused after repeated failures (circuit open)');
    const turCollisions = app(cs, 'TurCollisions');
    alarm('TurCollisions', turCollisions, 1, 'Two tokens carry one TUR: Customer Service refuses to act on them (409)');

    // --- Mastercard keys (alarms: StatelessStack.mastercardKeys) --------------------------------
    const daysToExpiry = props.mdesCustomerIds.map(
      (customerId) =>
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'MdesKeyDaysToExpiry',
          dimensionsMap: { service: 'monitor-mdes-keys', CustomerId: customerId },
          statistic: 'Minimum',
          period: Duration.days(1),
          label: customerId,
        }),
    );

    const wide = { width: 12, height: 6 };
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new TextWidget({
            markdown:
              '# Card tokenization: on call\nEach widget and alarm, and what to do: `docs/operations/dashboard.md`.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({
            ...wide,
            title: 'Decision latency (ms)',
            left: [latencyP50, latencyP99],
            leftAnnotations: [{ value: DECISION_P99_ALARM_MS, label: 'p99 alarm' }],
          }),
          new GraphWidget({
            ...wide,
            title: 'Decision outcomes',
            stacked: true,
            left: DECISION_OUTCOMES.map((o) => app(decide, `Decision${o}`, 'Sum', o)),
            right: [
              storeFailures,
              recordFailures,
              recordPending,
              replays,
              replayMemoryFailures,
              app(decide, 'ShadowDisagreement'),
            ],
          }),
        ],
        [
          new GraphWidget({
            ...wide,
            title: 'Ingestion: applied / duplicate',
            left: [...perChannel('EventsApplied', 'applied'), ...perChannel('EventsDuplicate', 'duplicate')],
          }),
          new GraphWidget({
            ...wide,
            title: 'Ingestion: rejected / unknown fields',
            left: [rejected, unknownFields],
            right: [
              ...perChannel('UnknownCallMethod', 'unknown call method'),
              ...perChannel('UnknownEventType', 'unknown event type'),
            ],
          }),
        ],
        [
          new GraphWidget({ ...wide, title: 'Pismo events DLQ depth', left: [dlqDepth] }),
          new GraphWidget({
            ...wide,
            title: 'OTP deliveries and failures',
            left: [otpDelivered, otpFailed],
            right: [idvFailed],
          }),
        ],
        [
          new GraphWidget({
            ...wide,
            title: 'Customer Service outcomes',
            left: [app(cs, 'Requests'), app(cs, 'ClientErrors'), app(cs, 'ServerErrors')],
            right: [app(cs, 'MdesLatency', 'p99', 'MDES p99 (ms)')],
          }),
          new GraphWidget({
            ...wide,
            title: 'MDES calls and circuit',
            left: [app(cs, 'MdesCalls'), app(cs, 'MdesFailures'), circuitOpen],
            right: [turCollisions],
          }),
        ],
        [
          new SingleValueWidget({
            width: 12,
            height: 4,
            title: 'Mastercard keys: days to expiry',
            metrics: daysToExpiry,
          }),
          new GraphWidget({
            width: 12,
            height: 4,
            title: 'Mastercard keys: days to expiry (trend)',
            left: daysToExpiry,
            leftAnnotations: Object.entries(EXPIRY_THRESHOLDS_DAYS).map(([level, value]) => ({ value, label: level })),
          }),
        ],
      ],
    });
  }
}
