/**
 * Flow: card lifecycle reaches the tokens (docs/flows/cards.md, issue 14).
 * Handlers: functions/cards/plan-card-change.ts, functions/cards/act-on-card-token.ts.
 * Use cases: shared/cards/ (policy.ts, plan-card-change.ts, act-on-token.ts).
 *
 * A card status change (ingested by the events flow) starts one execution of the card lifecycle
 * workflow, named after the card event: plan (stored before anything acts) → Map, one iteration per
 * token (retried with exponential backoff and jitter) → an exhausted token is recorded on its
 * timeline and counted (alarm); failed executions alarm too. Why Step Functions:
 * docs/decisions/0019-card-fan-out.md.
 */
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  StateMachine,
  StateMachineType,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_CARD_POLICY, ENV, LIFECYCLE_ENV, METRICS_NAMESPACE } from '../../shared/config';
import { loadCardPolicy } from '../../shared/cards/policy';
import { AppFunction, type MdesBinding } from './app-function';
import { LIFECYCLE_PISMO_PROGRAMS_CONTEXT, PISMO_TOKENIZATION_URL_CONTEXT } from './lifecycle';
import { accountArn, allowServiceToUseKey } from './key-policies';

export interface CardsProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  /** The operators' alarm topic. */
  operators: ITopic;
  /** The bundled card-status policy (shared/cards/policies/<name>.json); default: context {@link CARD_POLICY_CONTEXT}. */
  policy?: string;
  /** Forces the policy's mode: `shadow` records the plans and touches no token; default: context. */
  policyMode?: 'enforce' | 'shadow';
  /**
   * What the token lifecycle use case needs (the act function goes through it, ADR 0020): Pismo's
   * API host and client id, the Pismo client secret and the MDES customers' key secrets.
   */
  lifecycle: {
    idv: { pismoApiUrl: string; pismoClientId: string };
    pismoClientSecret: { secret: ISecret; key: IKey };
    mdes: readonly MdesBinding[];
  };
}

/**
 * CDK context choosing the card-status policy (docs/flows/cards.md "Changing the policy"): a bundled
 * policy's name, and `shadow` or `enforce` to force its mode. Checked at synth: an unknown name or a
 * policy that does not validate fails the synth, naming the bundled ones.
 */
export const CARD_POLICY_CONTEXT = {
  policy: 'tokenization:cardStatusPolicy',
  mode: 'tokenization:cardStatusPolicyMode',
} as const;

/** The policy and forced mode of this deployment: the props, else the context, else the default. */
function policyOf(scope: Construct, props: CardsProps): { name: string; mode?: 'enforce' | 'shadow' } {
  const context = (key: string) => {
    const v: unknown = scope.node.tryGetContext(key);
    return typeof v === 'string' && v ? v : undefined;
  };
  const name = props.policy ?? context(CARD_POLICY_CONTEXT.policy) ?? DEFAULT_CARD_POLICY;
  const mode = props.policyMode ?? context(CARD_POLICY_CONTEXT.mode);
  if (mode !== undefined && mode !== 'enforce' && mode !== 'shadow')
    throw new Error(`${CARD_POLICY_CONTEXT.mode} must be enforce or shadow`);
  loadCardPolicy(name, mode);
  return { name, mode };
}

/** Retries of one token's action: 2 s, 4 s, 8 s, 16 s, 32 s (full jitter), then the catch. */
const UNIT_RETRY = { interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, maxDelay: Duration.seconds(60) };

export class CardLifecycle extends Construct {
  readonly stateMachine: StateMachine;
  readonly plan: AppFunction;
  readonly act: AppFunction;

  constructor(scope: Construct, id: string, props: CardsProps) {
    super(scope, id);
    const common = { logKey: props.logKey, logRetention: props.logRetention, timeout: Duration.seconds(30) };
    const lc = props.lifecycle;
    const tokenizationUrl =
      (this.node.tryGetContext(PISMO_TOKENIZATION_URL_CONTEXT) as string | undefined) ||
      `${lc.idv.pismoApiUrl.replace(/\/+$/, '')}/cards-tokenization`;
    const programs = String(this.node.tryGetContext(LIFECYCLE_PISMO_PROGRAMS_CONTEXT) ?? '');
    const policy = policyOf(this, props);
    this.plan = new AppFunction(this, 'PlanCardChangeFn', {
      ...common,
      entry: 'functions/cards/plan-card-change.ts',
      description: 'Card lifecycle: the policy plan of one card status change',
      environment: {
        [ENV.cardPolicy]: policy.name,
        ...(policy.mode ? { [ENV.cardPolicyMode]: policy.mode } : {}),
      },
    }).useTable(props.table, 'readWrite');
    this.act = new AppFunction(this, 'ActOnCardTokenFn', {
      ...common,
      entry: 'functions/cards/act-on-card-token.ts',
      description: "Card lifecycle: the plan's action on one token",
      // Through the lifecycle use case (ADR 0020): the same access as the lifecycle function, no more.
      mastercard: true,
      environment: {
        [ENV.pismoApiUrl]: lc.idv.pismoApiUrl,
        [ENV.pismoClientId]: lc.idv.pismoClientId,
        [LIFECYCLE_ENV.pismoTokenizationUrl]: tokenizationUrl,
        ...(programs ? { [LIFECYCLE_ENV.pismoMastercardPrograms]: programs } : {}),
      },
    })
      .useTable(props.table, 'readWrite')
      .useSecret(ENV.pismoClientSecretId, lc.pismoClientSecret.secret, lc.pismoClientSecret.key)
      .useMdes(lc.mdes);

    const invoke = (name: string, fn: AppFunction, payload?: TaskInput) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn.fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
        taskTimeout: Timeout.duration(Duration.seconds(40)),
        ...(payload ? { payload } : {}),
      });
    const plan = invoke('PlanCardChange', this.plan).addRetry({
      errors: ['States.ALL'],
      ...UNIT_RETRY,
      jitterStrategy: JitterType.FULL,
    });
    const act = invoke('ActOnCardToken', this.act).addRetry({
      errors: ['States.ALL'],
      ...UNIT_RETRY,
      jitterStrategy: JitterType.FULL,
    });
    const exhausted = invoke(
      'RecordExhaustedUnit',
      this.act,
      TaskInput.fromObject({
        cardId: JsonPath.stringAt('$.cardId'),
        cardEventId: JsonPath.stringAt('$.cardEventId'),
        tokenId: JsonPath.stringAt('$.tokenId'),
        error: JsonPath.objectAt('$.error'),
      }),
    );
    act.addCatch(exhausted, { errors: ['States.ALL'], resultPath: '$.error' });
    const eachToken = new MapState(this, 'EachToken', {
      itemsPath: '$.units',
      maxConcurrency: 10,
      resultPath: JsonPath.DISCARD,
    });
    eachToken.itemProcessor(act);
    const definition = plan.next(eachToken);

    const stateMachineName = `${Stack.of(this).stackName}-card-lifecycle`;
    const executionKey = new Key(this, 'ExecutionKey', {
      description: 'Card tokenization card lifecycle executions',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowServiceToUseKey(
      executionKey,
      'delivery.logs.amazonaws.com',
      ['kms:Decrypt'],
      accountArn(executionKey, 'logs', '*'),
    );
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(
        Key.fromKeyArn(this, 'ExecutionKeyRef', executionKey.keyArn),
        Duration.minutes(5),
      ),
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(6),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', {
          retention: props.logRetention,
          encryptionKey: props.logKey,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });

    const action = new SnsAction(props.operators);
    const alarm = (name: string, metric: Metric, description: string) => {
      const a = new Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      return a;
    };
    alarm(
      'CardTokenActionsExhaustedAlarm',
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'CardTokenActionsExhausted',
        dimensionsMap: { service: 'act-on-card-token' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      'A card policy action on a token failed after every retry: see the token timeline (docs/flows/cards.md).',
    );
    // Reissue without the token transfer (pan_update FAILURE), from either ingestion path.
    for (const service of ['ingest-pismo-event', 'consume-pismo-events']) {
      alarm(
        `PanUpdateFailedAlarm${service === 'ingest-pismo-event' ? 'Webhook' : 'Queue'}`,
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'PanUpdateFailed',
          dimensionsMap: { service },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        "A card was reissued but Pismo did not transfer its tokens: see the card's timeline work item (docs/flows/cards.md).",
      );
    }
    alarm(
      'CardLifecycleExecutionsFailedAlarm',
      this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      'A card lifecycle execution failed (the plan could not be made): redrive it (docs/flows/cards.md).',
    );

    const stack = Stack.of(this);
    for (const fn of [this.plan, this.act]) {
      const logicalId = stack.getLogicalId(fn.fn.node.defaultChild as CfnElement);
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          'Step Functions invokes the step function by ARN; CDK also allows its versions/aliases (`:*`) of that one function.',
      });
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'PCI.DSS.321-IAMNoInlinePolicy',
      reason:
        'The state machine role policy is generated by CDK from its task definitions: one role, named functions and log delivery only.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (active tracing) and the Step Functions log delivery actions support no resource-level permissions.',
    });
  }

  /** Lets `fn` (the events flow's ingestion) start executions (CARD_LIFECYCLE_STATE_MACHINE_ARN). */
  startedBy(fn: AppFunction): AppFunction {
    this.stateMachine.grantStartExecution(fn.fn);
    fn.fn.addEnvironment(ENV.cardLifecycleStateMachineArn, this.stateMachine.stateMachineArn);
    return fn;
  }
}
