/**
 * Environment variable names shared by infra/ (which sets them) and the functions (which read them),
 * so the two can never disagree. Read once per container; a missing variable fails the cold start.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  maxBodyBytes: 'MAX_BODY_BYTES',
  pismoJwksUrl: 'PISMO_JWKS_URL',
  pismoJwtAlgorithms: 'PISMO_JWT_ALGORITHMS',
  pismoJwtIssuer: 'PISMO_JWT_ISSUER',
  pismoOrgId: 'PISMO_ORG_ID',
  pismoOrgClaim: 'PISMO_ORG_CLAIM',
  pismoEventsAudience: 'PISMO_EVENTS_AUDIENCE',
  pismoDecisionsAudience: 'PISMO_DECISIONS_AUDIENCE',
  pismoBodyHashClaim: 'PISMO_BODY_HASH_CLAIM',
  pismoClockSkewSeconds: 'PISMO_CLOCK_SKEW_SECONDS',
  pismoMaxTokenAgeSeconds: 'PISMO_MAX_TOKEN_AGE_SECONDS',
  decisionRuleSet: 'DECISION_RULE_SET',
  decisionShadowRuleSet: 'DECISION_SHADOW_RULE_SET',
  decisionFailMode: 'DECISION_FAIL_MODE',
  decisionStoreTimeoutMs: 'DECISION_STORE_TIMEOUT_MS',
  idvStateMachineArn: 'IDV_STATE_MACHINE_ARN',
  pismoApiUrl: 'PISMO_API_URL',
  pismoClientId: 'PISMO_CLIENT_ID',
  pismoClientSecretId: 'PISMO_CLIENT_SECRET_ID',
  smsSenderId: 'SMS_SENDER_ID',
  emailFrom: 'EMAIL_FROM',
  idvEmailFallback: 'IDV_EMAIL_FALLBACK',
  idvDefaultWaitSeconds: 'IDV_DEFAULT_WAIT_SECONDS',
  mdesCustomers: 'MDES_CUSTOMERS',
  mdesRegistrarUrl: 'MDES_REGISTRAR_URL',
  keyRevokeGraceHours: 'KEY_REVOKE_GRACE_HOURS',
  otpKeyArn: 'OTP_KEY_ARN',
  cursorKeySecretId: 'CURSOR_KEY_SECRET_ID',
  originVerifySecretId: 'ORIGIN_VERIFY_SECRET_ID',
  originVerifySecretRegion: 'ORIGIN_VERIFY_SECRET_REGION',
} as const;

/** What the decision webhook answers when its store cannot be read in time (docs/security/webhook-auth.md). */
export const DECISION_FAIL_MODES = ['DECIDE', 'DEFER', 'DECLINE'] as const;
export type DecisionFailMode = (typeof DECISION_FAIL_MODES)[number];

/**
 * Defaults of the tokenization decision webhook. Under a store brown-out the default decides on the
 * network data alone (the store-derived signals are missing) rather than declining every cardholder.
 */
export const DECISION_DEFAULTS = {
  ruleSet: 'default-v1',
  failMode: 'DECIDE' as DecisionFailMode,
  storeTimeoutMs: 300,
} as const;

/**
 * Our defaults for Pismo webhook verification. The claim names and audiences Pismo does not publish
 * have their defaults in one place, `shared/adapters/pismo/webhook-auth.ts` (PISMO_WEBHOOK_UNCONFIRMED).
 */
export const PISMO_WEBHOOK_DEFAULTS = {
  algorithms: 'RS256,ES256,PS256',
  clockSkewSeconds: 30,
  maxTokenAgeSeconds: 300,
  jwksCooldownMs: 30_000,
  jwksCacheMaxAgeMs: 3_600_000,
} as const;

/** Pismo's event bodies are far smaller; SQS caps a message at 256 KiB, and so do we on HTTP. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Metric namespace for every function of the service. */
export const METRICS_NAMESPACE = 'CardTokenization';

/** Name of the table's GSIs, shared with the store adapter. */
export const GSI = { byCard: 'GSI1', byTokenUniqueReference: 'GSI2' } as const;

/** Configuration every function needs. */
export interface BaseConfig {
  tableName: string;
  maxBodyBytes: number;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`missing required environment variable ${name}`);
  return value;
}

/** Reads and validates the base configuration; throws naming the first missing variable. */
export function loadBaseConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  const maxBody = env[ENV.maxBodyBytes];
  const maxBodyBytes = maxBody ? Number(maxBody) : DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    throw new Error(`${ENV.maxBodyBytes} must be a positive integer`);
  return { tableName: required(env, ENV.tableName), maxBodyBytes };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

/**
 * Pismo webhook verification settings for one route (its audience); `PISMO_JWKS_URL`, `PISMO_ORG_ID`
 * (the tenant) and `PISMO_JWT_ISSUER` are required. Handlers always pass their route; without one the
 * config accepts either route's audience (tools only, e.g. a benchmark's verify-only floor).
 */
export function loadPismoWebhookConfig(env: NodeJS.ProcessEnv = process.env, route?: 'events' | 'decisions') {
  const d = PISMO_WEBHOOK_DEFAULTS;
  return {
    jwksUrl: required(env, ENV.pismoJwksUrl),
    algorithms: (env[ENV.pismoJwtAlgorithms] || d.algorithms)
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    issuer: required(env, ENV.pismoJwtIssuer),
    orgId: required(env, ENV.pismoOrgId),
    route,
    audiences: {
      events: env[ENV.pismoEventsAudience] || undefined,
      decisions: env[ENV.pismoDecisionsAudience] || undefined,
    },
    orgClaim: env[ENV.pismoOrgClaim] || undefined,
    bodyHashClaim: env[ENV.pismoBodyHashClaim] || undefined,
    clockToleranceSeconds: positiveInt(env, ENV.pismoClockSkewSeconds, d.clockSkewSeconds),
    maxTokenAgeSeconds: positiveInt(env, ENV.pismoMaxTokenAgeSeconds, d.maxTokenAgeSeconds),
    jwksCooldownMs: d.jwksCooldownMs,
    jwksCacheMaxAgeMs: d.jwksCacheMaxAgeMs,
  };
}

/** Decision webhook settings: live/shadow rule set names, fail mode, store budget. */
export function loadDecisionConfig(env: NodeJS.ProcessEnv = process.env) {
  const failMode = env[ENV.decisionFailMode] || DECISION_DEFAULTS.failMode;
  if (!DECISION_FAIL_MODES.includes(failMode as DecisionFailMode))
    throw new Error(`${ENV.decisionFailMode} must be one of ${DECISION_FAIL_MODES.join(', ')}`);
  return {
    ruleSet: env[ENV.decisionRuleSet] || DECISION_DEFAULTS.ruleSet,
    shadowRuleSet: env[ENV.decisionShadowRuleSet] || undefined,
    failMode: failMode as DecisionFailMode,
    storeTimeoutMs: positiveInt(env, ENV.decisionStoreTimeoutMs, DECISION_DEFAULTS.storeTimeoutMs),
  };
}

/** ID&V workflow step settings (contacts, senders, fallback, MDES clean-up). */
export function loadIdvConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    pismoApiUrl: required(env, ENV.pismoApiUrl),
    pismoClientId: required(env, ENV.pismoClientId),
    pismoClientSecretId: env[ENV.pismoClientSecretId] ?? '',
    smsSenderId: env[ENV.smsSenderId] || 'ISSUER',
    emailFrom: required(env, ENV.emailFrom),
    emailFallback: (env[ENV.idvEmailFallback] ?? 'true') === 'true',
    defaultWaitSeconds: positiveInt(env, ENV.idvDefaultWaitSeconds, 1800),
  };
}

/** The KMS key that seals ID&V codes at rest (ingestion seals, the delivery step opens). */
export function loadOtpKeyArn(env: NodeJS.ProcessEnv = process.env): string {
  return required(env, ENV.otpKeyArn);
}

// ---- reconciliation (shared/reconciliation/, docs/flows/reconciliation.md) ----

/** Environment variables of the reconciliation functions. */
export const RECONCILIATION_ENV = {
  /** Pismo's tokenization API base (get card tokens), e.g. `https://gw-pci.pismolabs.io/cards-tokenization`. */
  pismoTokenizationUrl: 'PISMO_TOKENIZATION_URL',
  /** MDES Search permits per second for this function (the deployment's budget divided among its workers). */
  mdesRatePerSecond: 'RECONCILIATION_MDES_RATE_PER_SECOND',
  mdesBurst: 'RECONCILIATION_MDES_BURST',
  /** MDES attempts per token in doubt (each one takes a permit). */
  mdesAttempts: 'RECONCILIATION_MDES_ATTEMPTS',
  /** Cards reconciled at once by one function. */
  concurrency: 'RECONCILIATION_CONCURRENCY',
  /** Scheduled run: requested or pending ID&V for longer than this is in doubt. */
  pendingMinutes: 'RECONCILIATION_PENDING_MINUTES',
  /** Scheduled run: not updated for this many days is in doubt. */
  staleDays: 'RECONCILIATION_STALE_DAYS',
  /** Scheduled run: at most this many cards. */
  maxCards: 'RECONCILIATION_MAX_CARDS',
} as const;

export const RECONCILIATION_DEFAULTS = {
  mdesRatePerSecond: 1,
  mdesBurst: 1,
  mdesAttempts: 2,
  concurrency: 4,
  pendingMinutes: 60,
  staleDays: 30,
  maxCards: 1000,
} as const;

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

/** The reconciliation functions' settings; Pismo's tokenization URL, API URL (OAuth) and client id are required. */
export function loadReconciliationConfig(env: NodeJS.ProcessEnv = process.env) {
  const E = RECONCILIATION_ENV;
  const d = RECONCILIATION_DEFAULTS;
  const whole = (name: string, fallback: number) => {
    const n = positiveInt(env, name, fallback);
    if (n < 1) throw new Error(`${name} must be at least 1`);
    return n;
  };
  return {
    pismoTokenizationUrl: required(env, E.pismoTokenizationUrl),
    pismoAuthUrl: required(env, ENV.pismoApiUrl),
    pismoClientId: required(env, ENV.pismoClientId),
    pismoClientSecretId: env[ENV.pismoClientSecretId] ?? '',
    mdesRatePerSecond: positiveNumber(env, E.mdesRatePerSecond, d.mdesRatePerSecond),
    mdesBurst: whole(E.mdesBurst, d.mdesBurst),
    mdesAttempts: whole(E.mdesAttempts, d.mdesAttempts),
    concurrency: whole(E.concurrency, d.concurrency),
    pendingMinutes: positiveInt(env, E.pendingMinutes, d.pendingMinutes),
    staleDays: positiveInt(env, E.staleDays, d.staleDays),
    maxCards: whole(E.maxCards, d.maxCards),
  };
}
