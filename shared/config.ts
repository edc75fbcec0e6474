/**
 * Every environment variable of the functions, in one place: the names shared by infra/ (which sets
 * them) and the functions (which read them), so the two can never disagree, and the typed loaders
 * the handlers call once per container (at import). Nothing else reads `process.env`.
 *
 * - A required variable that is missing or empty fails the cold start with an error naming it.
 * - An optional variable has a loader returning `undefined` when it is unset (documented on the
 *   loader: what the function does without it), or a documented default.
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
  officerCustomersClaim: 'OFFICER_CUSTOMERS_CLAIM',
  traceEnabled: 'POWERTOOLS_TRACE_ENABLED',
  cardLifecycleStateMachineArn: 'CARD_LIFECYCLE_STATE_MACHINE_ARN',
  cardPolicy: 'CARD_POLICY',
  cardPolicyMode: 'CARD_POLICY_MODE',
  /** Set by the Lambda runtime, never by us. */
  lambdaExecutionEnv: 'AWS_EXECUTION_ENV',
} as const;

/** What the decision webhook answers when its store cannot be read in time (docs/security/webhook-auth.md). */
export const DECISION_FAIL_MODES = ['DECIDE', 'DEFER', 'DECLINE'] as const;
export type DecisionFailMode = (typeof DECISION_FAIL_MODES)[number];

/**
 * Defaults of the tokenization decision webhook. Under a store brown-out the default decides on the
 * network data alone (the store-derived signals are missing) rather than declining every cardholder.
 */
export const DECISION_DEFAULTS = {
  ruleSet: 'default-v2',
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
export const GSI = { byCard: 'GSI1', byTokenUniqueReference: 'GSI2', decisionsByDay: 'GSI3' } as const;

/** Configuration every function needs. */
export interface BaseConfig {
  tableName: string;
  maxBodyBytes: number;
}

type Env = NodeJS.ProcessEnv;

/** A variable that must be set (non-empty); its absence fails the cold start, naming it. */
function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`missing required environment variable ${name}`);
  return value;
}

/** A variable that may be unset: `undefined` when unset or empty. */
function optional(env: Env, name: string): string | undefined {
  return env[name] || undefined;
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

function nonNegativeNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0`);
  return n;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be true or false`);
  return raw === 'true';
}

/** Reads and validates the base configuration; throws naming the first missing variable. */
export function loadBaseConfig(env: Env = process.env): BaseConfig {
  const maxBody = env[ENV.maxBodyBytes];
  const maxBodyBytes = maxBody ? Number(maxBody) : DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    throw new Error(`${ENV.maxBodyBytes} must be a positive integer`);
  return { tableName: required(env, ENV.tableName), maxBodyBytes };
}

/**
 * Pismo webhook verification settings for one route (its audience); `PISMO_JWKS_URL`, `PISMO_ORG_ID`
 * (the tenant) and `PISMO_JWT_ISSUER` are required. Handlers always pass their route; without one the
 * config accepts either route's audience (tools only, e.g. a benchmark's verify-only floor).
 */
export function loadPismoWebhookConfig(env: Env = process.env, route?: 'events' | 'decisions') {
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
      events: optional(env, ENV.pismoEventsAudience),
      decisions: optional(env, ENV.pismoDecisionsAudience),
    },
    orgClaim: optional(env, ENV.pismoOrgClaim),
    bodyHashClaim: optional(env, ENV.pismoBodyHashClaim),
    clockToleranceSeconds: nonNegativeInt(env, ENV.pismoClockSkewSeconds, d.clockSkewSeconds),
    maxTokenAgeSeconds: nonNegativeInt(env, ENV.pismoMaxTokenAgeSeconds, d.maxTokenAgeSeconds),
    jwksCooldownMs: d.jwksCooldownMs,
    jwksCacheMaxAgeMs: d.jwksCacheMaxAgeMs,
  };
}

/** Decision webhook settings: live/shadow rule set names, fail mode, store budget. */
export function loadDecisionConfig(env: Env = process.env) {
  const failMode = env[ENV.decisionFailMode] || DECISION_DEFAULTS.failMode;
  if (!DECISION_FAIL_MODES.includes(failMode as DecisionFailMode))
    throw new Error(`${ENV.decisionFailMode} must be one of ${DECISION_FAIL_MODES.join(', ')}`);
  return {
    ruleSet: env[ENV.decisionRuleSet] || DECISION_DEFAULTS.ruleSet,
    /** Optional: no shadow rule set evaluated when unset. */
    shadowRuleSet: optional(env, ENV.decisionShadowRuleSet),
    failMode: failMode as DecisionFailMode,
    storeTimeoutMs: nonNegativeInt(env, ENV.decisionStoreTimeoutMs, DECISION_DEFAULTS.storeTimeoutMs),
  };
}

/** Pismo's accounts API (the cardholder's contacts). */
export interface PismoApiConfig {
  baseUrl: string;
  clientId: string;
  /** The Secrets Manager secret holding the client secret. */
  clientSecretId: string;
}

/**
 * Pismo's accounts API where it is optional (the decision webhook shows masked destinations only
 * when it is configured): `undefined` when `PISMO_API_URL` is unset; once it is set,
 * `PISMO_CLIENT_ID` and `PISMO_CLIENT_SECRET_ID` are required.
 */
export function loadOptionalPismoApiConfig(env: Env = process.env): PismoApiConfig | undefined {
  if (optional(env, ENV.pismoApiUrl) === undefined) return undefined;
  return {
    baseUrl: required(env, ENV.pismoApiUrl),
    clientId: required(env, ENV.pismoClientId),
    clientSecretId: required(env, ENV.pismoClientSecretId),
  };
}

/** ID&V workflow step settings (contacts, senders, fallback). */
export type IdvConfig = ReturnType<typeof loadIdvConfig>;

/** ID&V workflow step settings: contacts, senders, email fallback, default wait. */
export function loadIdvConfig(env: Env = process.env) {
  return {
    pismoApi: {
      baseUrl: required(env, ENV.pismoApiUrl),
      clientId: required(env, ENV.pismoClientId),
      /** Optional: only the steps that look a contact up get the secret (await and settle never do). */
      clientSecretId: optional(env, ENV.pismoClientSecretId),
    },
    /** Default `ISSUER`. */
    smsSenderId: env[ENV.smsSenderId] || 'ISSUER',
    emailFrom: required(env, ENV.emailFrom),
    /** Default true. */
    emailFallback: flag(env, ENV.idvEmailFallback, true),
    /** Default 1800 s. */
    defaultWaitSeconds: nonNegativeInt(env, ENV.idvDefaultWaitSeconds, 1800),
  };
}

/**
 * The ID&V state machine the event functions and the resend route start. Optional: unset, challenges
 * are stored but no delivery starts (the local stack's ingestion-only runs), and a resend is refused.
 */
export function loadIdvStateMachineArn(env: Env = process.env): string | undefined {
  return optional(env, ENV.idvStateMachineArn);
}

/** The KMS key that seals ID&V codes at rest (ingestion seals, the delivery step opens). */
export function loadOtpKeyArn(env: Env = process.env): string {
  return required(env, ENV.otpKeyArn);
}

/**
 * The MDES customers (`MDES_CUSTOMERS`, JSON as set by the stack), required; parsed and validated by
 * `parseMdesCustomers` (shared/adapters/mdes/customers.ts).
 */
export function loadMdesCustomersJson(env: Env = process.env): string {
  return required(env, ENV.mdesCustomers);
}

/** Mastercard key lifecycle: the key registrar (required) and the grace before a rotated-out key is revoked. */
export function loadKeysConfig(env: Env = process.env) {
  return {
    registrarUrl: required(env, ENV.mdesRegistrarUrl),
    /** Default 24 h. */
    revokeGraceHours: nonNegativeNumber(env, ENV.keyRevokeGraceHours, 24),
  };
}

/**
 * The secret holding the HMAC key of the read API's paging cursors. Optional: unset (tests), the
 * store signs cursors with a per-process key.
 */
export function loadCursorKeySecretId(env: Env = process.env): string | undefined {
  return optional(env, ENV.cursorKeySecretId);
}

/** Default name of the officer JWT claim listing the MDES customers the officer may act for. */
export const DEFAULT_OFFICER_CUSTOMERS_CLAIM = 'mdes_customers';

/** The name of the officer JWT claim listing their MDES customers; default {@link DEFAULT_OFFICER_CUSTOMERS_CLAIM}. */
export function loadOfficerCustomersClaim(env: Env = process.env): string {
  const name = env[ENV.officerCustomersClaim] || DEFAULT_OFFICER_CUSTOMERS_CLAIM;
  if (!/^[A-Za-z0-9_:./-]{1,128}$/.test(name)) throw new Error(`${ENV.officerCustomersClaim} is not a claim name`);
  return name;
}

/**
 * Whether AWS SDK clients are traced (X-Ray): needs both `POWERTOOLS_TRACE_ENABLED=true` (set by
 * AppFunction) and the Lambda runtime (`AWS_EXECUTION_ENV=AWS_Lambda_…`, as the Tracer checks). Read
 * at each call, not cached: the flag decides per client.
 */
export function loadTracingEnabled(env: Env = process.env): boolean {
  return env[ENV.traceEnabled] === 'true' && (env[ENV.lambdaExecutionEnv] ?? '').startsWith('AWS_Lambda_');
}

// ---- Lifecycle flow (token actions on both networks): its own variables, kept in this block ----

/** Environment variables of the lifecycle flow (besides PISMO_API_URL, PISMO_CLIENT_ID and PISMO_CLIENT_SECRET_ID). */
export const LIFECYCLE_ENV = {
  /** Pismo's tokenization API base (PCI host), e.g. `https://gw-pci.pismolabs.io/cards-tokenization`. */
  pismoTokenizationUrl: 'PISMO_TOKENIZATION_URL',
  /** Comma-separated Pismo program ids whose Mastercard tokens are acted on through Pismo, not MDES. */
  pismoMastercardPrograms: 'LIFECYCLE_PISMO_MASTERCARD_PROGRAMS',
} as const;

/** The lifecycle flow's settings; throws naming the first missing variable. */
export function loadLifecycleConfig(env: NodeJS.ProcessEnv = process.env) {
  const programs = (env[LIFECYCLE_ENV.pismoMastercardPrograms] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of programs)
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(p))
      throw new Error(`${LIFECYCLE_ENV.pismoMastercardPrograms} holds an invalid program id`);
  return {
    pismoAuthUrl: required(env, ENV.pismoApiUrl),
    pismoTokenizationUrl: required(env, LIFECYCLE_ENV.pismoTokenizationUrl),
    pismoClientId: required(env, ENV.pismoClientId),
    pismoClientSecretId: required(env, ENV.pismoClientSecretId),
    pismoMastercardPrograms: programs,
  };
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

function positiveInt(env: Env, name: string, fallback: number): number {
  const n = nonNegativeInt(env, name, fallback);
  if (n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

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

/** The card lifecycle workflow (issue 14); unset: card events are stored and no policy runs. */
export function loadCardLifecycleStateMachineArn(env: Env = process.env): string | undefined {
  return optional(env, ENV.cardLifecycleStateMachineArn);
}

/** The card-status policy by name (default {@link DEFAULT_CARD_POLICY}) and an optional forced mode (`shadow` or `enforce`). */
export function loadCardPolicyConfig(env: Env = process.env): { name: string; mode?: 'enforce' | 'shadow' } {
  const mode = optional(env, ENV.cardPolicyMode);
  if (mode !== undefined && mode !== 'enforce' && mode !== 'shadow')
    throw new Error(`${ENV.cardPolicyMode} must be enforce or shadow`);
  return { name: env[ENV.cardPolicy] || DEFAULT_CARD_POLICY, mode };
}

/**
 * The card-status policy a deployment gets when `tokenization:cardStatusPolicy` names none
 * (shared/cards/policies/<name>.json; docs/flows/cards.md).
 */
export const DEFAULT_CARD_POLICY = 'default-v2';
/**
 * The token table's account index (`ACCOUNT#<account id>`): the cardholder's digital cards (ADR 0025).
 * GSI3 is overloaded: it also holds the decisions by day (`DECISIONS#DAY#<day>`, ADR 0029); the key
 * prefixes keep the two apart, and one index is one table update instead of two.
 */
export const GSI_BY_ACCOUNT = GSI.decisionsByDay;
/** The console flow's variables (docs/flows/console.md): what `GET /console/config.json` tells the browser. */
export const CONSOLE_ENV = {
  /** The OIDC issuer the API's JWT authorizer trusts. */
  issuer: 'CONSOLE_ISSUER',
  /** The console's public app client at that issuer. */
  clientId: 'CONSOLE_CLIENT_ID',
  /** Absolute, or a path on the console's own origin (the local dev issuer). */
  authorizationEndpoint: 'CONSOLE_AUTHORIZATION_ENDPOINT',
  tokenEndpoint: 'CONSOLE_TOKEN_ENDPOINT',
  endSessionEndpoint: 'CONSOLE_END_SESSION_ENDPOINT',
  /** Space-separated scopes the console requests. */
  scope: 'CONSOLE_SCOPE',
  /** Optional `audience` authorization parameter (IdPs such as Auth0). */
  audience: 'CONSOLE_AUDIENCE',
  /** Optional public URL of the console (e.g. behind CloudFront); else the request's origin + `/console`. */
  url: 'CONSOLE_URL',
  /** `local` or `aws` (default). */
  environment: 'CONSOLE_ENVIRONMENT',
  /** Comma-separated MDES customer ids of the deployment (the first is the default). */
  mdesCustomers: 'CONSOLE_MDES_CUSTOMERS',
} as const;

/** The console's sign-in settings (all required but audience, url and environment). */
export function loadConsoleConfig(env: Env = process.env) {
  return {
    issuer: required(env, CONSOLE_ENV.issuer),
    clientId: required(env, CONSOLE_ENV.clientId),
    authorizationEndpoint: required(env, CONSOLE_ENV.authorizationEndpoint),
    tokenEndpoint: required(env, CONSOLE_ENV.tokenEndpoint),
    endSessionEndpoint: required(env, CONSOLE_ENV.endSessionEndpoint),
    scope: required(env, CONSOLE_ENV.scope),
    audience: optional(env, CONSOLE_ENV.audience),
    url: optional(env, CONSOLE_ENV.url),
    environment: env[CONSOLE_ENV.environment] === 'local' ? ('local' as const) : ('aws' as const),
    mdesCustomers: loadConsoleMdesCustomers(env),
  };
}
export type ConsoleSettings = ReturnType<typeof loadConsoleConfig>;

/** The deployment's MDES customer ids (the console's pre-token trigger puts them in the agents' tokens). */
export function loadConsoleMdesCustomers(env: Env = process.env): string[] {
  return (env[CONSOLE_ENV.mdesCustomers] ?? '').split(',').filter(Boolean);
}

// ---- Cardholder push provisioning and card on file (issue 16, docs/flows/cardholder.md) ----

/** Environment variables of the cardholder provisioning function (besides PISMO_API_URL, PISMO_CLIENT_ID, PISMO_CLIENT_SECRET_ID). */
export const CARDHOLDER_PROVISIONING_ENV = {
  /** Pismo's tokenization API base (PCI host, push provisioning), e.g. `https://gw-pci.pismolabs.io/cards-tokenization`. */
  pismoTokenizationUrl: 'PISMO_TOKENIZATION_URL',
  /** Pismo's cards-on-file API base (PCI host), e.g. `https://gw-pci.pismolabs.io`. */
  pismoCardsOnFileUrl: 'PISMO_CARDS_ON_FILE_URL',
  /** Push provisionings (and, separately, card-on-file creations) per account per window. */
  rateLimit: 'CARDHOLDER_PROVISIONING_RATE_LIMIT',
  rateWindowSeconds: 'CARDHOLDER_PROVISIONING_RATE_WINDOW_SECONDS',
  /** How long a request id is remembered (a repeat within it never runs twice). */
  requestIdTtlSeconds: 'CARDHOLDER_REQUEST_ID_TTL_SECONDS',
} as const;

export const CARDHOLDER_PROVISIONING_DEFAULTS = {
  rateLimit: 10,
  rateWindowSeconds: 3600,
  requestIdTtlSeconds: 86_400,
} as const;

/** The cardholder provisioning function's settings; Pismo's URLs and client id are required. */
export function loadCardholderProvisioningConfig(env: NodeJS.ProcessEnv = process.env) {
  const E = CARDHOLDER_PROVISIONING_ENV;
  const d = CARDHOLDER_PROVISIONING_DEFAULTS;
  return {
    pismoAuthUrl: required(env, ENV.pismoApiUrl),
    pismoTokenizationUrl: required(env, E.pismoTokenizationUrl),
    pismoCardsOnFileUrl: required(env, E.pismoCardsOnFileUrl),
    pismoClientId: required(env, ENV.pismoClientId),
    pismoClientSecretId: required(env, ENV.pismoClientSecretId),
    limits: {
      perWindow: positiveInt(env, E.rateLimit, d.rateLimit),
      windowSeconds: positiveInt(env, E.rateWindowSeconds, d.rateWindowSeconds),
      requestIdTtlSeconds: positiveInt(env, E.requestIdTtlSeconds, d.requestIdTtlSeconds),
    },
  };
}
