import { type App, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, PCIDSS321Checks } from 'cdk-nag';
import { DECISION_DEFAULTS, PISMO_WEBHOOK_DEFAULTS } from '../shared/config';
import { INTERNAL_API_DEFAULTS } from './context-defaults';
import { type MdesCustomerSettings, StatefulStack } from './stacks/stateful-stack';
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
 * `tokenization:mdesCustomers`: a JSON array (or its string) of `{ customerId, organization,
 * baseUrl, encryption }`. baseUrl is `sandbox`, `mtf`, `production` or a URL.
 */
function mdesCustomers(app: App): MdesCustomerSettings[] {
  const raw: unknown = app.node.tryGetContext('tokenization:mdesCustomers');
  const list: unknown = typeof raw === 'string' ? JSON.parse(raw) : (raw ?? DEFAULT_MDES_CUSTOMERS);
  if (!Array.isArray(list) || list.length === 0)
    throw new Error('tokenization:mdesCustomers must be a non-empty array');
  return list.map((c: Partial<MdesCustomerSettings>, i) => {
    if (!c.customerId || !/^[A-Za-z0-9_-]{1,64}$/.test(c.customerId) || !c.organization || !c.baseUrl)
      throw new Error(`tokenization:mdesCustomers[${i}] needs customerId ([A-Za-z0-9_-]), organization and baseUrl`);
    return {
      customerId: c.customerId,
      organization: c.organization,
      baseUrl: c.baseUrl,
      encryption: c.encryption === true,
    };
  });
}

const DEFAULT_MDES_CUSTOMERS: MdesCustomerSettings[] = [
  { customerId: 'default', organization: 'Issuer', baseUrl: 'mtf', encryption: false },
];

/**
 * Builds the service into `app` from its context (cdk.json `tokenization:*` keys) and attaches the
 * cdk-nag AWS Solutions and PCI DSS 3.2.1 packs, so every synth (CLI, tests, local stack) is checked.
 */
export function buildApp(app: App): ServiceStacks {
  const stage = context(app, 'stage', 'dev');
  const prefix = `CardTokenization-${stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    description: 'Card tokenization: token store and Mastercard key secrets',
    stage,
    mdesCustomers: mdesCustomers(app),
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    description: 'Card tokenization: functions, event intake and API',
    table: stateful.table,
    logKey: stateful.logKey,
    logRetention: retention(context(app, 'logRetentionDays', '365')),
    jwtIssuer: context(app, 'jwtIssuer', INTERNAL_API_DEFAULTS.jwtIssuer),
    jwtAudience: context(app, 'jwtAudience', INTERNAL_API_DEFAULTS.jwtAudience),
    pismoEventBusName: context(app, 'pismoEventBusName', 'default'),
    idv: {
      pismoApiUrl: context(app, 'pismoApiUrl', 'https://sandbox.pismolabs.io'),
      pismoClientId: context(app, 'pismoClientId', 'set-tokenization:pismoClientId'),
      emailFrom: context(app, 'idvEmailFrom', 'no-reply@example-issuer.com'),
      smsSenderId: context(app, 'idvSmsSenderId', 'ISSUER'),
      emailFallback: context(app, 'idvEmailFallback', 'true') === 'true',
    },
    keys: {
      // Unconfirmed: Mastercard does not publish its credentials API (README, Keys); set per deployment.
      registrarUrl: context(app, 'mdesRegistrarUrl', 'https://developer.mastercard.com/api/credentials'),
      rotationDays: Number(context(app, 'keyRotationDays', '300')),
      revokeGraceHours: Number(context(app, 'keyRevokeGraceHours', '24')),
    },
    pismoClientSecret: { secret: stateful.pismoClientSecret, key: stateful.keysKey },
    mdes: stateful.mdesSecrets.map(({ settings, secret }) => ({ ...settings, secret, key: stateful.keysKey })),
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
  const { rotationDays, revokeGraceHours } = stateless.keys;
  if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays >= 365)
    throw new Error(
      'tokenization:keyRotationDays must be an integer from 1 to 364 (Mastercard keys expire after 12 months)',
    );
  if (!Number.isFinite(revokeGraceHours) || revokeGraceHours < 0)
    throw new Error('tokenization:keyRevokeGraceHours must be ≥ 0');
  stateless.addStackDependency(stateful);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new PCIDSS321Checks(app));
  return { stateful, stateless };
}
