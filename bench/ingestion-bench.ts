import { Agent, request } from 'node:http';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { startLocalStack } from '../local/stack/local-stack';
import { applyTokenEvent, type TokenState } from '../shared/domain/token-state';
import { redactPismoEvent } from '../shared/adapters/pismo/redact-event';
import { eventLike, MDES_LIFECYCLE, type SeedEventName, VTS_LIFECYCLE } from '../local/seed/pismo-events';
import { toTokenEvent } from '../local/seed/token-events';
import { alternate, type BenchEntry, median } from './bench-report';

const LIFECYCLE: SeedEventName[] = [...MDES_LIFECYCLE, ...VTS_LIFECYCLE];

/** `count` lifecycles re-addressed to fresh ids under `tag`, flattened in delivery order. */
export function events(tag: string, count: number) {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    for (const name of LIFECYCLE) {
      const e = eventLike(name, {});
      out.push(
        eventLike(name, {
          eventId: `${String(e.event_id)}-${tag}${i}`,
          tokenId: `${String(e.data.token_id)}${tag}${i}`,
          cardId: `${String(e.data.card_id)}${tag}${i}`,
        }),
      );
    }
  }
  return out;
}

interface FloorOp {
  tokenId: string;
  state: TokenState;
  expectedVersion?: number;
  timelineItem: Record<string, unknown>;
  /** The challenge item an AC / VTS_PASSCODE event adds. */
  challengeItem?: Record<string, unknown>;
}

/** The exact items the real path writes, precomputed outside the timed loop. */
export function floorOps(raw: Record<string, unknown>[]): FloorOp[] {
  const states = new Map<string, { state: TokenState; version: number }>();
  return raw.map((r) => {
    const e = toTokenEvent(r);
    const tokenId = e.tokenId ?? '';
    const current = states.get(tokenId);
    const { state } = applyTokenEvent(current?.state, e);
    states.set(tokenId, { state, version: (current?.version ?? 0) + 1 });
    const challenge = ['AC', 'VTS_PASSCODE'].includes(e.callMethod)
      ? {
          PK: `TOKEN#${tokenId}`,
          SK: `CHALLENGE#ch-${e.eventId}`,
          challengeId: `ch-${e.eventId}`,
          tokenId,
          status: 'PENDING',
          sealedOtp: 'AQAAsealed-code-placeholder-of-a-kms-ciphertext',
          createdAt: e.occurredAt,
          attempts: 0,
        }
      : undefined;
    return {
      tokenId,
      state,
      challengeItem: challenge,
      expectedVersion: current?.version,
      timelineItem: {
        PK: `TOKEN#${tokenId}`,
        SK: `EVENT#${e.occurredAt}#${e.eventId}`,
        eventId: e.eventId,
        eventType: e.eventType,
        occurredAt: e.occurredAt,
        callMethod: e.callMethod,
        recognized: e.recognized,
        status: e.status,
        facts: e.facts,
        payload: JSON.stringify(redactPismoEvent(r)),
        receivedAt: new Date().toISOString(),
      },
    };
  });
}

export async function floorEvent(doc: DynamoDBDocumentClient, table: string, op: FloorOp): Promise<void> {
  await doc.send(
    new GetCommand({ TableName: table, Key: { PK: `TOKEN#${op.tokenId}`, SK: 'STATE' }, ConsistentRead: true }),
  );
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        PK: `TOKEN#${op.tokenId}`,
        SK: 'STATE',
        ...op.state,
        version: (op.expectedVersion ?? 0) + 1,
        updatedAt: new Date().toISOString(),
        GSI1PK: `CARD#${op.state.facts.cardId}`,
        GSI1SK: `TOKEN#${op.tokenId}`,
        // The same index keys the store writes (GSI2 once the TUR is known).
        ...(op.state.facts.tokenUniqueReference
          ? { GSI2PK: `TUR#${op.state.facts.tokenUniqueReference}`, GSI2SK: `TOKEN#${op.tokenId}` }
          : {}),
      },
      ConditionExpression: op.expectedVersion === undefined ? 'attribute_not_exists(PK)' : 'version = :v',
      ExpressionAttributeValues: op.expectedVersion === undefined ? undefined : { ':v': op.expectedVersion },
    }),
  );
  if (op.challengeItem) {
    await doc.send(
      new PutCommand({ TableName: table, Item: op.challengeItem, ConditionExpression: 'attribute_not_exists(PK)' }),
    );
  }
  await doc.send(
    new PutCommand({ TableName: table, Item: op.timelineItem, ConditionExpression: 'attribute_not_exists(PK)' }),
  );
}

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
      awsRegion: 'us-east-1',
    })),
  };
}

/** Event ingestion through the HTTP route and the SQS handler, each against its store floor. */
export async function benchIngestion(rounds = 30, lifecyclesPerRound = 3): Promise<BenchEntry[]> {
  // Ingestion alone: challenges are stored (as in production) but no ID&V executions run meanwhile.
  const stack = await startLocalStack({ logLevel: 'ERROR', startWorkflows: false });
  const doc = DynamoDBDocumentClient.from(stack.dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  const consumer = stack.model.queueConsumers[0];
  if (!consumer) throw new Error('no queue consumer in the template');
  // A plain keep-alive HTTP client: the figure is about our path, not about fetch's own overhead.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(`${stack.url}/pismo/events`);
  // Pismo signs each webhook; signing is Pismo's cost, so it happens before the clock starts.
  const sign = (events: unknown[]) =>
    Promise.all(
      events.map(async (e) => {
        const body = JSON.stringify(e);
        return {
          body,
          headers: { ...(await stack.pismo.headers(body)), 'content-length': String(Buffer.byteLength(body)) },
        };
      }),
    );
  const post = (signed: { body: string; headers: Record<string, string> }) =>
    new Promise<void>((resolve, reject) => {
      const { body, headers } = signed;
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  // Warm up every path (JIT, keep-alive sockets, handler cold start).
  for (const e of await sign(events('w', 2))) await post(e);
  for (const op of floorOps(events('wf', 2))) await floorEvent(doc, stack.tableName, op);
  await stack.invoke(consumer.functionId, sqsEvent(events('ws', 1).map((e) => JSON.stringify(e))));

  const http: number[] = [];
  const httpFloor: number[] = [];
  const sqs: number[] = [];
  const sqsFloor: number[] = [];
  const counted = { http: { reads: 0, writes: 0, events: 0 }, sqs: { reads: 0, writes: 0, events: 0 } };
  const count = async (path: 'http' | 'sqs', events: number) => {
    const c = await stack.dynamo.calls();
    counted[path].reads += (c.get('GetItem') ?? 0) + (c.get('Query') ?? 0);
    counted[path].writes += (c.get('PutItem') ?? 0) + (c.get('UpdateItem') ?? 0);
    counted[path].events += events;
  };
  for (let round = 0; round < rounds; round++) {
    const httpEvents = await sign(events(`h${round}`, lifecyclesPerRound));
    const httpOps = floorOps(events(`hf${round}`, lifecyclesPerRound));
    const runHttp = async () => {
      await stack.dynamo.resetCalls();
      const t = performance.now();
      for (const e of httpEvents) await post(e);
      http.push((performance.now() - t) / httpEvents.length);
      await count('http', httpEvents.length);
    };
    const runHttpFloor = async () => {
      const t = performance.now();
      for (const op of httpOps) await floorEvent(doc, stack.tableName, op);
      httpFloor.push((performance.now() - t) / httpOps.length);
    };
    await alternate(round, runHttp, runHttpFloor);

    // SQS: batches of 10; the handler runs a batch's tokens concurrently and each token's events in
    // order, so the floor issues the same calls with the same concurrency.
    const sqsBatches = chunk(
      events(`s${round}`, lifecyclesPerRound).map((e) => JSON.stringify(e)),
      consumer.batchSize,
    );
    const sqsOps = chunk(floorOps(events(`sf${round}`, lifecyclesPerRound)), consumer.batchSize);
    const runSqs = async () => {
      await stack.dynamo.resetCalls();
      const t = performance.now();
      for (const b of sqsBatches) {
        const res = (await stack.invoke(consumer.functionId, sqsEvent(b))) as { batchItemFailures: unknown[] };
        if (res.batchItemFailures.length) throw new Error('bench batch had failures');
      }
      sqs.push((performance.now() - t) / sqsBatches.flat().length);
      await count('sqs', sqsBatches.flat().length);
    };
    const runSqsFloor = async () => {
      const t = performance.now();
      for (const b of sqsOps) {
        const chains = new Map<string, Promise<void>>();
        for (const op of b)
          chains.set(
            op.tokenId,
            (chains.get(op.tokenId) ?? Promise.resolve()).then(() => floorEvent(doc, stack.tableName, op)),
          );
        await Promise.all(chains.values());
      }
      sqsFloor.push((performance.now() - t) / sqsOps.flat().length);
    };
    await alternate(round, runSqs, runSqsFloor);
  }
  agent.destroy();
  await stack.stop();

  const r = (n: number) => Math.round(n * 1000) / 1000;
  return [
    ...(['http', 'sqs'] as const).flatMap((p) => [
      {
        name: `DynamoDB writes per event (${p} path)`,
        value: r(counted[p].writes / counted[p].events),
        unit: 'writes',
        target: 3,
      },
      {
        name: `DynamoDB reads per event (${p} path)`,
        value: r(counted[p].reads / counted[p].events),
        unit: 'reads',
        target: 1,
      },
    ]),
    {
      name: 'HTTP ingestion time / store floor',
      value: r(pairedRatio(http, httpFloor)),
      unit: '×',
      target: 1.4,
      detail: `median ${r(median(http))} ms vs floor ${r(median(httpFloor))} ms per event, ${rounds} rounds × ${lifecyclesPerRound * LIFECYCLE.length} events`,
    },
    {
      name: 'SQS batch ingestion time / store floor',
      value: r(pairedRatio(sqs, sqsFloor)),
      unit: '×',
      target: 1.25,
      detail: `median ${r(median(sqs))} ms vs floor ${r(median(sqsFloor))} ms per event, batches of ${consumer.batchSize}`,
    },
  ];
}

/**
 * Median of the per-round path/floor ratios. Each round runs its path and floor back to back, so
 * the shared machine's speed drift (large on this workplace) cancels within a round.
 */
function pairedRatio(path: number[], floor: number[]): number {
  return median(path.map((p, i) => p / (floor[i] ?? p)));
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
