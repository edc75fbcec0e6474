/**
 * Flow: Pismo tokenization events (docs/flows/events.md).
 * Handlers: functions/events/consume-pismo-events.ts (SQS consumer), functions/events/ingest-pismo-event.ts
 * (`POST /pismo/events`, signed webhook). Use case: shared/events/ingest-pismo-event.ts.
 *
 * SNS topic and EventBridge rule → encrypted SQS queue (DLQ after 5 receives) → consumer with partial
 * batch failures; the same events as a signed webhook on the HTTP API. Both start ID&V for a new challenge.
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Match, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AppFunction, type PismoWebhookSettings } from './app-function';
import type { ServiceApi } from './http-api';

export interface EventsProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  /** Seals ID&V codes at rest (ingestion only encrypts). */
  otpKey: IKey;
  /** EventBridge bus on which Pismo data events arrive ('default' or a partner bus name). */
  pismoEventBusName: string;
  /**
   * Prefix of the `source` of Pismo's events (its partner event source, `aws.partner/…`). Sources
   * starting with `aws.` cannot be sent by PutEvents callers, so no other producer can match.
   */
  pismoEventSourcePrefix: string;
  /** Verification of Pismo's signed webhooks. */
  pismoWebhook: PismoWebhookSettings;
  /** Lets a function start the ID&V workflow (infra/constructs/idv.ts). */
  startsIdv: (fn: AppFunction) => AppFunction;
  api: ServiceApi;
}

export class Events {
  /** Encrypts the queues; topics have their own key (`topicKey`). */
  readonly messagingKey: Key;
  /** Encrypts the service's topics: this flow's and the operators' alarm topic. */
  readonly topicKey: Key;
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly topic: Topic;
  readonly consume: AppFunction;
  readonly ingest: AppFunction;
  readonly route: HttpRoute;

  constructor(scope: Construct, props: EventsProps) {
    const common = { logKey: props.logKey, logRetention: props.logRetention };
    this.messagingKey = new Key(scope, 'MessagingKey', {
      description: 'Card tokenization event queues and topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Topics have their own key: the queue key's policy names the topic (SNS → SQS, aws:SourceArn),
    // which a topic encrypted with that same key would turn into a cycle.
    this.topicKey = new Key(scope, 'TopicKey', {
      description: 'Card tokenization topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // EventBridge → the encrypted queue: the SqsQueue target grants the key to events.amazonaws.com with
    // aws:SourceAccount (cdk.json @aws-cdk/aws-events:eventsTargetQueueSameAccount).
    this.dlq = new Queue(scope, 'PismoEventsDlq', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.messagingKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.consume = props.startsIdv(
      new AppFunction(scope, 'ConsumePismoEvents', {
        ...common,
        entry: 'functions/events/consume-pismo-events.ts',
        description: 'Applies Pismo cards-tokenization events from SQS to the token store',
        timeout: Duration.seconds(30),
      })
        .useTable(props.table, 'readWrite')
        .useOtpKey(props.otpKey, 'seal'),
    );
    this.queue = new Queue(scope, 'PismoEventsQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.messagingKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: 5 },
    });
    this.consume.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
    this.topic = new Topic(scope, 'PismoEventsTopic', { masterKey: this.topicKey, enforceSSL: true });
    this.topic.addSubscription(
      new SqsSubscription(this.queue, { rawMessageDelivery: true, deadLetterQueue: this.dlq }),
    );
    new Rule(scope, 'PismoEventsRule', {
      eventBus: EventBus.fromEventBusName(scope, 'PismoBus', props.pismoEventBusName),
      description: 'Pismo cards-tokenization, cards and cardsonfile data events to the ingestion queue',
      eventPattern: {
        source: Match.prefix(props.pismoEventSourcePrefix),
        detail: { domain: ['cards-tokenization', 'cards', 'cardsonfile'] },
      },
      targets: [
        new SqsQueue(this.queue, {
          message: RuleTargetInput.fromEventPath('$.detail'),
          deadLetterQueue: this.dlq,
        }),
      ],
    });
    // The DLQ ends the chain (alarmed when not empty); the SQS event source has no failure destination.
    Validations.of(this.dlq).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This is the dead-letter queue of the Pismo events (queue, SNS subscription, EventBridge target): nothing ' +
        'follows it; the EventsDlqNotEmpty alarm calls an operator (docs/operations/dashboard.md).',
    });
    Validations.of(this.consume.fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'On-failure destinations exist for stream and Kafka sources only; for an SQS source the queue redrive policy ' +
        'is the failure path (DLQ after 5 receives, reportBatchItemFailures).',
    });

    // The signed webhook: the same events, one per request.
    this.ingest = props.startsIdv(
      new AppFunction(scope, 'IngestPismoEvent', {
        ...common,
        entry: 'functions/events/ingest-pismo-event.ts',
        description: 'POST /pismo/events: one Pismo tokenization event as a signed webhook',
      })
        .useTable(props.table, 'readWrite')
        .usePismoWebhookAuth(props.pismoWebhook)
        .useOtpKey(props.otpKey, 'seal'),
    );
    this.route = props.api.addPismoRoute(
      '/pismo/events',
      HttpMethod.POST,
      new HttpLambdaIntegration('IngestIntegration', this.ingest.fn),
    );

    new CfnOutput(scope, 'PismoEventsTopicArn', { value: this.topic.topicArn });
    new CfnOutput(scope, 'PismoEventsQueueUrl', { value: this.queue.queueUrl });
    new CfnOutput(scope, 'PismoEventsDlqUrl', { value: this.dlq.queueUrl });
  }
}
