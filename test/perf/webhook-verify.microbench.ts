/**
 * Micro-benchmark of Pismo webhook JWT verification (issue 10 §9): ms per verify, RS256 and ES256,
 * keys already fetched (the warm path). Run: `npx tsx test/perf/webhook-verify.microbench.ts`.
 * Not a jest test (no `.test.ts`): figures depend on the machine's load.
 */
import { PISMO_WEBHOOK_DEFAULTS } from '../../shared/config';
import { createPismoWebhookVerifier, type PismoWebhookAuthConfig } from '../../shared/adapters/pismo/webhook-auth';
import { newSigningKey, PismoSimulator, SIMULATED_ISSUER, SIMULATED_ORG_ID } from '../../local/pismo-simulator/server';

const N = Number(process.env.N ?? 1000);
const ROUNDS = 11;
/** CPU time of this process (ms): far less sensitive than wall-clock to other load on a shared machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main() {
  const sim = await PismoSimulator.start();
  const body = Buffer.from(JSON.stringify({ network_brand: 'mdes', card: { id: 1 }, pad: 'x'.repeat(2000) }));
  const config: PismoWebhookAuthConfig = {
    jwksUrl: sim.jwksUrl,
    algorithms: PISMO_WEBHOOK_DEFAULTS.algorithms.split(','),
    orgId: SIMULATED_ORG_ID,
    issuer: SIMULATED_ISSUER,
    route: 'decisions',
    clockToleranceSeconds: 5,
    maxTokenAgeSeconds: 300,
    jwksCooldownMs: 0,
    jwksCacheMaxAgeMs: 3_600_000,
  };
  for (const alg of ['RS256', 'ES256'] as const) {
    sim.rotateTo(await newSigningKey(alg));
    const verify = createPismoWebhookVerifier(config);
    const tokens = await Promise.all(Array.from({ length: N }, async () => `Bearer ${await sim.sign(body)}`));
    for (const t of tokens.slice(0, 200)) await verify(t, body); // fetch keys, warm the JIT
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const startedCpu = cpuMs();
      for (const t of tokens) await verify(t, body);
      cpu.push((cpuMs() - startedCpu) / N);
      wall.push((performance.now() - started) / N);
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]?.toFixed(4);
    console.log(`${alg}: median ${median(cpu)} ms CPU, ${median(wall)} ms wall per verify over ${ROUNDS}×${N}`);
  }
  await sim.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
