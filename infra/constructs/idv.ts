/**
 * Flow: ID&V, the cardholder's one-time code (docs/flows/idv.md).
 * Handlers: functions/idv/deliver-otp.ts, await-otp-activation.ts, notify-card-added.ts,
 * settle-challenge.ts, review-abandoned-token.ts (the Step Functions workflow's steps) and
 * functions/idv/resend-challenge.ts (`POST /tokens/{tokenId}/challenges/{challengeId}/resend`).
 * Use cases: shared/idv/idv-steps.ts (steps, resend), shared/idv/step-handler.ts.
 *
 * The workflow is started by the event intake (infra/constructs/events.ts) and by the resend route,
 * through `Idv.startedBy`.
 */
import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config';
import { AppFunction, type MdesBinding } from './app-function';
import { SCOPES, type ServiceApi } from './http-api';
import { accountArn, allowServiceToUseKey } from './key-policies';

/** Deploy-time settings of the ID&V workflow. */
export interface IdvSettings {
  pismoApiUrl: string;
  pismoClientId: string;
  emailFrom: string;
  smsSenderId: string;
  emailFallback: boolean;
}

export interface IdvWorkflowProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  settings: IdvSettings;
  /** MDES customers (the abandoned-token clean-up calls Token Delete). */
  mdes: readonly MdesBinding[];
  /** Pismo API client secret (contacts for delivery and notifications). */
  pismoClientSecret: { secret: ISecret; key: IKey };
  /** Seals ID&V codes at rest; only the delivery step may open them. */
  otpKey: IKey;
}

/** Stable error names raised by the step functions (shared/idv/idv-steps.ts). */
const ERR = {
  expired: 'ChallengeExpired',
  provider: 'ProviderUnavailable',
  lookup: 'ContactLookupFailed',
  notActivated: 'TokenNotActivated',
} as const;

const ids = { challengeId: JsonPath.stringAt('$.challengeId'), tokenId: JsonPath.stringAt('$.tokenId') };

/**
 * The ID&V OTP workflow (Standard, JSONPath): deliver the code (SMS or email, retry with backoff,
 * email fallback) → wait for activation (task token, timeout = the code's expiry) → tell the
 * cardholder the card was added. Expired or failed: close the challenge; abandoned provisioning gets
 * a reminder after 24 h and an MDES Token Delete after 30 days. States carry ids only.
 * App-to-app and call-centre challenges (AWAITING_CARDHOLDER) take the same states: DeliverOtp sends
 * nothing for them, the wait, expiry, reminder and clean-up are the same, and the activation by the
 * issuer's app or an agent (shared/lifecycle/) ends the wait through the network's event, as an OTP does.
 */
export class IdvWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: AppFunction[] = [];
  /** The delivery step (dashboard: OTP deliveries and failures from its logs). */
  readonly deliverOtp: AppFunction;

  constructor(scope: Construct, id: string, props: IdvWorkflowProps) {
    super(scope, id);
    const s = props.settings;
    const env = {
      [ENV.pismoApiUrl]: s.pismoApiUrl,
      [ENV.pismoClientId]: s.pismoClientId,
      [ENV.emailFrom]: s.emailFrom,
      [ENV.smsSenderId]: s.smsSenderId,
      [ENV.idvEmailFallback]: String(s.emailFallback),
    };
    /** `messages`: the step looks up the cardholder's contact at Pismo and sends an SMS or email. */
    const step = (
      name: string,
      entry: string,
      description: string,
      uses: { messages: boolean; mastercard?: boolean },
    ) => {
      const fn = new AppFunction(this, `${name}Fn`, {
        entry,
        description,
        mastercard: uses.mastercard,
        logKey: props.logKey,
        logRetention: props.logRetention,
        timeout: Duration.seconds(15),
        environment: env,
      }).useTable(props.table, 'readWrite');
      if (uses.messages)
        fn.useSecret(
          ENV.pismoClientSecretId,
          props.pismoClientSecret.secret,
          props.pismoClientSecret.key,
        ).useCardholderMessaging(s.emailFrom);
      this.functions.push(fn);
      return fn;
    };
    const deliverFn = (this.deliverOtp = step(
      'DeliverOtp',
      'functions/idv/deliver-otp.ts',
      'ID&V: deliver the code by SMS or email',
      { messages: true },
    ));
    const awaitFn = step(
      'AwaitOtpActivation',
      'functions/idv/await-otp-activation.ts',
      'ID&V: register the task token',
      {
        messages: false,
      },
    );
    const notifyFn = step('NotifyCardAdded', 'functions/idv/notify-card-added.ts', 'ID&V: card added notification', {
      messages: true,
    });
    deliverFn.useOtpKey(props.otpKey, 'open');
    const settleFn = step(
      'SettleChallenge',
      'functions/idv/settle-challenge.ts',
      'ID&V: close an expired or failed challenge',
      { messages: false },
    );
    const reviewFn = step(
      'ReviewAbandonedToken',
      'functions/idv/review-abandoned-token.ts',
      'ID&V: reminder and clean-up',
      { messages: true, mastercard: true },
    );
    reviewFn.useMdes(props.mdes);

    const invoke = (name: string, fn: AppFunction, payload?: Record<string, unknown>) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn.fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
        taskTimeout: Timeout.duration(Duration.seconds(20)),
        ...(payload ? { payload: TaskInput.fromObject(payload) } : {}),
      });

    const done = new Succeed(this, 'Done');
    const failed = new Fail(this, 'ChallengeFailed', {
      error: 'ChallengeFailed',
      cause: 'the code could not be delivered or the token was not activated',
    });
    const markFailed = invoke('MarkFailed', settleFn, {
      ...ids,
      outcome: 'FAILED',
      reason: JsonPath.stringAt('$.error.Error'),
    }).next(failed);
    const cleanup = invoke('DeleteAbandonedToken', reviewFn, { ...ids, stage: 'CLEANUP' }).next(done);
    const afterReminder = new Choice(this, 'StillAbandoned')
      .when(
        Condition.booleanEquals('$.abandoned', true),
        new Wait(this, 'WaitBeforeCleanup', { time: WaitTime.duration(Duration.days(29)) }).next(cleanup),
      )
      .otherwise(done);
    const markExpired = invoke('MarkExpired', settleFn, {
      ...ids,
      outcome: 'EXPIRED',
      reason: JsonPath.stringAt('$.error.Error'),
    })
      .next(new Wait(this, 'WaitBeforeReminder', { time: WaitTime.duration(Duration.hours(24)) }))
      .next(invoke('SendReminder', reviewFn, { ...ids, stage: 'REMINDER' }))
      .next(afterReminder);

    const waitForActivation = new LambdaInvoke(this, 'WaitForActivation', {
      lambdaFunction: awaitFn.fn,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      // waitSeconds also rides in the payload so the local runner can apply the same timeout.
      payload: TaskInput.fromObject({
        ...ids,
        taskToken: JsonPath.taskToken,
        waitSeconds: JsonPath.numberAt('$.waitSeconds'),
      }),
      taskTimeout: Timeout.at('$.waitSeconds'),
      resultPath: '$.activation',
    });
    waitForActivation.addCatch(markExpired, { errors: ['States.Timeout'], resultPath: '$.error' });
    waitForActivation.addCatch(markFailed, { errors: ['States.ALL'], resultPath: '$.error' });

    const retryDelivery = {
      errors: [ERR.provider, ERR.lookup],
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    };
    const deliverByEmail = invoke('DeliverOtpByEmail', deliverFn, { ...ids, channel: 'EMAIL' });
    deliverByEmail.addRetry(retryDelivery);
    deliverByEmail.addCatch(markFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    deliverByEmail.next(waitForActivation);

    const deliver = invoke('DeliverOtp', deliverFn);
    deliver.addRetry(retryDelivery);
    deliver.addCatch(markExpired, { errors: [ERR.expired], resultPath: '$.error' });
    deliver.addCatch(deliverByEmail, { errors: [ERR.provider], resultPath: '$.error' });
    deliver.addCatch(markFailed, { errors: ['States.ALL'], resultPath: '$.error' });

    const definition = deliver
      .next(waitForActivation)
      .next(invoke('NotifyCardAdded', notifyFn, ids))
      .next(done);
    // A fixed name lets the waiting step's policy name the state machine without a reference to it
    // (the state machine references that function: a reference back would be a cycle).
    const stateMachineName = `${Stack.of(this).stackName}-idv`;
    // Executions (inputs, outputs, history) under our key. CDK would write a key-policy statement for
    // log delivery without conditions: it gets the key by reference, the statement is ours (conditioned).
    const executionKey = new Key(this, 'ExecutionKey', {
      description: 'Card tokenization ID&V executions',
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
      timeout: Duration.days(35),
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
    awaitFn.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [
          Stack.of(this).formatArn({
            service: 'states',
            resource: 'stateMachine',
            resourceName: stateMachineName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    const stack = Stack.of(this);
    for (const fn of this.functions) {
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
        'X-Ray (active tracing) and the Step Functions log delivery actions support no resource-level permissions. ' +
        'Cardholder messaging has no `*`: sns:Publish uses NotResource on every SNS ARN (direct SMS only) and ' +
        "ses:SendEmail names the sender's identities (AppFunction.useCardholderMessaging).",
    });
  }
}

export interface IdvProps extends IdvWorkflowProps {
  api: ServiceApi;
}

/** The ID&V flow: the workflow (construct `IdvWorkflow`) and the resend route of the internal API. */
export class Idv {
  readonly workflow: IdvWorkflow;
  readonly resend: AppFunction;

  constructor(scope: Construct, props: IdvProps) {
    this.workflow = new IdvWorkflow(scope, 'IdvWorkflow', props);
    this.resend = this.startedBy(
      new AppFunction(scope, 'ResendChallenge', {
        logKey: props.logKey,
        logRetention: props.logRetention,
        entry: 'functions/idv/resend-challenge.ts',
        description: 'POST /tokens/{tokenId}/challenges/{challengeId}/resend',
        mastercard: true,
      })
        // Writes the audit record of the action (every action on a token is audited).
        .useTable(props.table, 'readWrite')
        .useMdes(props.mdes),
    );
    props.api.addInternalRoute(
      '/tokens/{tokenId}/challenges/{challengeId}/resend',
      HttpMethod.POST,
      new HttpLambdaIntegration('ResendIntegration', this.resend.fn),
      SCOPES.tokensWrite,
    );
  }

  /** Lets `fn` start executions and answer the activation wait (IDV_STATE_MACHINE_ARN). */
  startedBy(fn: AppFunction): AppFunction {
    const { stateMachine } = this.workflow;
    stateMachine.grantStartExecution(fn.fn);
    stateMachine.grantTaskResponse(fn.fn);
    fn.fn.addEnvironment(ENV.idvStateMachineArn, stateMachine.stateMachineArn);
    return fn;
  }
}
