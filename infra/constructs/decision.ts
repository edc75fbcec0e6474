/**
 * Flow: the tokenization decision (docs/flows/decision.md).
 * Handler: functions/decision/decide-tokenization.ts (`POST /pismo/tokenization-decisions`, Pismo's
 * synchronous anti-fraud webhook). Use case: shared/decision/decide-tokenization.ts, rule sets in
 * shared/decision/rule-sets/.
 *
 * Live and shadow rule sets and the fail mode come from context; reserved concurrency keeps the
 * decision's capacity whatever the other functions do, optional provisioned concurrency its cold starts.
 */
import { Duration } from 'aws-cdk-lib';
import { HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Alias, type CfnFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type DecisionFailMode, ENV } from '../../shared/config';
import { AppFunction, type PismoWebhookSettings } from './app-function';
import type { ServiceApi } from './http-api';

/** Context key: provisioned concurrency of the decision function (a whole number; 0 or unset = off). */
export const DECISION_PROVISIONED_CONCURRENCY = 'tokenization:decisionProvisionedConcurrency';

export interface DecisionProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  api: ServiceApi;
  /** Live and shadow rule set names (bundled), fail mode on store outage. */
  decision: { ruleSet: string; shadowRuleSet?: string; failMode: DecisionFailMode };
  /** Pismo API base URL and client id (the decision looks the account up at Pismo). */
  pismoApiUrl: string;
  pismoClientId: string;
  pismoClientSecret: { secret: ISecret; key: IKey };
  /** Verification of Pismo's signed webhooks. */
  pismoWebhook: PismoWebhookSettings;
  /** Concurrency reserved for the decision function (0: none; docs/security/edge.md). */
  reservedConcurrency: number;
}

export class Decision {
  readonly decide: AppFunction;
  readonly route: HttpRoute;

  constructor(scope: Construct, props: DecisionProps) {
    this.decide = new AppFunction(scope, 'DecideTokenization', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/decision/decide-tokenization.ts',
      description: "POST /pismo/tokenization-decisions: Pismo's synchronous tokenization anti-fraud webhook",
      memorySize: 1024,
      timeout: Duration.seconds(5),
      environment: {
        [ENV.decisionRuleSet]: props.decision.ruleSet,
        [ENV.decisionFailMode]: props.decision.failMode,
        [ENV.pismoApiUrl]: props.pismoApiUrl,
        [ENV.pismoClientId]: props.pismoClientId,
        ...(props.decision.shadowRuleSet ? { [ENV.decisionShadowRuleSet]: props.decision.shadowRuleSet } : {}),
      },
    })
      .useTable(props.table, 'readWrite')
      .usePismoWebhookAuth(props.pismoWebhook)
      .useSecret(ENV.pismoClientSecretId, props.pismoClientSecret.secret, props.pismoClientSecret.key);
    this.route = props.api.addPismoRoute(
      '/pismo/tokenization-decisions',
      HttpMethod.POST,
      new HttpLambdaIntegration('DecideIntegration', decisionTarget(scope, this.decide.fn)),
    );
    if (props.reservedConcurrency > 0)
      (this.decide.fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = props.reservedConcurrency;
  }
}

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
