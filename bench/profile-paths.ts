import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startLocalStack } from '../local/stack/local-stack';
import { DECISION_SCENARIOS } from '../local/pismo-simulator/scenarios';
import { drive } from './decision-bench';
import { events } from './ingestion-bench';

/**
 * `npx tsx bench/profile-paths.ts decision|ingestion [n] [out.cpuprofile] [http]`: drives one handler path
 * in-process (no HTTP client) and writes a CPU profile of the driven part only (not the stack's start).
 */
async function main() {
  const which = process.argv[2] ?? 'decision';
  const n = Number(process.argv[3] ?? 2000);
  const stack = await startLocalStack({ logLevel: 'ERROR', startWorkflows: false });
  const routeKey = which === 'decision' ? 'POST /pismo/tokenization-decisions' : 'POST /pismo/events';
  const route = stack.model.routes.find((x) => x.routeKey === routeKey);
  if (!route) throw new Error(`route ${routeKey} missing`);
  const bodies =
    which === 'decision'
      ? Array.from({ length: n }, (_, i) => JSON.stringify(DECISION_SCENARIOS[i % DECISION_SCENARIOS.length]?.request))
      : events('p', Math.ceil(n / 9)).map((e) => JSON.stringify(e));
  const signed = await Promise.all(bodies.map(async (body) => ({ body, headers: await stack.pismo.headers(body) })));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const t = performance.now();
  // `decision-http`: through the local gateway with 50 callers, as the saturation figure drives it.
  if (process.argv[5] === 'http')
    await drive(
      new URL(`${stack.url}${route.routeKey.split(' ')[1] ?? ''}`),
      signed.map((x) => ({ ...x, headers: { ...x.headers, 'content-length': String(Buffer.byteLength(x.body)) } })),
      50,
    );
  else
    for (const req of signed) {
      await stack.invoke(route.functionId, {
        version: '2.0',
        routeKey: route.routeKey,
        rawPath: route.routeKey.split(' ')[1],
        rawQueryString: '',
        headers: req.headers,
        body: req.body,
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST' }, requestId: 'profile' },
      });
    }
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(process.argv[4] ?? `${which}.cpuprofile`, JSON.stringify(profile));
  session.disconnect();
  console.log(`${which}: ${((performance.now() - t) / signed.length).toFixed(2)} ms per call over ${signed.length}`);
  await stack.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
