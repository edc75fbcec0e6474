import type { CfnRoute, CfnStage, HttpRoute, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { AppFunction } from './app-function';

/** Requests per second (steady) and burst of one route. */
export interface RouteThrottle {
  rateLimit: number;
  burstLimit: number;
}

export interface EdgeLimitSettings {
  /** Per route key (`POST /pismo/events`); routes not listed get the stage's default throttle. */
  routeThrottles: Record<string, RouteThrottle>;
  /** Concurrency reserved for the decision function (0: none). */
  decisionReservedConcurrency: number;
}

/**
 * Defaults (docs/security/edge.md): Pismo's two webhooks get their own budget below the stage default
 * (200/s, burst 400), so a flood on one route cannot starve the other or the internal API.
 */
export const EDGE_LIMIT_DEFAULTS: EdgeLimitSettings = {
  routeThrottles: {
    'POST /pismo/tokenization-decisions': { rateLimit: 100, burstLimit: 200 },
    'POST /pismo/events': { rateLimit: 100, burstLimit: 200 },
  },
  decisionReservedConcurrency: 50,
};

/**
 * Per-route throttling on the HTTP API stage and reserved concurrency for the decision function:
 * the decision webhook keeps its capacity whatever the other functions do, and a flood on one route
 * is refused (429) at the gateway before any function runs.
 */
export function applyEdgeLimits(
  stage: HttpStage,
  routes: readonly HttpRoute[],
  decide: AppFunction,
  settings: EdgeLimitSettings,
): void {
  const cfnRoutes = routes.map((r) => r.node.defaultChild as CfnRoute);
  const keys = new Set(cfnRoutes.map((r) => r.routeKey));
  const cfnStage = stage.node.defaultChild as CfnStage;
  cfnStage.routeSettings = Object.fromEntries(
    Object.entries(settings.routeThrottles).map(([routeKey, t]) => {
      if (!keys.has(routeKey)) throw new Error(`route throttle for unknown route ${routeKey}`);
      // RouteSettings is untyped JSON in CloudFormation's own casing.
      return [routeKey, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }];
    }),
  );
  // Route settings name routes by key: the stage must be created after them.
  for (const route of cfnRoutes) if (settings.routeThrottles[route.routeKey]) cfnStage.addResourceDependency(route);
  if (settings.decisionReservedConcurrency > 0)
    (decide.fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = settings.decisionReservedConcurrency;
}
