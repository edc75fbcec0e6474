import { createObservability } from '../../shared/adapters/observability/powertools';
import { settleChallenge } from '../../shared/idv/idv-steps';
import { createIdvDeps } from '../../shared/idv/idv-deps';
import { stepHandler } from '../../shared/idv/step-handler';

const deps = createIdvDeps();
const obs = createObservability('settle-challenge');

/** ID&V workflow step: Closes a challenge as expired or failed. */
export const handler = stepHandler(obs, 'settle-challenge', (input: Parameters<typeof settleChallenge>[0]) =>
  settleChallenge(input, deps),
);
