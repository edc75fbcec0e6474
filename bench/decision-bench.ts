import { Agent, request } from 'node:http';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadPismoWebhookConfig } from '../shared/config';
import { createPismoWebhookVerifier } from '../shared/pismo/webhook-auth';
import { startLocalStack } from '../local/local-stack';
import { DECISION_SCENARIOS } from '../local/pismo-scenarios';
import { alternate, type BenchEntry, median, percentile } from './bench-report';

const r = (n: number) => Math.round(n * 100) / 100;

/** Decision latency through the local gateway at several concurrencies, and handler time vs its floor. */
export async function benchDecision(requestsPerLevel = 600): Promise<BenchEntry[]> {
  const stack = await startLocalStack({ logLevel: 'ERROR' });
  const route = stack.model.routes.find((x) => x.routeKey === 'POST /pismo/tokenization-decisions');
  if (!route) throw new Error('decision route missing');
  const target = new URL(`${stack.url}/pismo/tokenization-decisions`);
  const bodies = DECISION_SCENARIOS.map((s) => JSON.stringify(s.request));
  const entries: BenchEntry[] = [];

  // Signing is Pismo's cost, not ours: sign every request before the clock starts.
  const signed = async (n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const body = bodies[i % bodies.length] ?? '';
        const headers: Record<string, string> = {
          ...(await stack.pismo.headers(body)),
          'content-length': String(Buffer.byteLength(body)),
        };
        return { body, headers };
      }),
    );

  for (const concurrency of [1, 10, 50]) {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const send = (req: { body: string; headers: Record<string, string> }) =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        const call = request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers: req.headers,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t : -1));
          },
        );
        call.on('error', () => resolve(-1));
        call.end(req.body);
      });
    await Promise.all((await signed(concurrency * 2)).map(send)); // warm sockets and JIT
    const queue = await signed(requestsPerLevel);
    const latencies: number[] = [];
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const ms = await send(next);
          if (ms < 0) errors++;
          else latencies.push(ms);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const detail = `p50 ${r(percentile(latencies, 50))} ms, p95 ${r(percentile(latencies, 95))} ms, ${errors} errors, ${Math.round(requestsPerLevel / seconds)} req/s over ${requestsPerLevel} requests`;
    entries.push({
      name: `decision p99 at ${concurrency} concurrent caller(s)`,
      value: r(percentile(latencies, 99)),
      unit: 'ms',
      target: concurrency === 50 ? 25 : undefined,
      detail,
    });
  }

  // Handler time vs a floor handler: verify the JWT, the same card query, the same decision put.
  const verify = createPismoWebhookVerifier(loadPismoWebhookConfig());
  const doc = DynamoDBDocumentClient.from(stack.dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  const record = {
    decisionId: 'x',
    decision: 'APPROVED',
    reasonCodes: [],
    firedRules: [],
    latencyMs: 1,
    ruleSetVersion: 'default-v1',
  };
  const floor = async (body: string, authorization: string) => {
    await verify(authorization, Buffer.from(body));
    await doc.send(
      new QueryCommand({
        TableName: stack.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': 'CARD#4995608' },
        Limit: 100,
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: { PK: 'TOKEN#27001', SK: `DECISION#${new Date().toISOString()}#${Math.random()}`, ...record },
      }),
    );
  };
  // Many short paired rounds, ratio = median of the per-round ratios (as the ingestion bench): this
  // machine's load drifts within a run, and a ratio of two medians taken at different times drifts with it.
  const handlerTimes: number[] = [];
  const floorTimes: number[] = [];
  const ROUNDS = 24;
  const PER_ROUND = 30;
  const all = await signed(ROUNDS * PER_ROUND);
  for (let round = 0; round < ROUNDS; round++) {
    const batch = all.slice(round * PER_ROUND, (round + 1) * PER_ROUND);
    const runHandler = async () => {
      const t = performance.now();
      for (const req of batch) {
        await stack.invoke(route.functionId, {
          version: '2.0',
          routeKey: route.routeKey,
          rawPath: target.pathname,
          rawQueryString: '',
          headers: req.headers,
          body: req.body,
          isBase64Encoded: false,
          requestContext: { http: { method: 'POST' }, requestId: 'bench' },
        });
      }
      handlerTimes.push((performance.now() - t) / batch.length);
    };
    const runFloor = async () => {
      const t = performance.now();
      for (const req of batch) await floor(req.body, req.headers.authorization ?? '');
      floorTimes.push((performance.now() - t) / batch.length);
    };
    await alternate(round, runHandler, runFloor);
  }
  // The same floor driven by 50 concurrent callers: what the local store alone allows (Little's law).
  const floorQueue = await signed(requestsPerLevel);
  const floorLatencies: number[] = [];
  const floorStarted = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let next = floorQueue.shift(); next; next = floorQueue.shift()) {
        const t = performance.now();
        await floor(next.body, next.headers.authorization ?? '');
        floorLatencies.push(performance.now() - t);
      }
    }),
  );
  const floorRate = Math.round(requestsPerLevel / ((performance.now() - floorStarted) / 1000));
  floorLatencies.sort((a, b) => a - b);
  entries.push({
    name: 'floor p99 at 50 concurrent callers (in-process, no HTTP)',
    value: r(percentile(floorLatencies, 99)),
    unit: 'ms',
    detail: `p50 ${r(percentile(floorLatencies, 50))} ms, ${floorRate} req/s: the dynalite stand-in's ceiling`,
  });
  entries.push({
    name: 'decision handler time / floor (JWT verify + same query + same put)',
    value: r(median(handlerTimes.map((h, i) => h / (floorTimes[i] ?? h)))),
    unit: '×',
    target: 1.5,
    detail: `median ${r(median(handlerTimes))} ms vs floor ${r(median(floorTimes))} ms per call, median of ${ROUNDS} paired rounds of ${PER_ROUND}`,
  });
  await stack.stop();
  return entries;
}
