import { createObservability } from '../shared/observability/powertools';
import { settleChallenge } from '../shared/use-cases/idv-steps';
import { createIdvDeps } from '../shared/workflow/idv-deps';
import { stepHandler } from '../shared/workflow/step-handler';

const deps = createIdvDeps();
const obs = createObservability('settle-challenge');

/** ID&V workflow step: Closes a challenge as expired or failed. */
export const handler = stepHandler(obs, 'settle-challenge', (input: Parameters<typeof settleChallenge>[0]) =>
  settleChallenge(input, deps),
);
