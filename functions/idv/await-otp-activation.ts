import { createObservability } from '../../shared/adapters/observability/powertools';
import { awaitActivation } from '../../shared/idv/idv-steps';
import { createIdvDeps } from '../../shared/idv/idv-deps';
import { stepHandler } from '../../shared/idv/step-handler';

const deps = createIdvDeps();
const obs = createObservability('await-otp-activation');

/** ID&V workflow step: Registers the waiting workflow's task token on the token. */
export const handler = stepHandler(obs, 'await-otp-activation', (input: Parameters<typeof awaitActivation>[0]) =>
  awaitActivation(input, deps),
);
