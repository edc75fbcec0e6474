import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { S3ObjectReader } from '../../shared/adapters/aws/s3-objects';
import { createReconciliationDeps } from '../../shared/reconciliation/reconciliation-deps';
import { reconciliationObserver } from '../../shared/reconciliation/report';
import { type ExportFileReader, parseSweepStep, runSweepStep } from '../../shared/reconciliation/sweep';

const obs = createObservability('reconciliation-sweep');
const base = createReconciliationDeps();

/** S3 GetObject of one export file, with the pinned S3 client of our bundle (not the runtime's). */
const exportFiles = new S3ObjectReader();
const readExportFile: ExportFileReader = (bucket, key) => exportFiles.read(bucket, key);

const deps = { ...base, concurrency: base.config.concurrency, readExportFile, observer: reconciliationObserver(obs) };

/** One step of the full-sweep state machine (`action`: start, reconcile, reconcileExportFile, finish). */
export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .use(logMetrics(obs.metrics))
  .handler(async (event) => {
    const step = parseSweepStep(event);
    const out = await runSweepStep(deps, step);
    obs.logger.info('sweep step done', { action: step.action });
    return out;
  });
