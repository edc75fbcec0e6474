import { MdesTokenLifecycle } from '../../shared/adapters/mdes/token-lifecycle';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { reviewAbandonedToken } from '../../shared/idv/idv-steps';
import { createIdvDeps } from '../../shared/idv/idv-deps';
import { stepHandler } from '../../shared/idv/step-handler';

const deps = createIdvDeps({ mdes: new MdesTokenLifecycle() });
const obs = createObservability('review-abandoned-token');

/** ID&V workflow step: Reminder after 24 h, MDES Token Delete after 30 days, for abandoned provisioning. */
export const handler = stepHandler(obs, 'review-abandoned-token', (input: Parameters<typeof reviewAbandonedToken>[0]) =>
  reviewAbandonedToken(input, deps),
);
