import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from '../model/model';

/** A handler as exported by `functions/*.ts`. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

const ROOT = path.resolve(__dirname, '..');

/** The Lambda timeout, surfaced the way the Lambda service reports it. */
export class LocalLambdaTimeout extends Error {
  override readonly name = 'LocalLambdaTimeout';
}

function contextFor(fn: LocalFunction, deadline: number): Context {
  const name = fn.id.split('/').pop() ?? fn.id;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Loads the handlers of the given functions and returns an invoker honouring each function's
 * timeout. Handlers read their configuration at import, so the caller sets process.env first.
 */
export async function loadHandlers(functions: Iterable<LocalFunction>) {
  const handlers = new Map<string, { fn: LocalFunction; handler: LambdaHandler }>();
  for (const fn of functions) {
    const mod = (await import(path.join(ROOT, fn.entry))) as { handler?: LambdaHandler };
    if (typeof mod.handler !== 'function') throw new Error(`${fn.entry} exports no handler`);
    handlers.set(fn.id, { fn, handler: mod.handler });
  }
  return async function invoke(functionId: string, event: unknown): Promise<unknown> {
    const entry = handlers.get(functionId);
    if (!entry) throw new Error(`no local function ${functionId}`);
    const deadline = Date.now() + entry.fn.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        entry.handler(event, contextFor(entry.fn, deadline)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new LocalLambdaTimeout(`${functionId} timed out after ${entry.fn.timeoutSeconds}s`)),
            entry.fn.timeoutSeconds * 1000,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Merges the functions' environments; two functions wanting different values for one name is an error. */
export function mergedEnvironment(functions: Iterable<LocalFunction>): Record<string, string> {
  const merged: Record<string, string> = {};
  const owner: Record<string, string> = {};
  for (const fn of functions) {
    for (const [k, v] of Object.entries(fn.environment)) {
      if (k in merged && merged[k] !== v) {
        throw new Error(
          `env ${k} differs between ${owner[k]} and ${fn.id}; the in-process local stack needs one value`,
        );
      }
      merged[k] = v;
      owner[k] = fn.id;
    }
  }
  return merged;
}
