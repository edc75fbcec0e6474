import type { Observability } from '../adapters/observability/powertools';
import { addRunMetrics } from './metrics';
import type { ReconciliationObserver } from './ports';

/**
 * Logs (ids, classes, outcomes: never a PAN or a token number) and metrics of the reconciliation
 * functions: one line per card with drift or a failure, one per run, and the run's metrics.
 */
export function reconciliationObserver(obs: Observability): ReconciliationObserver {
  return {
    onCard: (r) => {
      if (r.outcome === 'in-sync') return;
      const log = r.outcome === 'drift' ? obs.logger.info.bind(obs.logger) : obs.logger.warn.bind(obs.logger);
      log('card reconciled', {
        runId: r.runId,
        cardId: r.cardId,
        outcome: r.outcome,
        error: r.error,
        findings: r.findings.map((f) => ({
          tokenId: f.tokenId,
          driftClass: f.driftClass,
          action: f.action,
          source: f.source,
        })),
      });
    },
    onRun: (run) => {
      addRunMetrics(obs.metrics, run);
      obs.logger.info('reconciliation run', {
        runId: run.runId,
        trigger: run.trigger,
        cards: run.cards,
        cardsFailed: run.cardsFailed,
        counts: run.counts,
        repaired: run.repaired,
        reported: run.reported,
        calls: run.calls,
      });
    },
  };
}

/** A run id: sortable by time, unique enough, and a valid Step Functions execution name. */
export function newRunId(
  prefix: string,
  now: Date = new Date(),
  random: string = Math.random().toString(36).slice(2, 10),
) {
  return `${prefix}-${now.toISOString().replace(/[-:.]/g, '')}-${random}`;
}
