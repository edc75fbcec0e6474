import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadBaseConfig } from '../shared/config';
import { AppError, MalformedJsonError } from '../shared/domain/errors';
import { reportIngestOutcome } from '../shared/observability/ingest-report';
import { createObservability } from '../shared/observability/powertools';
import { DynamoTokenStore } from '../shared/store/token-store';
import { ingestPismoEvent } from '../shared/use-cases/ingest-pismo-event';

const config = loadBaseConfig();
const obs = createObservability('consume-pismo-events');
const store = new DynamoTokenStore(config.tableName);
const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  try {
    if (body === undefined) throw new MalformedJsonError();
    const outcome = await ingestPismoEvent(body, { store });
    reportIngestOutcome(obs, outcome, 'sqs');
  } catch (err) {
    // Failed records are retried by SQS and land on the DLQ after maxReceiveCount; the rest of the
    // batch is unaffected. Log the reason, never the body.
    obs.metrics.addMetric('EventsFailed', 'Count', 1);
    obs.logger.warn('event rejected', {
      messageId: record.messageId,
      receiveCount: record.attributes.ApproximateReceiveCount,
      error: err instanceof Error ? err.name : 'Error',
      reason: err instanceof AppError && err.expose ? err.message : undefined,
      details: err instanceof AppError && err.expose ? err.details?.slice(0, 10) : undefined,
    });
    throw err;
  }
}

/** SQS consumer of Pismo data events (fed by SNS and EventBridge), with partial batch failures. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .use(logMetrics(obs.metrics))
  .handler(async (event: SQSEvent, context: Context) =>
    processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false }),
  );
