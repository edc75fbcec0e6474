import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config';
import { AppFunction, type MdesBinding, type PismoWebhookSettings } from '../constructs/app-function';
import { type IdvSettings, IdvWorkflow } from '../constructs/idv-workflow';

export interface StatelessStackProps extends StackProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  /** OIDC issuer of the internal clients' JWTs (API Gateway JWT authorizer). */
  jwtIssuer: string;
  jwtAudience: string;
  /** EventBridge bus on which Pismo data events arrive ('default' or a partner bus name). */
  pismoEventBusName: string;
  /** Verification of Pismo's signed webhooks on the /pismo/* routes. */
  pismoWebhook: PismoWebhookSettings;
  /** ID&V workflow settings. */
  idv: IdvSettings;
  /** MDES customers (CIDs) and their key secrets: Customer Service API, ID&V clean-up and resend. */
  mdes: readonly MdesBinding[];
  /** Decision webhook: live and shadow rule set names (bundled), fail mode on store outage. */
  decision: { ruleSet: string; shadowRuleSet?: string; failMode: 'DECLINE' | 'DEFER' };
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

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const common = { logKey: props.logKey, logRetention: props.logRetention };

    // --- ID&V workflow --------------------------------------------------------------------------
    this.idvWorkflow = new IdvWorkflow(this, 'IdvWorkflow', {
      ...common,
      table: props.table,
      settings: props.idv,
      mdes: props.mdes,
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
    messagingKey.grantEncryptDecrypt(new ServicePrincipal('events.amazonaws.com'));
    this.eventsDlq = new Queue(this, 'PismoEventsDlq', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: messagingKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const consume = startsIdv(
      new AppFunction(this, 'ConsumePismoEvents', {
        ...common,
        entry: 'functions/consume-pismo-events.ts',
        description: 'Applies Pismo cards-tokenization events from SQS to the token store',
        timeout: Duration.seconds(30),
      }).useTable(props.table, 'readWrite'),
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
    this.eventsTopic = new Topic(this, 'PismoEventsTopic', { masterKey: messagingKey, enforceSSL: true });
    this.eventsTopic.addSubscription(new SqsSubscription(this.eventsQueue, { rawMessageDelivery: true }));
    new Rule(this, 'PismoEventsRule', {
      eventBus: EventBus.fromEventBusName(this, 'PismoBus', props.pismoEventBusName),
      description: 'Pismo cards-tokenization data events to the ingestion queue',
      eventPattern: { detail: { domain: ['cards-tokenization'] } },
      targets: [new SqsQueue(this.eventsQueue, { message: RuleTargetInput.fromEventPath('$.detail') })],
    });

    // --- HTTP API ------------------------------------------------------------------------------
    const ingest = startsIdv(
      new AppFunction(this, 'IngestPismoEvent', {
        ...common,
        entry: 'functions/ingest-pismo-event.ts',
        description: 'POST /pismo/events: one Pismo tokenization event as a signed webhook',
      })
        .useTable(props.table, 'readWrite')
        .usePismoWebhookAuth(props.pismoWebhook),
    );
    const decide = new AppFunction(this, 'DecideTokenization', {
      ...common,
      entry: 'functions/decide-tokenization.ts',
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
      .usePismoWebhookAuth(props.pismoWebhook);
    const read = new AppFunction(this, 'ReadTokens', {
      ...common,
      entry: 'functions/read-tokens.ts',
      description: 'GET /tokens, GET /tokens/{tokenId}: token state and timeline',
    }).useTable(props.table, 'read');

    this.api = new HttpApi(this, 'Api', {
      description: 'Card tokenization service',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new HttpStage(this, 'DefaultStage', {
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
    const [eventsRoute] = this.api.addRoutes({
      path: '/pismo/events',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('IngestIntegration', ingest.fn),
    });
    const [decisionRoute] = this.api.addRoutes({
      path: '/pismo/tokenization-decisions',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('DecideIntegration', decide.fn),
    });
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
        entry: 'functions/resend-challenge.ts',
        description: 'POST /tokens/{tokenId}/challenges/{challengeId}/resend',
        mastercard: true,
      })
        .useTable(props.table, 'read')
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
      entry: 'functions/customer-service.ts',
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

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'PismoEventsTopicArn', { value: this.eventsTopic.topicArn });
    new CfnOutput(this, 'PismoEventsQueueUrl', { value: this.eventsQueue.queueUrl });
    new CfnOutput(this, 'PismoEventsDlqUrl', { value: this.eventsDlq.queueUrl });
    for (const route of [eventsRoute, decisionRoute]) {
      if (!route) continue;
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Pismo signs its webhooks with its own JWT carrying a SHA-256 body hash, which API Gateway's authorizers " +
          'cannot check; the function verifies signature, key id, expiry, body hash and tenant before any work (401 otherwise).',
      });
    }
  }
}
