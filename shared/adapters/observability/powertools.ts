import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../../config';
import { sanitiseDeep, sanitiseText } from '../../domain/sanitise';

/** The per-function logger and metrics pair (structured JSON logs, CloudWatch EMF metrics). */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

function sanitisedError(error: Error): Record<string, unknown> {
  const { name, message, stack } = error;
  const cause: unknown = error.cause;
  return { ...error, name, message, stack, ...(cause === undefined ? {} : { cause }) };
}

/**
 * The JSON replacer of every log line: each value on its way out (message, persistent keys,
 * attributes, errors and their causes, at any depth) passes the one sanitiser, and object keys
 * too. Errors become plain objects first so their message and stack are sanitised like the rest.
 */
export function sanitiseLogValue(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return sanitiseText(value);
  if (typeof value === 'number' || typeof value === 'bigint') return sanitiseDeep(value);
  if (value instanceof Error) return sanitisedError(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.some((k) => sanitiseText(k) !== k))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitiseText(k), v as unknown]));
  }
  return value;
}

/**
 * Builds the logger and metrics for one function. Logs carry ids and outcomes only: callers never
 * pass request bodies, network data or tokens to the logger; whatever reaches it is sanitised
 * anyway ({@link sanitiseLogValue}).
 */
export function createObservability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName, jsonReplacerFn: sanitiseLogValue }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}
