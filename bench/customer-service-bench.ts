import { Agent, request as httpRequest } from 'node:http';
import { startLocalStack } from '../local/stack/local-stack';
import { MdesSimulator, SEED_TUR } from '../local/mdes-simulator/server';
import { MdesCustomerServiceClient } from '../shared/adapters/mdes/client';
import { alternate, type BenchEntry, median, percentile } from './bench-report';
import { AUDIT, clientIdentity, mdesClient } from '../local/mdes-simulator/test-clients';

const r = (n: number) => Math.round(n * 100) / 100;

/**
 * MDES client overhead (validation + OAuth 1.0a signing + optional JWE + response parsing) as a
 * ratio to an unsigned request with the same body to the same simulator, and the Customer Service
 * API's latency through the local gateway at 10 concurrent callers.
 */
export async function benchCustomerService(rounds = 20, perRound = 50): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  const sim = await MdesSimulator.start();
  // Server work must be equal on both sides: signatures are not verified here (the client still signs).
  sim.verifySignatures = false;
  const identity = clientIdentity(sim);
  const plain = mdesClient(sim, identity, { retries: 0, timeoutMs: 5000 });
  const encrypted = mdesClient(sim, identity, { retries: 0, timeoutMs: 5000, encryption: true });
  const request = { TokenUniqueReference: SEED_TUR, AuditInfo: AUDIT };
  const unsigned = async (path: string, body: string) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
    });
    await res.json();
  };
  const searchBody = JSON.stringify(MdesCustomerServiceClient.buildBody('search', request));
  for (const [label, client] of [
    ['signed', plain],
    ['signed + JWE', encrypted],
  ] as const) {
    const ratios: number[] = [];
    const clientMs: number[] = [];
    const rawMs: number[] = [];
    for (let i = 0; i < 20; i++) await client.search(request); // warm up (keys imported, JIT)
    for (let round = 0; round < rounds; round++) {
      let path = 0;
      let floor = 0;
      await alternate(
        round,
        async () => {
          const t = performance.now();
          for (let i = 0; i < perRound; i++) await client.search(request);
          path = (performance.now() - t) / perRound;
        },
        async () => {
          const t = performance.now();
          for (let i = 0; i < perRound; i++) await unsigned('/search', searchBody);
          floor = (performance.now() - t) / perRound;
        },
      );
      ratios.push(path / floor);
      clientMs.push(path);
      rawMs.push(floor);
    }
    entries.push({
      name: `MDES client (${label}) Search time / unsigned request`,
      value: r(median(ratios)),
      unit: 'x',
      detail: `${r(median(clientMs))} vs ${r(median(rawMs))} ms per call, median of ${rounds} paired rounds of ${perRound}`,
    });
  }
  await sim.stop();

  const stack = await startLocalStack({ logLevel: 'ERROR' });
  const token = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'bench',
    name: 'Bench',
  });
  const url = new URL(`${stack.url}/cs/turs/${SEED_TUR}/status-history`);
  const csAgent = new Agent({ keepAlive: true, maxSockets: 10 });
  const get = () =>
    new Promise<number>((resolve) => {
      const t = performance.now();
      const req = httpRequest(
        {
          agent: csAgent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t : -1));
        },
      );
      req.on('error', () => resolve(-1));
      req.end();
    });
  for (let i = 0; i < 20; i++) await get();
  const total = 500;
  let left = total;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (left-- > 0) {
        const ms = await get();
        if (ms < 0) errors++;
        else latencies.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  entries.push({
    name: 'CS API p99 at 10 concurrent callers (GET status-history: JWT, token lookup, signed MDES call, audit + timeline writes)',
    value: r(percentile(latencies, 99)),
    unit: 'ms',
    detail: `p50 ${r(percentile(latencies, 50))} ms, p95 ${r(percentile(latencies, 95))} ms, ${errors} errors, ${Math.round(total / seconds)} req/s over ${total} requests`,
  });
  csAgent.destroy();
  await stack.stop();
  return entries;
}
