import { createObservability } from '../../shared/adapters/observability/powertools';
import { notifyCardAdded } from '../../shared/idv/idv-steps';
import { createIdvDeps } from '../../shared/idv/idv-deps';
import { stepHandler } from '../../shared/idv/step-handler';

const deps = createIdvDeps();
const obs = createObservability('notify-card-added');

/** ID&V workflow step: Marks the challenge activated and tells the cardholder the card was added. */
export const handler = stepHandler(obs, 'notify-card-added', (input: Parameters<typeof notifyCardAdded>[0]) =>
  notifyCardAdded(input, deps),
);
