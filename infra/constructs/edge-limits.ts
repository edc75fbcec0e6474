import type { CfnRoute, CfnStage, HttpRoute, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';

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
 * Per-route throttling on the HTTP API stage: a flood on one route is refused (429) at the gateway
 * before any function runs. The decision function's reserved concurrency is set by its flow
 * (infra/constructs/decision.ts).
 */
export function applyRouteThrottles(
  stage: HttpStage,
  routes: readonly HttpRoute[],
  throttles: EdgeLimitSettings['routeThrottles'],
): void {
  const cfnRoutes = routes.map((r) => r.node.defaultChild as CfnRoute);
  const keys = new Set(cfnRoutes.map((r) => r.routeKey));
  const cfnStage = stage.node.defaultChild as CfnStage;
  cfnStage.routeSettings = Object.fromEntries(
    Object.entries(throttles).map(([routeKey, t]) => {
      if (!keys.has(routeKey)) throw new Error(`route throttle for unknown route ${routeKey}`);
      // RouteSettings is untyped JSON in CloudFormation's own casing.
      return [routeKey, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }];
    }),
  );
  // Route settings name routes by key: the stage must be created after them.
  for (const route of cfnRoutes) if (throttles[route.routeKey]) cfnStage.addResourceDependency(route);
}
