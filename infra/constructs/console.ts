/**
 * Flow: the Customer Service console (docs/flows/console.md; ADRs 0029, 0030).
 * Handlers: functions/console/console.ts (`GET /console`, `GET /console/{proxy+}`: the built files of
 * functions/console/public/ and `config.json`, no authorizer; `GET /me`, scope `tokens:read`),
 * functions/console/pre-token-generation.ts (the Cognito trigger). Use cases: shared/console/.
 *
 * The console is served by the HTTP API itself (same origin as the API: CSP `default-src 'self'`, no
 * CORS). Sign-in is OIDC authorization code + PKCE against the issuer the API's JWT authorizer
 * trusts: an external identity provider named by context (`tokenization:consoleClientId` with
 * `tokenization:jwtIssuer` and the endpoints), else a Cognito user pool created here
 * ({@link ConsoleUserPool}), which the authorizer then trusts.
 */
import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONSOLE_ENV } from '../../shared/config';
import { type CONSOLE_GROUPS } from '../../shared/console/groups';
import { AppFunction } from './app-function';
import { SCOPES, type ServiceApi } from './http-api';

/** Context keys of the console (docs/reference/configuration.md). */
export const CONSOLE_CONTEXT = {
  /** The console's public client id at an external identity provider; unset: a Cognito user pool is created. */
  clientId: 'tokenization:consoleClientId',
  authorizationEndpoint: 'tokenization:consoleAuthorizationEndpoint',
  tokenEndpoint: 'tokenization:consoleTokenEndpoint',
  endSessionEndpoint: 'tokenization:consoleEndSessionEndpoint',
  /** Scopes to request (external IdP; default `openid profile tokens:read tokens:write`). */
  scope: 'tokenization:consoleScope',
  /** Optional `audience` authorization parameter (external IdP). */
  audience: 'tokenization:consoleAudience',
  /** Public URL of the console (e.g. behind CloudFront); default `<API URL>/console`. */
  url: 'tokenization:consoleUrl',
  /** `local` (the local stack) or `aws` (default). */
  environment: 'tokenization:consoleEnvironment',
  /** Cognito hosted sign-in domain prefix (default `card-tokenization-<stage>-<account>`). */
  authDomainPrefix: 'tokenization:consoleAuthDomainPrefix',
} as const;

/** Where the console signs in: what `GET /console/config.json` says. */
export interface ConsoleSignIn {
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  endSessionEndpoint: string;
  scope: string;
  audience?: string;
}

/** The console's settings from context: an external identity provider, or none (Cognito). */
export interface ConsoleContextSettings {
  external?: Omit<ConsoleSignIn, 'issuer'>;
  url?: string;
  environment: 'local' | 'aws';
  authDomainPrefix?: string;
}

function contextText(scope: Construct, key: string): string | undefined {
  const v: unknown = scope.node.tryGetContext(key);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Reads the console's context keys; an external client id without its endpoints fails the synth, naming them. */
export function consoleSettingsFromContext(scope: Construct): ConsoleContextSettings {
  const clientId = contextText(scope, CONSOLE_CONTEXT.clientId);
  const url = contextText(scope, CONSOLE_CONTEXT.url);
  const environment = contextText(scope, CONSOLE_CONTEXT.environment) === 'local' ? 'local' : 'aws';
  const authDomainPrefix = contextText(scope, CONSOLE_CONTEXT.authDomainPrefix);
  if (!clientId) return { url, environment, authDomainPrefix };
  const need = (key: string) => {
    const v = contextText(scope, key);
    if (!v) throw new Error(`context ${key} is required with ${CONSOLE_CONTEXT.clientId} (docs/flows/console.md)`);
    return v;
  };
  const audience = contextText(scope, CONSOLE_CONTEXT.audience);
  return {
    external: {
      clientId,
      authorizationEndpoint: need(CONSOLE_CONTEXT.authorizationEndpoint),
      tokenEndpoint: need(CONSOLE_CONTEXT.tokenEndpoint),
      endSessionEndpoint: need(CONSOLE_CONTEXT.endSessionEndpoint),
      scope: contextText(scope, CONSOLE_CONTEXT.scope) ?? 'openid profile tokens:read tokens:write',
      ...(audience ? { audience } : {}),
    },
    url,
    environment,
    authDomainPrefix,
  };
}

export interface ConsoleUserPoolProps {
  stage: string;
  logKey: IKey;
  logRetention: RetentionDays;
  mdesCustomerIds: readonly string[];
  authDomainPrefix?: string;
}

/**
 * The console's identity provider when none is configured: a Cognito user pool (no self sign-up,
 * MFA required (TOTP), strong passwords, Plus plan with threat protection enforced), one group per
 * kind of user (read-only, agents, supervisors), a pre-token-generation trigger that maps the groups
 * to the API's scopes and adds `name` and the MDES customers claim (ADR 0030), the hosted sign-in
 * domain, and the console's public app client (authorization code + PKCE), added by {@link signIn}
 * once the API's URL (the callback) exists.
 */
export class ConsoleUserPool extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  readonly preTokenGeneration: AppFunction;
  /** The OIDC issuer of the pool's tokens (what the API's JWT authorizer trusts). */
  readonly issuer: string;
  /** The app client's id, usable before the client exists (the authorizer's audience). */
  readonly clientId: string;
  private client?: UserPoolClient;

  constructor(scope: Construct, id: string, props: ConsoleUserPoolProps) {
    super(scope, id);
    this.preTokenGeneration = new AppFunction(this, 'PreTokenGeneration', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/console/pre-token-generation.ts',
      description: "Console sign-in: the user's groups → the API's scopes, name and MDES customers claims",
      memorySize: 256,
      timeout: Duration.seconds(5),
      environment: { [CONSOLE_ENV.mdesCustomers]: props.mdesCustomerIds.join(',') },
    });
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `card-tokenization-${props.stage}-console`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      standardAttributes: { fullname: { required: true, mutable: true }, email: { required: true, mutable: true } },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.preTokenGeneration.fn,
      LambdaVersion.V2_0,
    );
    const descriptions: Record<keyof typeof CONSOLE_GROUPS, string> = {
      'read-only': 'Read-only agents: search and read (tokens:read)',
      agents: 'Agents who may act on tokens (tokens:read tokens:write)',
      supervisors: 'Supervisors (tokens:read tokens:write; ADR 0030)',
    };
    for (const [groupName, description] of Object.entries(descriptions))
      this.userPool.addGroup(`Group${groupName.replace(/[^A-Za-z]/g, '')}`, { groupName, description });
    const stack = Stack.of(this);
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: {
        domainPrefix: props.authDomainPrefix ?? `card-tokenization-${props.stage.toLowerCase()}-${stack.account}`,
      },
    });
    // The pool's `ProviderURL` attribute has no scheme; the JWT authorizer needs the issuer as the tokens say it.
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    this.clientId = Lazy.string({
      produce: () => {
        if (!this.client) throw new Error('ConsoleUserPool.signIn was never called: the console has no app client');
        return this.client.userPoolClientId;
      },
    });
  }

  /** Adds the console's public app client (callback and sign-out URL: `consoleUrl`) and says where to sign in. */
  signIn(consoleUrl: string): ConsoleSignIn {
    this.client = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'customer-service-console',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.PROFILE, OAuthScope.EMAIL],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(15),
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.hours(8),
    });
    const base = this.domain.baseUrl();
    return {
      issuer: this.issuer,
      clientId: this.client.userPoolClientId,
      authorizationEndpoint: `${base}/oauth2/authorize`,
      tokenEndpoint: `${base}/oauth2/token`,
      endSessionEndpoint: `${base}/logout`,
      scope: 'openid profile email',
    };
  }
}

export interface ConsoleProps {
  logKey: IKey;
  logRetention: RetentionDays;
  api: ServiceApi;
  settings: ConsoleContextSettings;
  /** The external identity provider's issuer (`tokenization:jwtIssuer`), when one is configured. */
  jwtIssuer: string;
  /** The Cognito user pool, when no external identity provider is configured. */
  userPool?: ConsoleUserPool;
  mdesCustomerIds: readonly string[];
}

/** The console's function and routes. */
export class Console extends Construct {
  readonly fn: AppFunction;
  readonly signIn: ConsoleSignIn;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const url = props.settings.url ?? `${props.api.api.apiEndpoint}/console`;
    const signIn = (this.signIn = props.settings.external
      ? { ...props.settings.external, issuer: props.jwtIssuer }
      : (props.userPool ?? fail('no identity provider for the console')).signIn(url));
    this.fn = new AppFunction(this, 'ServeConsole', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/console/console.ts',
      description: 'The Customer Service console: its files, sign-in settings and GET /me',
      memorySize: 256,
      copyDirectories: ['functions/console/public'],
      environment: {
        [CONSOLE_ENV.issuer]: signIn.issuer,
        [CONSOLE_ENV.clientId]: signIn.clientId,
        [CONSOLE_ENV.authorizationEndpoint]: signIn.authorizationEndpoint,
        [CONSOLE_ENV.tokenEndpoint]: signIn.tokenEndpoint,
        [CONSOLE_ENV.endSessionEndpoint]: signIn.endSessionEndpoint,
        [CONSOLE_ENV.scope]: signIn.scope,
        ...(signIn.audience ? { [CONSOLE_ENV.audience]: signIn.audience } : {}),
        ...(props.settings.url ? { [CONSOLE_ENV.url]: props.settings.url } : {}),
        [CONSOLE_ENV.environment]: props.settings.environment,
        [CONSOLE_ENV.mdesCustomers]: props.mdesCustomerIds.join(','),
      },
    });
    const integration = new HttpLambdaIntegration('ConsoleIntegration', this.fn.fn);
    const reason =
      'The console page, its script and style files and its sign-in settings (config.json) must load before ' +
      'sign-in; they hold no data. Every data route they call needs the JWT authorizer and a scope.';
    for (const path of ['/console', '/console/{proxy+}'])
      props.api.addPublicRoute(path, HttpMethod.GET, integration, reason);
    props.api.addInternalRoute('/me', HttpMethod.GET, integration, SCOPES.tokensRead);
  }
}

function fail(message: string): never {
  throw new Error(message);
}
