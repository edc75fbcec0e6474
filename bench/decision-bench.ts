import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { loadPismoWebhookConfig } from '../shared/config';
import { createPismoWebhookVerifier } from '../shared/adapters/pismo/webhook-auth';
import { startLocalStack } from '../local/stack/local-stack';
import { DECISION_SCENARIOS } from '../local/pismo-simulator/scenarios';
import { alternate, type BenchEntry, median, percentile } from './bench-report';

const r = (n: number) => Math.round(n * 100) / 100;

/** A signed request, ready to send. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** What a closed-loop load run measured (latencies in ms, ascending; rate in req/s). */
export interface LoadResult {
  latencies: number[];
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  rate: number;
}

/**
 * Closed-loop load: `concurrency` callers each send the next queued request as soon as their last
 * one answered, over keep-alive HTTP to `target` (a 200 counts), or through `call` in-process.
 */
export async function drive(
  target: URL | undefined,
  queue: SignedRequest[],
  concurrency: number,
  call?: (req: SignedRequest) => Promise<void>,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = (req: SignedRequest) =>
    new Promise<boolean>((resolve) => {
      if (call) {
        call(req).then(
          () => resolve(true),
          () => resolve(false),
        );
        return;
      }
      const out = request(
        {
          agent,
          host: target?.hostname,
          port: target?.port,
          path: target?.pathname,
          method: 'POST',
          headers: req.headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        },
      );
      out.on('error', () => resolve(false));
      out.end(req.body);
    });
  const pending = [...queue];
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        const t = performance.now();
        if (await send(next)) latencies.push(performance.now() - t);
        else errors++;
      }
    }),
  );
  const rate = queue.length / ((performance.now() - started) / 1000);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    latencies,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors,
    rate,
  };
}

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
    await drive(target, await signed(concurrency * 2), concurrency); // warm sockets and JIT
    const load = await drive(target, await signed(requestsPerLevel), concurrency);
    entries.push({
      name: `decision p99 at ${concurrency} concurrent caller(s)`,
      value: r(load.p99),
      unit: 'ms',
      target: concurrency === 1 ? 20 : undefined,
      detail: `p50 ${r(load.p50)} ms, p95 ${r(load.p95)} ms, ${load.errors} errors, ${Math.round(load.rate)} req/s over ${requestsPerLevel} requests`,
    });
  }

  // Handler time vs a floor handler: verify the JWT, the same card query, the same decision put.
  const verify = createPismoWebhookVerifier(loadPismoWebhookConfig(process.env, 'decisions'));
  const doc = DynamoDBDocumentClient.from(stack.dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  const record = {
    decisionId: 'x',
    decision: 'APPROVED',
    reasonCodes: [],
    firedRules: [],
    latencyMs: 1,
    ruleSetVersion: 'default-v1',
  };
  // The replay memory (issue 11 §2) is necessary work since webhook tokens are bound to us: the floor
  // claims the token id beside the query and saves the answer beside the record, as the use case does.
  const floor = async (body: string, authorization: string) => {
    const call = await verify(authorization, Buffer.from(body));
    // Its own key: the handler already claimed this token id in its round.
    const jti = `JTI#floor#${call.replayKey}`;
    await Promise.all([
      doc.send(
        new QueryCommand({
          TableName: stack.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': 'CARD#4995608' },
          Limit: 100,
        }),
      ),
      doc.send(
        new PutCommand({
          TableName: stack.tableName,
          Item: { PK: jti, SK: 'JTI', expiresAt: 1 },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    ]);
    await Promise.all([
      doc.send(
        new PutCommand({
          TableName: stack.tableName,
          Item: { PK: 'TOKEN#27001', SK: `DECISION#${new Date().toISOString()}#${Math.random()}`, ...record },
        }),
      ),
      doc.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: { PK: jti, SK: 'JTI' },
          UpdateExpression: 'SET answer = :a',
          ExpressionAttributeValues: { ':a': '{"decision":"APPROVED"}' },
        }),
      ),
    ]);
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
  // At 50 callers the local process saturates, so the figure that says something about our path is
  // its p99 against a floor that takes the same HTTP hop: a bare node:http server on loopback doing
  // the floor's work (JWT verify, the same query, the same put), driven by the same client. Gateway
  // and floor alternate, twice each, so drift hits both alike; each p99 is over both of its runs.
  const floorServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      floor(Buffer.concat(chunks).toString(), String(req.headers.authorization ?? '')).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"decision":"APPROVED"}'),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => floorServer.listen(0, '127.0.0.1', resolve));
  const floorTarget = new URL(`http://127.0.0.1:${(floorServer.address() as AddressInfo).port}/`);
  await drive(floorTarget, await signed(100), 50);
  const at50 = { path: [] as number[], floor: [] as number[], pathRate: [] as number[], floorRate: [] as number[] };
  for (let round = 0; round < 2; round++) {
    await alternate(
      round,
      async () => {
        const load = await drive(target, await signed(requestsPerLevel), 50);
        at50.path.push(...load.latencies);
        at50.pathRate.push(load.rate);
      },
      async () => {
        const load = await drive(floorTarget, await signed(requestsPerLevel), 50);
        at50.floor.push(...load.latencies);
        at50.floorRate.push(load.rate);
      },
    );
  }
  await new Promise<void>((resolve) => floorServer.close(() => resolve()));
  const p99 = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      99,
    );
  entries.push({
    name: 'decision p99 / floor p99 at 50 concurrent callers (both over HTTP)',
    value: r(p99(at50.path) / p99(at50.floor)),
    unit: '×',
    target: 1.2,
    detail: `${r(p99(at50.path))} vs ${r(p99(at50.floor))} ms; ${Math.round(median(at50.pathRate))} vs ${Math.round(median(at50.floorRate))} req/s; 2 × ${requestsPerLevel} requests each, alternated`,
  });
  // The same floor in-process (no HTTP), for context: what the store alone allows.
  const inProcess = await drive(undefined, await signed(requestsPerLevel), 50, (req) =>
    floor(req.body, req.headers.authorization ?? ''),
  );
  entries.push({
    name: 'floor p99 at 50 concurrent callers (in-process, no HTTP)',
    value: r(inProcess.p99),
    unit: 'ms',
    detail: `p50 ${r(inProcess.p50)} ms, ${Math.round(inProcess.rate)} req/s`,
  });
  entries.push({
    name: 'decision handler time / floor (JWT verify + same query and jti claim + same put and answer save)',
    value: r(median(handlerTimes.map((h, i) => h / (floorTimes[i] ?? h)))),
    unit: '×',
    target: 1.25,
    detail: `median ${r(median(handlerTimes))} ms vs floor ${r(median(floorTimes))} ms per call, median of ${ROUNDS} paired rounds of ${PER_ROUND}`,
  });
  await stack.stop();
  return entries;
}
