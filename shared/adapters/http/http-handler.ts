import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError, httpStatusOf } from '../../domain/errors';
import { sanitiseDeep } from '../../domain/sanitise';
import type { Observability } from '../observability/powertools';

/** What an HTTP use-case adapter returns; the stack serialises it. */
export interface HttpResult {
  statusCode: number;
  body: unknown;
}

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Every body (results and error reasons, which may echo input) leaves through the one sanitiser. */
function respond(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(sanitiseDeep(body)) };
}

/**
 * Maps any thrown error to a response: AppErrors with their kind's status (`httpStatusOf`, the one
 * kind → status table) and their reason, everything else a bare 500.
 */
export function errorResponse(err: unknown, obs: Observability): APIGatewayProxyStructuredResultV2 {
  if (err instanceof AppError) {
    const status = httpStatusOf(err);
    // `reason`, not `message`: Powertools reserves `message` (the log line's own) and drops it.
    if (status >= 500) obs.logger.error('request failed', { error: err.name, reason: err.message });
    else obs.logger.info('request rejected', { error: err.name, status, reason: err.message });
    obs.metrics.addMetric(status >= 500 ? 'ServerErrors' : 'ClientErrors', 'Count', 1);
    return respond(status, {
      error: err.name,
      message: err.expose ? err.message : 'temporarily unavailable, retry',
      ...(err.expose && err.details ? { details: err.details } : {}),
    });
  }
  // Only the error's name and stack: never the request, whose body may carry card data.
  obs.logger.error('unhandled error', {
    error: err instanceof Error ? err.name : typeof err,
    stack: (err as Error)?.stack,
  });
  obs.metrics.addMetric('ServerErrors', 'Count', 1);
  return respond(500, { error: 'InternalError', message: 'internal error' });
}

/**
 * The one middy stack for HTTP API (payload v2) handlers: Powertools logging with the Lambda
 * context, EMF metrics flushed per invocation, and errors turned into JSON responses.
 */
export function httpHandler<E extends APIGatewayProxyEventV2>(
  obs: Observability,
  inner: (event: E, context: Context) => Promise<HttpResult>,
) {
  return middy<E, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(obs.logger, { resetKeys: true }))
    .use(logMetrics(obs.metrics))
    .handler(async (event, context) => {
      obs.metrics.addMetric('Requests', 'Count', 1);
      try {
        const result = await inner(event, context);
        return respond(result.statusCode, result.body);
      } catch (err) {
        return errorResponse(err, obs);
      }
    });
}
