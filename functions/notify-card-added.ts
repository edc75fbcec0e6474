import { createObservability } from '../shared/observability/powertools';
import { notifyCardAdded } from '../shared/use-cases/idv-steps';
import { createIdvDeps } from '../shared/workflow/idv-deps';
import { stepHandler } from '../shared/workflow/step-handler';

const deps = createIdvDeps();
const obs = createObservability('notify-card-added');

/** ID&V workflow step: Marks the challenge activated and tells the cardholder the card was added. */
export const handler = stepHandler(obs, 'notify-card-added', (input: Parameters<typeof notifyCardAdded>[0]) =>
  notifyCardAdded(input, deps),
);
