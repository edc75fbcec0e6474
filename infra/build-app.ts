import { type App, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, PCIDSS321Checks } from 'cdk-nag';
import { DECISION_DEFAULTS, PISMO_WEBHOOK_DEFAULTS } from '../shared/config';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

/** The stacks of the service, as built into an app. */
export interface ServiceStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

function context(app: App, key: string, fallback: string): string {
  const value: unknown = app.node.tryGetContext(`tokenization:${key}`);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

function retention(days: string): RetentionDays {
  const n = Number(days);
  const valid = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!valid.includes(n)) throw new Error(`tokenization:logRetentionDays must be one of ${valid.join(', ')}`);
  return n as RetentionDays;
}

/**
 * Builds the service into `app` from its context (cdk.json `tokenization:*` keys) and attaches the
 * cdk-nag AWS Solutions and PCI DSS 3.2.1 packs, so every synth (CLI, tests, local stack) is checked.
 */
export function buildApp(app: App): ServiceStacks {
  const stage = context(app, 'stage', 'dev');
  const prefix = `CardTokenization-${stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, { description: 'Card tokenization: token store' });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    description: 'Card tokenization: functions, event intake and API',
    table: stateful.table,
    logKey: stateful.logKey,
    logRetention: retention(context(app, 'logRetentionDays', '365')),
    jwtIssuer: context(app, 'jwtIssuer', 'https://auth.example-issuer.com/'),
    jwtAudience: context(app, 'jwtAudience', 'tokenization-internal-api'),
    pismoEventBusName: context(app, 'pismoEventBusName', 'default'),
    idv: {
      pismoApiUrl: context(app, 'pismoApiUrl', 'https://sandbox.pismolabs.io'),
      pismoClientId: context(app, 'pismoClientId', 'set-tokenization:pismoClientId'),
      emailFrom: context(app, 'idvEmailFrom', 'no-reply@example-issuer.com'),
      smsSenderId: context(app, 'idvSmsSenderId', 'ISSUER'),
      emailFallback: context(app, 'idvEmailFallback', 'true') === 'true',
      mdesCsBaseUrl: context(app, 'mdesCsBaseUrl', 'https://api.mastercard.com/mdes/csapi/v2'),
      mdesOrganization: context(app, 'mdesOrganization', 'Issuer'),
    },
    decision: {
      ruleSet: context(app, 'decisionRuleSet', DECISION_DEFAULTS.ruleSet),
      shadowRuleSet: context(app, 'decisionShadowRuleSet', '') || undefined,
      failMode: context(app, 'decisionFailMode', DECISION_DEFAULTS.failMode) === 'DEFER' ? 'DEFER' : 'DECLINE',
    },
    pismoWebhook: {
      jwksUrl: context(app, 'pismoJwksUrl', 'https://pismo-jwks.example.invalid/.well-known/jwks.json'),
      algorithms: context(app, 'pismoJwtAlgorithms', PISMO_WEBHOOK_DEFAULTS.algorithms),
      issuer: context(app, 'pismoJwtIssuer', '') || undefined,
      orgId: context(app, 'pismoOrgId', '') || undefined,
      orgClaim: context(app, 'pismoOrgClaim', PISMO_WEBHOOK_DEFAULTS.orgClaim),
      bodyHashClaim: context(app, 'pismoBodyHashClaim', PISMO_WEBHOOK_DEFAULTS.bodyHashClaim),
    },
  });
  stateless.addStackDependency(stateful);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new PCIDSS321Checks(app));
  return { stateful, stateless };
}
