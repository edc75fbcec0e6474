/**
 * The HTTP API every flow adds its routes to: JWT authorizer of the internal clients, the `$default`
 * stage with its throttles and KMS-encrypted access log, and, once CloudFront fronts the API, the
 * origin-verify authorizer of the Pismo routes (docs/security/edge.md).
 *
 * Like the flow constructs, it builds its resources in the scope it is given (the stateless stack)
 * under the ids the stack used before the split, so their logical IDs stay (infra/stacks/stateless-stack.ts).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  type HttpMethod,
  type HttpRoute,
  type HttpRouteIntegration,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { applyRouteThrottles, type RouteThrottle } from './edge-limits';
import { OriginVerifyAuthorizer, type OriginVerifySettings } from './origin-verify';
import { CARDHOLDER_JWT_AUDIENCE_DEFAULT } from '../context-defaults';

/** API scopes: the internal clients' (`tokens:*`) and the issuer's app's (`cardholder`, its own authorizer). */
export const SCOPES = { tokensRead: 'tokens:read', tokensWrite: 'tokens:write', cardholder: 'cardholder' } as const;

/** Context key: the issuer (`iss`) of the issuer's app's cardholder JWTs (default: the internal clients' issuer). */
export const CARDHOLDER_JWT_ISSUER_CONTEXT = 'tokenization:cardholderJwtIssuer';
/** Context key: the audience (`aud`) of the cardholder JWTs (default {@link CARDHOLDER_JWT_AUDIENCE_DEFAULT}). */
export const CARDHOLDER_JWT_AUDIENCE_CONTEXT = 'tokenization:cardholderJwtAudience';

export interface ServiceApiProps {
  logKey: IKey;
  logRetention: RetentionDays;
  /** OIDC issuer of the internal clients' JWTs (API Gateway JWT authorizer). */
  jwtIssuer: string;
  /**
   * The issuer of the app's cardholder JWTs when `tokenization:cardholderJwtIssuer` is not set: the
   * deployment's own identity provider (`tokenization:jwtIssuer`), never the agents' Cognito pool.
   */
  cardholderJwtIssuer?: string;
  jwtAudience: string;
  /** More accepted audiences (or client ids): the console's Cognito app client (ADR 0030). */
  moreJwtAudiences?: string[];
  /** Set when CloudFront fronts the API: the Pismo routes then take only requests carrying its origin secret. */
  originVerify?: OriginVerifySettings;
}

export class ServiceApi {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The origin-verify authorizer of the Pismo routes (only with `originVerify`). */
  readonly originVerify?: OriginVerifyAuthorizer;
  private readonly internalAuth: HttpJwtAuthorizer;
  /** The issuer's app: its own audience and scope, so an officer's token never opens a cardholder route, nor the reverse. */
  private readonly cardholderAuth: HttpJwtAuthorizer;
  private readonly pismoAuth?: IHttpRouteAuthorizer;
  private readonly pismoRoutes: HttpRoute[] = [];

  constructor(scope: Construct, props: ServiceApiProps) {
    this.api = new HttpApi(scope, 'Api', {
      description: 'Card tokenization service',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(scope, 'ApiAccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(scope, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            principal: '$context.authorizer.claims.sub',
            error: '$context.error.message',
          }),
        ),
      },
    });
    this.internalAuth = new HttpJwtAuthorizer('InternalJwt', props.jwtIssuer, {
      jwtAudience: [props.jwtAudience, ...(props.moreJwtAudiences ?? [])],
    });
    const cardholderIssuer = scope.node.tryGetContext(CARDHOLDER_JWT_ISSUER_CONTEXT) as string | undefined;
    const cardholderAudience = scope.node.tryGetContext(CARDHOLDER_JWT_AUDIENCE_CONTEXT) as string | undefined;
    this.cardholderAuth = new HttpJwtAuthorizer(
      'CardholderJwt',
      cardholderIssuer || props.cardholderJwtIssuer || props.jwtIssuer,
      {
        jwtAudience: [cardholderAudience || CARDHOLDER_JWT_AUDIENCE_DEFAULT],
      },
    );
    // Only through CloudFront once the edge is configured; Pismo's JWT is still checked by the function.
    if (props.originVerify) {
      this.originVerify = new OriginVerifyAuthorizer(scope, 'OriginVerify', {
        logKey: props.logKey,
        logRetention: props.logRetention,
        settings: props.originVerify,
      });
      this.pismoAuth = this.originVerify.authorizer;
    }
  }

  /** A route for the internal clients: JWT with `scope`. */
  addInternalRoute(path: string, method: HttpMethod, integration: HttpRouteIntegration, scope: string): void {
    this.api.addRoutes({
      path,
      methods: [method],
      integration,
      authorizer: this.internalAuth,
      authorizationScopes: [scope],
    });
  }

  /**
   * A route for the issuer's app: the cardholder's JWT (its own audience) with scope `cardholder`;
   * the subject is the Pismo account, and the function checks every id of the path belongs to it.
   */
  addCardholderRoute(path: string, method: HttpMethod, integration: HttpRouteIntegration): void {
    this.api.addRoutes({
      path,
      methods: [method],
      integration,
      authorizer: this.cardholderAuth,
      authorizationScopes: [SCOPES.cardholder],
    });
  }

  /**
   * A route Pismo calls: its signed JWT is checked by the function; with the edge, the origin-verify
   * authorizer refuses requests that did not come through CloudFront.
   */
  addPismoRoute(path: string, method: HttpMethod, integration: HttpRouteIntegration): HttpRoute {
    const [route] = this.api.addRoutes({ path, methods: [method], integration, authorizer: this.pismoAuth });
    if (!route) throw new Error(`no route created for ${method} ${path}`);
    this.pismoRoutes.push(route);
    if (!this.pismoAuth)
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Pismo signs its webhooks with its own JWT carrying a SHA-256 body hash, which API Gateway's authorizers " +
          'cannot check; the function verifies signature, key id, expiry, body hash and tenant before any work (401 otherwise).',
      });
    return route;
  }

  /**
   * A route without an authorizer, for what must load before sign-in and holds no data (the console's
   * files and sign-in settings); `reason` is recorded with the cdk-nag acknowledgement.
   */
  addPublicRoute(path: string, method: HttpMethod, integration: HttpRouteIntegration, reason: string): void {
    for (const route of this.api.addRoutes({ path, methods: [method], integration }))
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
  }

  /** Per-route throttles of the Pismo routes (docs/security/edge.md); a throttle naming another route fails the synth. */
  throttlePismoRoutes(throttles: Record<string, RouteThrottle>): void {
    applyRouteThrottles(this.stage, this.pismoRoutes, throttles);
  }
}
