import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { DynaliteMode } from '../local/aws/dynamodb';
import { startLocalStack } from '../local/stack/local-stack';
import { DECISION_SCENARIOS } from '../local/pismo-simulator/scenarios';
import type { BenchEntry } from './bench-report';
import { drive, type LoadResult } from './decision-bench';

const CALLERS = 50;
const REQUESTS = 600;
const PAIRS = 2;

/**
 * One probe: a local stack with dynalite `mode`, decisions through the gateway at 50 concurrent
 * callers. Runs in its own process (one stack per process); prints its result as one JSON line.
 */
export async function saturationProbe(mode: DynaliteMode): Promise<void> {
  const stack = await startLocalStack({ logLevel: 'ERROR', dynaliteMode: mode });
  const target = new URL(`${stack.url}/pismo/tokenization-decisions`);
  const bodies = DECISION_SCENARIOS.map((s) => JSON.stringify(s.request));
  const signed = (n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const body = bodies[i % bodies.length] ?? '';
        return {
          body,
          headers: { ...(await stack.pismo.headers(body)), 'content-length': String(Buffer.byteLength(body)) },
        };
      }),
    );
  await drive(target, await signed(CALLERS * 4), CALLERS); // warm sockets and JIT
  const load = await drive(target, await signed(REQUESTS), CALLERS);
  await stack.stop();
  const { latencies: _, ...summary } = load;
  process.stdout.write(`${JSON.stringify({ probe: mode, ...summary })}\n`);
}

function runProbe(mode: DynaliteMode): Omit<LoadResult, 'latencies'> {
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, path.join(__dirname, 'run.ts'), 'saturation-probe', mode],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('{"probe"'));
  if (run.status !== 0 || !line) throw new Error(`saturation probe (${mode}) failed`);
  return JSON.parse(line) as Omit<LoadResult, 'latencies'>;
}

/**
 * Saturation throughput at 50 callers with dynalite in the stack's process (before) and in its own
 * process (after), in the same run: probes alternate so the machine's drift hits both alike.
 */
export async function benchSaturation(): Promise<BenchEntry[]> {
  const results: Record<DynaliteMode, Omit<LoadResult, 'latencies'>[]> = { 'in-process': [], process: [] };
  for (let pair = 0; pair < PAIRS; pair++) {
    const order: DynaliteMode[] = pair % 2 ? ['process', 'in-process'] : ['in-process', 'process'];
    for (const mode of order) results[mode].push(runProbe(mode));
  }
  const r = (n: number) => Math.round(n * 10) / 10;
  const describe = (mode: DynaliteMode) =>
    results[mode].map((x) => `${Math.round(x.rate)} req/s, p99 ${r(x.p99)} ms, ${x.errors} errors`).join('; ');
  const rate = (mode: DynaliteMode) => results[mode].reduce((sum, x) => sum + x.rate, 0) / results[mode].length;
  return [
    {
      name: `decisions/s at ${CALLERS} callers, dynalite in the stack's process (before)`,
      value: Math.round(rate('in-process')),
      unit: 'req/s',
      detail: describe('in-process'),
    },
    {
      name: `decisions/s at ${CALLERS} callers, dynalite in its own process (after)`,
      value: Math.round(rate('process')),
      unit: 'req/s',
      detail: describe('process'),
    },
    {
      name: 'saturation throughput after / before',
      value: Math.round((rate('process') / rate('in-process')) * 100) / 100,
      unit: '×',
      detail: `mean of ${PAIRS} alternated probes each, ${REQUESTS} requests per probe through the gateway`,
    },
  ];
}
