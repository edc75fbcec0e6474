import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalQueueConsumer } from '../model/model';

type Invoke = (functionId: string, event: unknown) => Promise<unknown>;

/** What became of a drained set of messages. */
export interface DrainResult {
  /** Message ids processed successfully, in order. */
  succeeded: string[];
  /** Bodies moved to the DLQ after maxReceiveCount failed receives. */
  deadLettered: { messageId: string; body: string; receiveCount: number }[];
  /** Consumer invocations made (batches). */
  invocations: number;
}

function record(messageId: string, body: string, receiveCount: number, queue: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle: `${messageId}#${receiveCount}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: 'us-east-1',
  };
}

/**
 * An SQS queue + event source mapping as the template configures them: batches of `batchSize`,
 * partial batch failures re-received, and a message moved to the DLQ once it has been received
 * `maxReceiveCount` times. Visibility timeouts are not simulated: failures are re-received at once.
 */
export async function drainQueue(consumer: LocalQueueConsumer, invoke: Invoke, bodies: string[]): Promise<DrainResult> {
  let pending = bodies.map((body) => ({ messageId: randomUUID(), body, receiveCount: 0 }));
  const result: DrainResult = { succeeded: [], deadLettered: [], invocations: 0 };
  while (pending.length) {
    const batch = pending.slice(0, consumer.batchSize);
    pending = pending.slice(consumer.batchSize);
    for (const m of batch) m.receiveCount++;
    const event: SQSEvent = {
      Records: batch.map((m) => record(m.messageId, m.body, m.receiveCount, consumer.queueLogicalId)),
    };
    result.invocations++;
    let failed: Set<string>;
    try {
      const response = (await invoke(consumer.functionId, event)) as SQSBatchResponse | undefined;
      failed = new Set(
        consumer.reportBatchItemFailures ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : [],
      );
    } catch {
      failed = new Set(batch.map((m) => m.messageId)); // a thrown invocation fails the whole batch
    }
    for (const m of batch) {
      if (!failed.has(m.messageId)) result.succeeded.push(m.messageId);
      else if (consumer.maxReceiveCount !== undefined && m.receiveCount >= consumer.maxReceiveCount) {
        result.deadLettered.push(m);
      } else pending.push(m);
    }
  }
  return result;
}
