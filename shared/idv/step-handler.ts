import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ValidationError } from '../domain/errors';
import type { Observability } from '../adapters/observability/powertools';
import * as z from '../zod';

const refSchema = z.looseObject({
  challengeId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/)),
  tokenId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
});

const EXPECTED_ENDS = new Set(['ChallengeExpired']);

/**
 * The middy stack of a workflow step: validates that the input carries the challenge ids, logs ids
 * and outcome, and lets errors through with their stable names for Retry/Catch.
 */
export function stepHandler<I extends { challengeId: string; tokenId: string }, O>(
  obs: Observability,
  step: string,
  run: (input: I) => Promise<O>,
) {
  return middy<unknown, O>()
    .use(injectLambdaContext(obs.logger, { resetKeys: true }))
    .handler(async (event) => {
      const parsed = refSchema.safeParse(event);
      if (!parsed.success) throw new ValidationError(`${step}: input needs challengeId and tokenId`);
      const input = parsed.data as unknown as I;
      try {
        const out = await run(input);
        obs.logger.info(`${step} done`, {
          challengeId: input.challengeId,
          tokenId: input.tokenId,
          output: out as Record<string, unknown>,
        });
        return out;
      } catch (err) {
        const name = err instanceof Error ? err.name : 'Error';
        // An expired code is a normal end the state machine routes (Catch → MarkExpired), not a fault.
        const log = EXPECTED_ENDS.has(name) ? obs.logger.info.bind(obs.logger) : obs.logger.warn.bind(obs.logger);
        log(`${step} failed`, { challengeId: input.challengeId, tokenId: input.tokenId, error: name });
        throw err;
      }
    });
}
