import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ReconciliationRun } from '../../shared/domain/store';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { createReconciliationDeps } from '../../shared/reconciliation/reconciliation-deps';
import { runReconciliation, selectCardsInDoubt } from '../../shared/reconciliation/reconcile';
import { newRunId, reconciliationObserver } from '../../shared/reconciliation/report';

const obs = createObservability('scheduled-reconciliation');
const deps = { ...createReconciliationDeps(), observer: reconciliationObserver(obs) };

/**
 * Scheduled (EventBridge): reconciles the cards of the tokens in doubt (requested or pending ID&V
 * for longer than configured, not updated for N days) and the flagged cards (an upstream failed in
 * an earlier run, or a flow flagged one).
 */
export const handler = middy<unknown, ReconciliationRun>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .use(logMetrics(obs.metrics))
  .handler(async () => {
    const { config } = deps;
    const picked = await selectCardsInDoubt(deps.store, config);
    obs.logger.info('cards in doubt', {
      cards: picked.cards.length,
      flagged: picked.flagged,
      inDoubt: picked.inDoubt,
      scanned: picked.scanned,
    });
    const { results, ...run } = await runReconciliation(deps, {
      runId: newRunId('scheduled'),
      trigger: 'scheduled',
      cards: picked.cards,
      concurrency: config.concurrency,
    });
    return run;
  });
