import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadBaseConfig } from '../../shared/config';
import { AppError, MalformedJsonError } from '../../shared/domain/errors';
import { reportIngestOutcome } from '../../shared/events/report-outcome';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { createIngestDeps } from '../../shared/events/ingest-deps';
import { ingestPismoEvent } from '../../shared/events/ingest-pismo-event';

const config = loadBaseConfig();
const obs = createObservability('consume-pismo-events');
const deps = createIngestDeps(config.tableName);
const processor = new BatchProcessor(EventType.SQS);

function parseBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    return undefined;
  }
}

/**
 * Records of one token are applied in queue order; different tokens run concurrently. A pan_update
 * names its cards as old_card_id/new_card_id. Only ids are read here: the body is validated (depth
 * and size first) by the use case.
 */
function orderingKey(body: unknown, record: SQSRecord): string {
  const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
  const id = (key: string) => {
    const v = data?.[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const token = id('token_id');
  if (token !== undefined) return `token:${token}`;
  const card = id('card_id') ?? id('old_card_id');
  if (card !== undefined) return `card:${card}`;
  return `message:${record.messageId}`;
}

async function processRecord(record: SQSRecord, body: unknown): Promise<void> {
  try {
    if (body === undefined) throw new MalformedJsonError();
    const outcome = await ingestPismoEvent(body, deps);
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

/**
 * SQS consumer of Pismo data events (fed by SNS and EventBridge), with partial batch failures.
 * Serialising per token avoids optimistic-concurrency retries between records of one batch.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .use(logMetrics(obs.metrics))
  .handler(async (event: SQSEvent, context: Context) => {
    const chains = new Map<string, Promise<void>>();
    const recordHandler = (record: SQSRecord): Promise<void> => {
      const body = parseBody(record);
      const key = orderingKey(body, record);
      const next = (chains.get(key) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => processRecord(record, body));
      chains.set(key, next);
      return next;
    };
    return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  });
