import type * as TracerSdk from '@aws-lambda-powertools/tracer';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { ENV, loadTracingEnabled } from '../../config';

/** Set to `true` by the infrastructure (AppFunction) on every Lambda. */
export const TRACE_ENABLED_ENV = ENV.traceEnabled;

let tracer: Tracer | undefined;

/**
 * Records the calls of an AWS SDK v3 client as X-Ray subsegments (Powertools Tracer
 * `captureAWSv3Client`). A no-op unless `POWERTOOLS_TRACE_ENABLED=true` on the Lambda runtime, so the
 * local stack (which sets the template's variables but is no Lambda runtime) and tests never load the
 * X-Ray SDK; on Lambda the tracer loads with the first traced client (one tracer per process). Wrap
 * every client where it is created.
 */
export function traced<T>(client: T): T {
  if (!loadTracingEnabled()) return client;
  // Loaded here, not at the top: the local stack and tests never evaluate the X-Ray SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@aws-lambda-powertools/tracer') as typeof TracerSdk;
  tracer ??= new mod.Tracer();
  return tracer.captureAWSv3Client(client);
}
