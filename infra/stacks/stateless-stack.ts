import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Match, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type ISecret, RotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Alias, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type DecisionFailMode, ENV, METRICS_NAMESPACE } from '../../shared/config';
import { EXPIRY_THRESHOLDS_DAYS } from '../../shared/keys/expiry-monitor';
import { AppFunction, type MdesBinding, type PismoWebhookSettings } from '../constructs/app-function';
import { accountArn, allowServiceToUseKey } from '../constructs/key-policies';
import { type IdvSettings, IdvWorkflow } from '../constructs/idv-workflow';
import { OperationsDashboard } from '../constructs/operations-dashboard';
import { applyEdgeLimits, type EdgeLimitSettings } from '../constructs/edge-limits';
import { OriginVerifyAuthorizer, type OriginVerifySettings } from '../constructs/origin-verify';
import { Reconciliation } from '../constructs/reconciliation';

export interface StatelessStackProps extends StackProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  /** OIDC issuer of the internal clients' JWTs (API Gateway JWT authorizer). */
  jwtIssuer: string;
  jwtAudience: string;
  /** EventBridge bus on which Pismo data events arrive ('default' or a partner bus name). */
  pismoEventBusName: string;
  /**
   * Prefix of the `source` of Pismo's events (its partner event source, `aws.partner/…`). Sources
   * starting with `aws.` cannot be sent by PutEvents callers, so no other producer can match.
   */
  pismoEventSourcePrefix: string;
  /** Verification of Pismo's signed webhooks on the /pismo/* routes. */
  pismoWebhook: PismoWebhookSettings;
  /** ID&V workflow settings. */
  idv: IdvSettings;
  /** MDES customers (CIDs) and their key secrets: Customer Service API, ID&V clean-up and resend. */
  mdes: readonly MdesBinding[];
  /** Pismo API client secret and its key. */
  pismoClientSecret: { secret: ISecret; key: IKey };
  /** Seals ID&V codes at rest (stateful stack: a code sealed before a deploy still opens after it). */
  otpKey: IKey;
  /** HMAC key of the read API's pagination cursors, and its encryption key. */
  cursorKeySecret: { secret: ISecret; key: IKey };
  /** Mastercard key lifecycle: credentials API, rotation period, grace before the old key is revoked. */
  keys: { registrarUrl: string; rotationDays: number; revokeGraceHours: number };
  /** Per-route throttles and the decision function's reserved concurrency (docs/security/edge.md). */
  edgeLimits: EdgeLimitSettings;
  /** Decision webhook: live and shadow rule set names (bundled), fail mode on store outage. */
  decision: { ruleSet: string; shadowRuleSet?: string; failMode: DecisionFailMode };
  /**
   * Set when CloudFront fronts the API (the edge stack, context `tokenization:apiOriginDomain`): the
   * Pismo routes then take only requests carrying CloudFront's origin secret (docs/security/edge.md).
   */
  originVerify?: OriginVerifySettings;
}

/** Context key: provisioned concurrency of the decision function (a whole number; 0 or unset = off). */
export const DECISION_PROVISIONED_CONCURRENCY = 'tokenization:decisionProvisionedConcurrency';

/**
 * What the decision route invokes. With provisioned concurrency set, a `live` alias on the current
 * version keeps that many containers initialised, so Pismo's synchronous call never waits for a
 * cold start (~0.3–1 s of its ~2 s budget, docs/performance.md); it is billed while idle, hence off
 * by default.
 */
function decisionTarget(scope: Construct, fn: NodejsFunction): IFunction {
  const raw: unknown = scope.node.tryGetContext(DECISION_PROVISIONED_CONCURRENCY);
  const count = raw === undefined || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`${DECISION_PROVISIONED_CONCURRENCY} must be a whole number ≥ 0, got ${String(raw)}`);
  if (count === 0) return fn;
  return new Alias(scope, 'DecideTokenizationLive', {
    aliasName: 'live',
    version: fn.currentVersion,
    provisionedConcurrentExecutions: count,
  });
}

/** Internal API scopes. */
export const SCOPES = { tokensRead: 'tokens:read', tokensWrite: 'tokens:write' } as const;

/**
 * Compute and integration: the Pismo event intake (SNS and EventBridge → SQS → Lambda with partial
 * batch failures, plus the HTTP webhook route) and the internal read API behind a JWT authorizer.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly eventsQueue: Queue;
  readonly eventsDlq: Queue;
  readonly eventsTopic: Topic;
  readonly idvWorkflow: IdvWorkflow;
  readonly keys: StatelessStackProps['keys'];

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.keys = props.keys;
    const common = { logKey: props.logKey, logRetention: props.logRetention };

    // --- ID&V workflow --------------------------------------------------------------------------
    this.idvWorkflow = new IdvWorkflow(this, 'IdvWorkflow', {
      ...common,
      table: props.table,
      settings: props.idv,
      mdes: props.mdes,
      pismoClientSecret: props.pismoClientSecret,
      otpKey: props.otpKey,
    });
    const startsIdv = (fn: AppFunction) => {
      this.idvWorkflow.stateMachine.grantStartExecution(fn.fn);
      this.idvWorkflow.stateMachine.grantTaskResponse(fn.fn);
      fn.fn.addEnvironment(ENV.idvStateMachineArn, this.idvWorkflow.stateMachine.stateMachineArn);
      return fn;
    };

    // --- Pismo data events: SNS / EventBridge → SQS → Lambda -----------------------------------
    const messagingKey = new Key(this, 'MessagingKey', {
      description: 'Card tokenization event queues and topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Topics have their own key: the queue key's policy names the topic (SNS → SQS, aws:SourceArn),
    // which a topic encrypted with that same key would turn into a cycle.
    const topicKey = new Key(this, 'TopicKey', {
      description: 'Card tokenization topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // EventBridge → the encrypted queue: the SqsQueue target grants the key to events.amazonaws.com with
    // aws:SourceAccount (cdk.json @aws-cdk/aws-events:eventsTargetQueueSameAccount).
    this.eventsDlq = new Queue(this, 'PismoEventsDlq', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: messagingKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const consume = startsIdv(
      new AppFunction(this, 'ConsumePismoEvents', {
        ...common,
        entry: 'functions/events/consume-pismo-events.ts',
        description: 'Applies Pismo cards-tokenization events from SQS to the token store',
        timeout: Duration.seconds(30),
      })
        .useTable(props.table, 'readWrite')
        .useOtpKey(props.otpKey, 'seal'),
    );
    this.eventsQueue = new Queue(this, 'PismoEventsQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: messagingKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: this.eventsDlq, maxReceiveCount: 5 },
    });
    consume.fn.addEventSource(
      new SqsEventSource(this.eventsQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
    this.eventsTopic = new Topic(this, 'PismoEventsTopic', { masterKey: topicKey, enforceSSL: true });
    this.eventsTopic.addSubscription(
      new SqsSubscription(this.eventsQueue, { rawMessageDelivery: true, deadLetterQueue: this.eventsDlq }),
    );
    new Rule(this, 'PismoEventsRule', {
      eventBus: EventBus.fromEventBusName(this, 'PismoBus', props.pismoEventBusName),
      description: 'Pismo cards-tokenization data events to the ingestion queue',
      eventPattern: {
        source: Match.prefix(props.pismoEventSourcePrefix),
        detail: { domain: ['cards-tokenization'] },
      },
      targets: [
        new SqsQueue(this.eventsQueue, {
          message: RuleTargetInput.fromEventPath('$.detail'),
          deadLetterQueue: this.eventsDlq,
        }),
      ],
    });
    this.acknowledgeTerminalQueue(consume);

    // --- HTTP API ------------------------------------------------------------------------------
    const ingest = startsIdv(
      new AppFunction(this, 'IngestPismoEvent', {
        ...common,
        entry: 'functions/events/ingest-pismo-event.ts',
        description: 'POST /pismo/events: one Pismo tokenization event as a signed webhook',
      })
        .useTable(props.table, 'readWrite')
        .usePismoWebhookAuth(props.pismoWebhook)
        .useOtpKey(props.otpKey, 'seal'),
    );
    const decide = new AppFunction(this, 'DecideTokenization', {
      ...common,
      entry: 'functions/decision/decide-tokenization.ts',
      description: "POST /pismo/tokenization-decisions: Pismo's synchronous tokenization anti-fraud webhook",
      memorySize: 1024,
      timeout: Duration.seconds(5),
      environment: {
        [ENV.decisionRuleSet]: props.decision.ruleSet,
        [ENV.decisionFailMode]: props.decision.failMode,
        [ENV.pismoApiUrl]: props.idv.pismoApiUrl,
        [ENV.pismoClientId]: props.idv.pismoClientId,
        ...(props.decision.shadowRuleSet ? { [ENV.decisionShadowRuleSet]: props.decision.shadowRuleSet } : {}),
      },
    })
      .useTable(props.table, 'readWrite')
      .usePismoWebhookAuth(props.pismoWebhook)
      .useSecret(ENV.pismoClientSecretId, props.pismoClientSecret.secret, props.pismoClientSecret.key);
    const read = new AppFunction(this, 'ReadTokens', {
      ...common,
      entry: 'functions/tokens/read-tokens.ts',
      description: 'GET /tokens, GET /tokens/{tokenId}: token state and timeline',
    })
      .useTable(props.table, 'read')
      .useSecret(ENV.cursorKeySecretId, props.cursorKeySecret.secret, props.cursorKeySecret.key);

    this.api = new HttpApi(this, 'Api', {
      description: 'Card tokenization service',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            principal: '$context.authorizer.claims.sub',
            error: '$context.error.message',
          }),
        ),
      },
    });

    const internalAuth = new HttpJwtAuthorizer('InternalJwt', props.jwtIssuer, {
      jwtAudience: [props.jwtAudience],
    });
    // Only through CloudFront once the edge is configured; Pismo's JWT is still checked by the function.
    const pismoAuth = props.originVerify
      ? new OriginVerifyAuthorizer(this, 'OriginVerify', { ...common, settings: props.originVerify }).authorizer
      : undefined;
    const [eventsRoute] = this.api.addRoutes({
      path: '/pismo/events',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('IngestIntegration', ingest.fn),
      authorizer: pismoAuth,
    });
    const [decisionRoute] = this.api.addRoutes({
      path: '/pismo/tokenization-decisions',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('DecideIntegration', decisionTarget(this, decide.fn)),
      authorizer: pismoAuth,
    });
    applyEdgeLimits(
      stage,
      [eventsRoute, decisionRoute].filter((r) => r !== undefined),
      decide,
      props.edgeLimits,
    );
    const readIntegration = new HttpLambdaIntegration('ReadIntegration', read.fn);
    for (const path of ['/tokens', '/tokens/{tokenId}', '/tokens/{tokenId}/challenges']) {
      this.api.addRoutes({
        path,
        methods: [HttpMethod.GET],
        integration: readIntegration,
        authorizer: internalAuth,
        authorizationScopes: [SCOPES.tokensRead],
      });
    }
    const resend = startsIdv(
      new AppFunction(this, 'ResendChallenge', {
        ...common,
        entry: 'functions/idv/resend-challenge.ts',
        description: 'POST /tokens/{tokenId}/challenges/{challengeId}/resend',
        mastercard: true,
      })
        // Writes the audit record of the action (every action on a token is audited).
        .useTable(props.table, 'readWrite')
        .useMdes(props.mdes),
    );
    this.api.addRoutes({
      path: '/tokens/{tokenId}/challenges/{challengeId}/resend',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('ResendIntegration', resend.fn),
      authorizer: internalAuth,
      authorizationScopes: [SCOPES.tokensWrite],
    });

    // --- Customer Service over MDES -------------------------------------------------------------
    const cs = new AppFunction(this, 'CustomerService', {
      ...common,
      entry: 'functions/customer-service/customer-service.ts',
      description: 'Internal Customer Service API over Mastercard MDES Customer Service',
      // MDES timeouts (5 s) × retries, plus the status search before a write.
      timeout: Duration.seconds(29),
      mastercard: true,
    })
      .useTable(props.table, 'readWrite')
      .useMdes(props.mdes);
    const csIntegration = new HttpLambdaIntegration('CustomerServiceIntegration', cs.fn);
    const csRoutes: [string, HttpMethod, string][] = [
      ['/cs/system-status', HttpMethod.GET, SCOPES.tokensRead],
      ['/cs/search', HttpMethod.POST, SCOPES.tokensRead],
      ['/cs/accounts/update', HttpMethod.POST, SCOPES.tokensWrite],
      ['/cs/tokens/{tokenId}/{operation}', HttpMethod.GET, SCOPES.tokensRead],
      ['/cs/tokens/{tokenId}/{operation}', HttpMethod.POST, SCOPES.tokensWrite],
      ['/cs/turs/{tur}/{operation}', HttpMethod.GET, SCOPES.tokensRead],
      ['/cs/turs/{tur}/{operation}', HttpMethod.POST, SCOPES.tokensWrite],
    ];
    for (const [path, method, scope] of csRoutes)
      this.api.addRoutes({
        path,
        methods: [method],
        integration: csIntegration,
        authorizer: internalAuth,
        authorizationScopes: [scope],
      });

    // CloudWatch alarms of this account publish to the encrypted operators' topic.
    allowServiceToUseKey(
      topicKey,
      'cloudwatch.amazonaws.com',
      ['kms:Decrypt', 'kms:GenerateDataKey*'],
      accountArn(topicKey, 'cloudwatch', 'alarm:*'),
    );
    const operators = new Topic(this, 'OperatorAlarms', {
      displayName: 'Card tokenization operator alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    this.mastercardKeys(props, common, operators);
    new Reconciliation(this, 'Reconciliation', {
      ...common,
      ...{ table: props.table, api: this.api, authorizer: internalAuth, alarmTopic: operators, mdes: props.mdes },
      ...{ pismoApiUrl: props.idv.pismoApiUrl, pismoClientId: props.idv.pismoClientId },
      ...{ pismoClientSecret: props.pismoClientSecret, scopes: { read: SCOPES.tokensRead, write: SCOPES.tokensWrite } },
    });
    new OperationsDashboard(this, 'Operations', {
      alarmTopic: operators,
      decide,
      ingest,
      consume,
      deliverOtp: this.idvWorkflow.deliverOtp,
      customerService: cs,
      eventsDlq: this.eventsDlq,
      idvStateMachine: this.idvWorkflow.stateMachine,
      mdesCustomerIds: props.mdes.map((c) => c.customerId),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'PismoEventsTopicArn', { value: this.eventsTopic.topicArn });
    new CfnOutput(this, 'PismoEventsQueueUrl', { value: this.eventsQueue.queueUrl });
    new CfnOutput(this, 'PismoEventsDlqUrl', { value: this.eventsDlq.queueUrl });
    for (const route of [eventsRoute, decisionRoute]) {
      if (!route || pismoAuth) continue;
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Pismo signs its webhooks with its own JWT carrying a SHA-256 body hash, which API Gateway's authorizers " +
          'cannot check; the function verifies signature, key id, expiry, body hash and tenant before any work (401 otherwise).',
      });
    }
  }

  /** The events DLQ ends the chain (alarmed when not empty); the SQS event source has no failure destination. */
  private acknowledgeTerminalQueue(consume: AppFunction): void {
    Validations.of(this.eventsDlq).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This is the dead-letter queue of the Pismo events (queue, SNS subscription, EventBridge target): nothing ' +
        'follows it; the EventsDlqNotEmpty alarm calls an operator (docs/operations/dashboard.md).',
    });
    Validations.of(consume.fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'On-failure destinations exist for stream and Kafka sources only; for an SQS source the queue redrive policy ' +
        'is the failure path (DLQ after 5 receives, reportBatchItemFailures).',
    });
  }

  /**
   * Mastercard key lifecycle (DESIGN §5 Keys): the rotation function on every customer secret (every
   * `rotationDays`, below the 12-month expiry), the daily expiry monitor (also revokes rotated-out keys
   * after the grace period), and alarms at 45 and 14 days to expiry and on any rotation failure, to an
   * operators' SNS topic.
   */
  private mastercardKeys(
    props: StatelessStackProps,
    common: { logKey: IKey; logRetention: RetentionDays },
    operators: Topic,
  ): void {
    const keysEnv = { [ENV.mdesRegistrarUrl]: props.keys.registrarUrl };
    const rotate = new AppFunction(this, 'RotateMdesKeys', {
      ...common,
      entry: 'functions/keys/rotate-mdes-keys.ts',
      description: 'Secrets Manager rotation of the Mastercard project keys',
      timeout: Duration.seconds(60),
      mastercard: true,
      environment: { ...keysEnv, [ENV.keyRevokeGraceHours]: String(props.keys.revokeGraceHours) },
    }).useMdes(props.mdes);
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
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
      }),
    );
    props.mdes.forEach((c, i) => {
      // Referenced without its key: RotationSchedule would grant on the key in the stateful stack (a
      // cross-stack cycle); the rotation function's KMS permissions are granted above.
      const secret = Secret.fromSecretAttributes(this, `MdesKeysRef${i}`, { secretCompleteArn: c.secret.secretArn });
      new RotationSchedule(this, `MdesKeysRotation${i}`, {
        secret,
        rotationLambda: rotate.fn,
        automaticallyAfter: Duration.days(props.keys.rotationDays),
      });
    });
    Validations.of(rotate).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'RotationSchedule grants secretsmanager:GetRandomPassword, which has no resource-level permissions (unused: ' +
        'keys are generated in the function).',
    });

    const monitor = new AppFunction(this, 'MonitorMdesKeys', {
      ...common,
      entry: 'functions/keys/monitor-mdes-keys.ts',
      description: 'Daily: Mastercard key days-to-expiry metrics; revokes rotated-out keys after grace',
      timeout: Duration.seconds(60),
      mastercard: true,
      environment: keysEnv,
    })
      .useTable(props.table, 'readWrite')
      .useMdes(props.mdes);
    const daily = new Rule(this, 'MonitorMdesKeysDaily', {
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

    const action = new SnsAction(operators);
    const alarm = (
      id: string,
      metric: Metric,
      threshold: number,
      op: ComparisonOperator,
      description: string,
      missing: TreatMissingData,
    ) =>
      new Alarm(this, id, {
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
    new CfnOutput(this, 'OperatorAlarmsTopicArn', { value: operators.topicArn });
  }
}
