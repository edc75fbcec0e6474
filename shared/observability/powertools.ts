import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../config';

/** The per-function logger and metrics pair (structured JSON logs, CloudWatch EMF metrics). */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Builds the logger and metrics for one function. Logs carry ids and outcomes only: callers never
 * pass request bodies, network data or tokens to the logger.
 */
export function createObservability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}
