import { type App, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import {
  DECISION_DEFAULTS,
  DECISION_FAIL_MODES,
  type DecisionFailMode,
  PISMO_WEBHOOK_DEFAULTS,
} from '../shared/config';
import { PISMO_WEBHOOK_UNCONFIRMED } from '../shared/adapters/pismo/webhook-auth';
import { EDGE_LIMIT_DEFAULTS, type EdgeLimitSettings, type RouteThrottle } from './constructs/edge-limits';
import { INTERNAL_API_DEFAULTS } from './context-defaults';
import { type MdesCustomerSettings, StatefulStack } from './stacks/stateful-stack';
import { EdgeStack, edgeFromContext } from './stacks/edge-stack';
import { StatelessStack } from './stacks/stateless-stack';

/** The stacks of the service, as built into an app. */
export interface ServiceStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
  /** CloudFront + WAF (us-east-1); only with context `tokenization:apiOriginDomain` (docs/security/edge.md). */
  edge?: EdgeStack;
}

function context(app: App, key: string, fallback: string): string {
  const value: unknown = app.node.tryGetContext(`tokenization:${key}`);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

/** A context value the deploy cannot do without: synth fails naming it (no silent default). */
function requiredContext(app: App, key: string, why: string): string {
  const value = context(app, key, '');
  if (!value) throw new Error(`context tokenization:${key} is required: ${why} (cdk.json or -c tokenization:${key}=…)`);
  return value;
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

function decisionFailMode(value: string): DecisionFailMode {
  const mode = DECISION_FAIL_MODES.find((m) => m === value);
  if (!mode) throw new Error(`tokenization:decisionFailMode must be one of ${DECISION_FAIL_MODES.join(', ')}`);
  return mode;
}

/**
 * `tokenization:routeThrottles` (JSON: route key → `{ rateLimit, burstLimit }`, replaces the defaults)
 * and `tokenization:decisionReservedConcurrency` (0: none); docs/security/edge.md.
 */
function edgeLimits(app: App): EdgeLimitSettings {
  const raw: unknown = app.node.tryGetContext('tokenization:routeThrottles');
  const throttles = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? EDGE_LIMIT_DEFAULTS.routeThrottles)) as Record<
    string,
    RouteThrottle
  >;
  for (const [route, t] of Object.entries(throttles))
    if (!(t.rateLimit > 0 && Number.isInteger(t.burstLimit) && t.burstLimit > 0))
      throw new Error(`tokenization:routeThrottles[${route}] needs a positive rateLimit and integer burstLimit`);
  const reserved = Number(
    context(app, 'decisionReservedConcurrency', String(EDGE_LIMIT_DEFAULTS.decisionReservedConcurrency)),
  );
  if (!Number.isInteger(reserved) || reserved < 0)
    throw new Error('tokenization:decisionReservedConcurrency must be an integer ≥ 0');
  return { routeThrottles: throttles, decisionReservedConcurrency: reserved };
}

const DEFAULT_MDES_CUSTOMERS: MdesCustomerSettings[] = [
  { customerId: 'default', organization: 'Issuer', baseUrl: 'mtf', encryption: false },
];

/**
 * Builds the service into `app` from its context (cdk.json `tokenization:*` keys) and attaches the
 * cdk-nag AWS Solutions, PCI DSS 3.2.1 and Serverless packs, so every synth (CLI, tests, local stack) is checked.
 */
export function buildApp(app: App): ServiceStacks {
  // Pismo's webhook tokens are bound to this tenant and issuer; without them another Pismo customer's
  // tokens would verify (issue 11 §2). Checked first, so a deploy fails before anything is built.
  const pismoOrgId = requiredContext(app, 'pismoOrgId', "your Pismo tenant (org id) the webhooks' tokens must name");
  const pismoJwtIssuer = requiredContext(app, 'pismoJwtIssuer', "the issuer (iss) of Pismo's webhook tokens");
  // Without Pismo's key set every webhook would be refused: a deploy must name it, not inherit a placeholder.
  const pismoJwksUrl = requiredContext(app, 'pismoJwksUrl', "the URL of Pismo's webhook signing keys (JWKS)");
  const stage = context(app, 'stage', 'dev');
  const prefix = `CardTokenization-${stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    description: 'Card tokenization: token store and Mastercard key secrets',
    stage,
    mdesCustomers: mdesCustomers(app),
  });
  const logRetention = retention(context(app, 'logRetentionDays', '365'));
  const edge = edgeFromContext(app, stage, logRetention);
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    description: 'Card tokenization: functions, event intake and API',
    table: stateful.table,
    logKey: stateful.logKey,
    logRetention,
    jwtIssuer: context(app, 'jwtIssuer', INTERNAL_API_DEFAULTS.jwtIssuer),
    jwtAudience: context(app, 'jwtAudience', INTERNAL_API_DEFAULTS.jwtAudience),
    pismoEventBusName: context(app, 'pismoEventBusName', 'default'),
    // Unconfirmed: Pismo's partner event source name (docs/security/edge.md).
    pismoEventSourcePrefix: context(app, 'pismoEventSource', 'aws.partner/pismo.io'),
    idv: {
      pismoApiUrl: context(app, 'pismoApiUrl', 'https://sandbox.pismolabs.io'),
      pismoClientId: context(app, 'pismoClientId', 'set-tokenization:pismoClientId'),
      emailFrom: context(app, 'idvEmailFrom', 'no-reply@example-issuer.com'),
      smsSenderId: context(app, 'idvSmsSenderId', 'ISSUER'),
      emailFallback: context(app, 'idvEmailFallback', 'true') === 'true',
    },
    keys: {
      // Unconfirmed: Mastercard does not publish its credentials API (docs/operations/mdes-keys.md); set per deployment.
      registrarUrl: context(app, 'mdesRegistrarUrl', 'https://developer.mastercard.com/api/credentials'),
      rotationDays: Number(context(app, 'keyRotationDays', '300')),
      revokeGraceHours: Number(context(app, 'keyRevokeGraceHours', '24')),
    },
    edgeLimits: edgeLimits(app),
    pismoClientSecret: { secret: stateful.pismoClientSecret, key: stateful.keysKey },
    otpKey: stateful.otpKey,
    cursorKeySecret: { secret: stateful.cursorKeySecret, key: stateful.keysKey },
    mdes: stateful.mdesSecrets.map(({ settings, secret }) => ({ ...settings, secret, key: stateful.keysKey })),
    decision: {
      ruleSet: context(app, 'decisionRuleSet', DECISION_DEFAULTS.ruleSet),
      shadowRuleSet: context(app, 'decisionShadowRuleSet', '') || undefined,
      failMode: decisionFailMode(context(app, 'decisionFailMode', DECISION_DEFAULTS.failMode)),
    },
    pismoWebhook: {
      jwksUrl: pismoJwksUrl,
      algorithms: context(app, 'pismoJwtAlgorithms', PISMO_WEBHOOK_DEFAULTS.algorithms),
      issuer: pismoJwtIssuer,
      orgId: pismoOrgId,
      // Defaults are the adapter's unconfirmed readings (PISMO_WEBHOOK_UNCONFIRMED), written into the
      // template so what is checked is visible there.
      orgClaim: context(app, 'pismoOrgClaim', PISMO_WEBHOOK_UNCONFIRMED.orgClaim),
      bodyHashClaim: context(app, 'pismoBodyHashClaim', PISMO_WEBHOOK_UNCONFIRMED.bodyHashClaim),
      eventsAudience: context(app, 'pismoEventsAudience', PISMO_WEBHOOK_UNCONFIRMED.audience.events),
      decisionsAudience: context(app, 'pismoDecisionsAudience', PISMO_WEBHOOK_UNCONFIRMED.audience.decisions),
    },
    originVerify: edge?.originVerify,
  });
  const { rotationDays, revokeGraceHours } = stateless.keys;
  if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays >= 365)
    throw new Error(
      'tokenization:keyRotationDays must be an integer from 1 to 364 (Mastercard keys expire after 12 months)',
    );
  if (!Number.isFinite(revokeGraceHours) || revokeGraceHours < 0)
    throw new Error('tokenization:keyRevokeGraceHours must be ≥ 0');
  stateless.addStackDependency(stateful);
  // The edge (and its origin secret) first: the authorizer it turns on reads that secret.
  const edgeStack =
    edge &&
    new EdgeStack(app, `${prefix}-Edge`, {
      description: 'Card tokenization: CloudFront and WAF',
      settings: edge.settings,
    });
  if (edgeStack) stateless.addStackDependency(edgeStack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new PCIDSS321Checks(app), new ServerlessChecks(app));
  return { stateful, stateless, edge: edgeStack };
}
