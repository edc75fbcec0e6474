import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DecisionFailMode } from '../../shared/config';
import type { MdesBinding, PismoWebhookSettings } from '../constructs/app-function';
import { CardLifecycle } from '../constructs/cards';
import { CustomerService } from '../constructs/customer-service';
import { Decision } from '../constructs/decision';
import type { EdgeLimitSettings } from '../constructs/edge-limits';
import { Events } from '../constructs/events';
import { ServiceApi } from '../constructs/http-api';
import { Idv, type IdvSettings, type IdvWorkflow } from '../constructs/idv';
import { Keys, type KeySettings } from '../constructs/keys';
import { OperationsDashboard, operatorAlarmTopic } from '../constructs/operations-dashboard';
import type { OriginVerifySettings } from '../constructs/origin-verify';
import { Tokens } from '../constructs/tokens';
import { Lifecycle } from '../constructs/lifecycle';
import { Reconciliation } from '../constructs/reconciliation';
import { Cardholder } from '../constructs/cardholder';
import { Console, ConsoleUserPool, consoleSettingsFromContext } from '../constructs/console';
import { CardholderProvisioning } from '../constructs/cardholder-provisioning';

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
  keys: KeySettings;
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

/**
 * Compute and integration, one construct per flow (infra/constructs/<flow>.ts, docs/flows/<flow>.md):
 * the HTTP API, ID&V, the Pismo event intake, the decision webhook, the read API, Customer Service
 * and the Mastercard key lifecycle, plus the operators' alarm topic and dashboard. This stack only
 * creates them and wires them together.
 *
 * The flow constructs build their resources in the scope they are given (this stack), under the ids
 * the stack used when it built them inline: logical IDs, and the ids CDK derives from construct paths
 * (SQS event source mapping, SNS subscription, EventBridge permissions and queue policy statements),
 * stay as they were. Nesting them under a construct per flow would change those ids, and CloudFormation
 * would replace the resources: the queues, keys and topics would lose their messages and data.
 * test/infra/logical-ids.test.ts pins the logical IDs of the stateful resources.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly eventsQueue: Queue;
  readonly eventsDlq: Queue;
  readonly eventsTopic: Topic;
  readonly idvWorkflow: IdvWorkflow;
  readonly keys: KeySettings;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.keys = props.keys;
    const common = { logKey: props.logKey, logRetention: props.logRetention, table: props.table };

    // The console's sign-in (ADR 0030): an external identity provider from context, else a Cognito
    // user pool, which the API's JWT authorizer then trusts (its app client id as an audience).
    const consoleSettings = consoleSettingsFromContext(this);
    const consoleUserPool = consoleSettings.external
      ? undefined
      : new ConsoleUserPool(this, 'ConsoleIdentity', {
          stage: String(this.node.tryGetContext('tokenization:stage') ?? 'dev'),
          logKey: props.logKey,
          logRetention: props.logRetention,
          mdesCustomerIds: props.mdes.map((c) => c.customerId),
          authDomainPrefix: consoleSettings.authDomainPrefix,
        });
    const api = new ServiceApi(this, {
      logKey: props.logKey,
      logRetention: props.logRetention,
      jwtIssuer: consoleUserPool?.issuer ?? props.jwtIssuer,
      cardholderJwtIssuer: props.jwtIssuer,
      jwtAudience: props.jwtAudience,
      moreJwtAudiences: consoleUserPool ? [consoleUserPool.clientId] : undefined,
      originVerify: props.originVerify,
    });
    const idv = new Idv(this, {
      ...common,
      api,
      settings: props.idv,
      mdes: props.mdes,
      pismoClientSecret: props.pismoClientSecret,
      otpKey: props.otpKey,
    });
    const events = new Events(this, {
      ...common,
      api,
      otpKey: props.otpKey,
      pismoEventBusName: props.pismoEventBusName,
      pismoEventSourcePrefix: props.pismoEventSourcePrefix,
      pismoWebhook: props.pismoWebhook,
      startsIdv: (fn) => idv.startedBy(fn),
    });
    const decision = new Decision(this, {
      ...common,
      api,
      decision: props.decision,
      pismoApiUrl: props.idv.pismoApiUrl,
      pismoClientId: props.idv.pismoClientId,
      pismoClientSecret: props.pismoClientSecret,
      pismoWebhook: props.pismoWebhook,
      reservedConcurrency: props.edgeLimits.decisionReservedConcurrency,
    });
    api.throttlePismoRoutes(props.edgeLimits.routeThrottles);
    new Tokens(this, { ...common, api, cursorKeySecret: props.cursorKeySecret });
    const cs = new CustomerService(this, { ...common, api, mdes: props.mdes });
    // Token lifecycle on both networks: its function and routes.
    new Lifecycle(this, 'Lifecycle', {
      ...common,
      api,
      idv: props.idv,
      pismoClientSecret: props.pismoClientSecret,
      mdes: props.mdes,
    });

    const operators = operatorAlarmTopic(this, events.topicKey);
    new Keys(this, { ...common, mdes: props.mdes, settings: props.keys, operators });
    // Reconciliation with Pismo and MDES: on demand, hourly over tokens in doubt, weekly full sweep.
    new Reconciliation(this, 'Reconciliation', {
      ...common,
      api,
      alarmTopic: operators,
      mdes: props.mdes,
      pismoApiUrl: props.idv.pismoApiUrl,
      pismoClientId: props.idv.pismoClientId,
      pismoClientSecret: props.pismoClientSecret,
    });
    // Card lifecycle (issue 14): card status changes ingested by the events flow start its workflow.
    const cards = new CardLifecycle(this, 'CardLifecycle', {
      ...common,
      operators,
      lifecycle: { idv: props.idv, pismoClientSecret: props.pismoClientSecret, mdes: props.mdes },
    });
    for (const fn of [events.ingest, events.consume]) cards.startedBy(fn);
    new OperationsDashboard(this, 'Operations', {
      alarmTopic: operators,
      decide: decision.decide,
      ingest: events.ingest,
      consume: events.consume,
      deliverOtp: idv.workflow.deliverOtp,
      customerService: cs.fn,
      eventsDlq: events.dlq,
      idvStateMachine: idv.workflow.stateMachine,
      mdesCustomerIds: props.mdes.map((c) => c.customerId),
    });

    // The cardholder API for the issuer's app (issue 16): its own JWT audience and scope.
    new Cardholder(this, 'Cardholder', {
      ...common,
      api,
      idv: props.idv,
      pismoClientSecret: props.pismoClientSecret,
      mdes: props.mdes,
    });
    // The Customer Service console, served by the API itself (docs/flows/console.md).
    new Console(this, 'Console', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      api,
      settings: consoleSettings,
      jwtIssuer: props.jwtIssuer,
      userPool: consoleUserPool,
      mdesCustomerIds: props.mdes.map((c) => c.customerId),
    });
    // Push provisioning and card on file (issue 16): its own function, Pismo PCI calls only.
    new CardholderProvisioning(this, 'CardholderProvisioning', {
      ...common,
      api,
      idv: props.idv,
      pismoClientSecret: props.pismoClientSecret,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.api.apiEndpoint });
    new CfnOutput(this, 'OperatorAlarmsTopicArn', { value: operators.topicArn });
    this.api = api.api;
    this.eventsQueue = events.queue;
    this.eventsDlq = events.dlq;
    this.eventsTopic = events.topic;
    this.idvWorkflow = idv.workflow;
    new CfnOutput(this, 'ConsoleUrl', { value: consoleSettings.url ?? `${api.api.apiEndpoint}/console` });
  }
}
