import { Agent, request as httpRequest } from 'node:http';
import { startLocalStack } from '../local/stack/local-stack';
import { eventLike } from '../local/seed/pismo-events';
import { SIMULATED_CLIENT } from '../local/pismo-simulator/server';
import { PismoTokenOperationsClient } from '../shared/adapters/pismo/token-operations';
import { alternate, type BenchEntry, median, percentile } from './bench-report';

const r = (n: number) => Math.round(n * 100) / 100;
const CARD = '5271995';
const ACCOUNT = '100002000';

/**
 * A lifecycle action (`POST /tokens/{id}/suspend` through the local gateway: JWT, token read, audit
 * PENDING and DONE, timeline entry, Pismo token operation with a cached account token) as a ratio to
 * the Pismo simulator call alone (the same operation with the token-operations client), in paired
 * rounds of one run; and the single-caller p99 of the action. The simulator's events are not
 * delivered (our status stays active) and the simulator's token is reset to ACTIVE between calls, so
 * every call is the same suspend.
 */
export async function benchLifecycle(rounds = 20, perRound = 20): Promise<BenchEntry[]> {
  const stack = await startLocalStack({ logLevel: 'ERROR' });
  const ops = stack.pismo.tokenOperations;
  ops.onEvent = undefined;
  const tokenId = '93001';
  const event = eventLike('vts-token-resume', { eventId: 'bench-lc', tokenId, timestamp: new Date().toISOString() });
  event.data.account_id = Number(ACCOUNT);
  await stack.pismo.send(`${stack.url}/pismo/events`, event);
  const simToken = ops.provision({ tokenId, cardId: CARD, accountId: ACCOUNT, network: 'vts' });
  const reset = () => {
    simToken.status = 'ACTIVE';
    simToken.history.length = 0;
    ops.events.length = 0;
    ops.requests.length = 0;
  };
  const officer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'bench',
    name: 'Bench',
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(`${stack.url}/tokens/${tokenId}/suspend`);
  const body = JSON.stringify({ reason: 'OTHER', comment: 'bench' });
  const action = () =>
    new Promise<number>((resolve) => {
      reset();
      const t = performance.now();
      const req = httpRequest(
        {
          agent,
          method: 'POST',
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 202 ? performance.now() - t : -1));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(body);
    });
  const client = new PismoTokenOperationsClient({
    baseUrl: `${stack.pismo.apiUrl}/cards-tokenization`,
    authUrl: stack.pismo.apiUrl,
    clientId: SIMULATED_CLIENT.id,
    clientSecret: SIMULATED_CLIENT.secret,
    retries: 0,
  });
  const direct = async () => {
    reset();
    await client.performTokenOperation(
      { accountId: ACCOUNT, cardId: CARD, tokenId },
      { operationType: 'SUSPEND', reason: 'OTHER: bench', operatorId: 'opbench' },
    );
  };
  for (let i = 0; i < 20; i++) {
    if ((await action()) < 0) throw new Error('the lifecycle action failed during warm-up');
    await direct();
  }

  const ratios: number[] = [];
  const actionMs: number[] = [];
  const directMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let path = 0;
    let floor = 0;
    await alternate(
      round,
      async () => {
        const t = performance.now();
        for (let i = 0; i < perRound; i++) await action();
        path = (performance.now() - t) / perRound;
      },
      async () => {
        const t = performance.now();
        for (let i = 0; i < perRound; i++) await direct();
        floor = (performance.now() - t) / perRound;
      },
    );
    ratios.push(path / floor);
    actionMs.push(path);
    directMs.push(floor);
  }
  const entries: BenchEntry[] = [
    {
      name: 'Lifecycle action (POST /tokens/{id}/suspend, Visa → Pismo) time / the Pismo simulator call alone',
      value: r(median(ratios)),
      unit: '×',
      detail: `${r(median(actionMs))} vs ${r(median(directMs))} ms per call, median of ${rounds} paired rounds of ${perRound}`,
    },
  ];

  const latencies: number[] = [];
  let errors = 0;
  for (let i = 0; i < 300; i++) {
    const ms = await action();
    if (ms < 0) errors++;
    else latencies.push(ms);
  }
  latencies.sort((a, b) => a - b);
  entries.push({
    name: 'Lifecycle action p99, single caller (JWT, token read, audit PENDING + DONE, timeline, Pismo call)',
    value: r(percentile(latencies, 99)),
    unit: 'ms',
    detail: `p50 ${r(percentile(latencies, 50))} ms, p95 ${r(percentile(latencies, 95))} ms, ${errors} errors over 300 sequential requests`,
  });
  agent.destroy();
  await stack.stop();
  return entries;
}
