import type { DriftClass, ReconciliationRun } from '../domain/store';
import { driftTotal } from './reconcile';

/** The metric of each drift class (namespace CardTokenization, dimension `service`): docs/reference/metrics.md. */
export const DRIFT_METRICS: Readonly<Record<DriftClass, string>> = {
  statusDiffers: 'ReconciliationDriftStatusDiffers',
  unknownToUs: 'ReconciliationDriftUnknownToUs',
  unknownUpstream: 'ReconciliationDriftUnknownUpstream',
  differentCard: 'ReconciliationDriftDifferentCard',
  turDiffers: 'ReconciliationDriftTurDiffers',
};

/** The run-level metrics; `ReconciliationDrift` (every class) is the one the drift alarm watches. */
export const RUN_METRICS = {
  drift: 'ReconciliationDrift',
  cards: 'ReconciliationCards',
  cardsFailed: 'ReconciliationCardsFailed',
  repaired: 'ReconciliationRepaired',
  reported: 'ReconciliationReported',
  mdesSearches: 'ReconciliationMdesSearches',
} as const;

/** What the metrics sink needs (Powertools `Metrics` has it). */
export interface MetricSink {
  addMetric(name: string, unit: 'Count', value: number): void;
}

/** One data point per drift class and per run-level count (zeros included, so the alarm sees data). */
export function addRunMetrics(metrics: MetricSink, run: ReconciliationRun): void {
  for (const [driftClass, name] of Object.entries(DRIFT_METRICS))
    metrics.addMetric(name, 'Count', run.counts[driftClass as DriftClass]);
  metrics.addMetric(RUN_METRICS.drift, 'Count', driftTotal(run));
  metrics.addMetric(RUN_METRICS.cards, 'Count', run.cards);
  metrics.addMetric(RUN_METRICS.cardsFailed, 'Count', run.cardsFailed);
  metrics.addMetric(RUN_METRICS.repaired, 'Count', run.repaired);
  metrics.addMetric(RUN_METRICS.reported, 'Count', run.reported);
  metrics.addMetric(RUN_METRICS.mdesSearches, 'Count', run.calls.mdes);
}
