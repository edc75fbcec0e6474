import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { createReconciliationDeps } from '../../shared/reconciliation/reconciliation-deps';
import { reconciliationObserver } from '../../shared/reconciliation/report';
import { type ExportFileReader, parseSweepStep, runSweepStep } from '../../shared/reconciliation/sweep';

const obs = createObservability('reconciliation-sweep');
const base = createReconciliationDeps();

/**
 * S3 GetObject of one export file. `@aws-sdk/client-s3` is not a dependency of this repository: the
 * Lambda Node.js runtime provides it (the bundler leaves `@aws-sdk/*` out), and only the AWS form of
 * the sweep calls this.
 */
const readExportFile: ExportFileReader = async (bucket, key) => {
  const moduleName = '@aws-sdk/client-s3';
  const s3 = (await import(moduleName)) as {
    S3Client: new (c: object) => {
      send(c: unknown): Promise<{ Body?: { transformToByteArray(): Promise<Uint8Array> } }>;
    };
    GetObjectCommand: new (i: { Bucket: string; Key: string }) => unknown;
  };
  const out = await new s3.S3Client({}).send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
};

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
