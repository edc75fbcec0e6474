import { randomUUID } from 'node:crypto';
import { DynamoTokenStore } from '../shared/adapters/dynamo/token-store';
import { PismoTokenOperationsClient } from '../shared/adapters/pismo/token-operations';
import type { TokenState } from '../shared/domain/token-state';
import { SIMULATED_CLIENT } from '../local/pismo-simulator/server';
import type { PismoTokenEvent } from '../local/pismo-simulator/token-operations';
import { cardScenarioEvent } from '../local/seed/card-events';
import { startLocalStack } from '../local/stack/local-stack';
import { alternate, type BenchEntry, median, percentile } from './bench-report';

const r = (n: number) => Math.round(n * 100) / 100;
const ACCOUNT = '100002000';
/** The card workflow's Map concurrency (infra/constructs/cards.ts): the floor calls Pismo as wide. */
const MAP_CONCURRENCY = 10;

/**
 * Issue 14: a Pismo `cards` `update` BLOCKED event (signed, `POST /pismo/events`) → all N active
 * Visa tokens of the card SUSPENDED in the Pismo simulator, through the whole path: ingestion, the
 * card lifecycle workflow (plan stored, Map of N units, each through the lifecycle use case: status
 * rules, audit PENDING and DONE, timeline, Pismo token operation). Timed from the request to the
 * simulator's N-th applied suspend, for N = 1, 10, 50; p50/p99 per N; the ratio to the floor (the
 * same N Pismo calls made directly with the token-operations client, 10 at a time as the Map) in
 * paired rounds; and Pismo calls per token (every request to the simulator's tokenization API,
 * account tokens included), asserted ≤ 1. The simulator's `patch` events are not delivered (our
 * store keeps the tokens active), so every round is the same suspend of N active tokens.
 */
export async function benchCards(samples = { 1: 40, 10: 30, 50: 16 } as Record<number, number>): Promise<BenchEntry[]> {
  const stack = await startLocalStack({ logLevel: 'ERROR' });
  const ops = stack.pismo.tokenOperations;
  // One account token for the whole run: calls per token count what a card event costs, not a renewal.
  ops.tokenLifetimeSeconds = 3600;
  const store = new DynamoTokenStore(stack.tableName, stack.dynamo.client);
  const client = new PismoTokenOperationsClient({
    baseUrl: `${stack.pismo.apiUrl}/cards-tokenization`,
    authUrl: stack.pismo.apiUrl,
    clientId: SIMULATED_CLIENT.id,
    clientSecret: SIMULATED_CLIENT.secret,
    retries: 0,
  });
  const entries: BenchEntry[] = [];
  let worstCallsPerToken = 0;

  for (const n of [1, 10, 50]) {
    const cardId = String(810_000_000 + n);
    const tokenIds = Array.from({ length: n }, (_, i) => String(900_000 + n * 1000 + i));
    const at = new Date().toISOString();
    for (const tokenId of tokenIds) {
      const state: TokenState = {
        tokenId,
        status: 'active',
        statusAt: at,
        facts: { cardId, accountId: ACCOUNT, network: 'VTS' },
        clocks: { status: `0#${at}#bench-${tokenId}` },
        firstEventAt: at,
        lastEventAt: at,
      };
      await store.putTokenState(state, (await store.getTokenState(tokenId))?.version);
      ops.provision({ tokenId, cardId, accountId: ACCOUNT, network: 'vts' });
    }
    const reset = () => {
      for (const t of tokenIds) {
        const sim = ops.tokens.get(t);
        if (sim) {
          sim.status = 'ACTIVE';
          sim.history.length = 0;
        }
      }
      ops.events.length = 0;
    };
    /** One card event, timed to the simulator's n-th applied suspend; returns ms and Pismo requests. */
    const cardEvent = async (): Promise<{ ms: number; calls: number }> => {
      reset();
      let suspended = 0;
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      ops.onEvent = (event: PismoTokenEvent) => {
        if (event.data.patch.status === 'SUSPENDED' && ++suspended === n) done();
      };
      const body = JSON.stringify(cardScenarioEvent('card-blocked', cardId, randomUUID()));
      const headers = await stack.pismo.headers(body, { audience: '/pismo/events' });
      const before = ops.requests.length;
      const t = performance.now();
      const res = await fetch(`${stack.url}/pismo/events`, { method: 'POST', headers, body });
      await res.text();
      if (res.status !== 202) throw new Error(`card event answered ${res.status}`);
      const timer = setTimeout(() => done(), 30_000);
      await all;
      clearTimeout(timer);
      if (suspended < n) {
        const last = [...stack.stepFunctions.executions.values()].at(-1);
        throw new Error(
          `N = ${n}: ${suspended} of ${n} tokens suspended in 30 s (execution ${last?.status} ${last?.error ?? ''}; ` +
            `plan ${JSON.stringify(await store.getCardPlan(cardId, last?.name.split('-').slice(2).join('-') ?? ''))})`,
        );
      }
      const ms = performance.now() - t;
      // Let the workflow finish its last units (their timeline writes) before the next event.
      await Promise.all([...stack.stepFunctions.executions.values()].map((e) => e.done));
      return { ms, calls: ops.requests.length - before };
    };
    const direct = async () => {
      reset();
      const queue = [...tokenIds];
      const worker = async () => {
        for (let t = queue.shift(); t; t = queue.shift())
          await client.performTokenOperation(
            { accountId: ACCOUNT, cardId, tokenId: t },
            { operationType: 'SUSPEND', reason: 'Changed by your bank.', operatorId: 'opbench' },
          );
      };
      await Promise.all(Array.from({ length: Math.min(MAP_CONCURRENCY, n) }, worker));
    };
    for (let i = 0; i < 3; i++) {
      await cardEvent();
      await direct();
    }

    const rounds = samples[n] ?? 20;
    const paths: number[] = [];
    const floors: number[] = [];
    const ratios: number[] = [];
    let calls = 0;
    for (let round = 0; round < rounds; round++) {
      let path = 0;
      let floor = 0;
      await alternate(
        round,
        async () => {
          const m = await cardEvent();
          path = m.ms;
          calls = Math.max(calls, m.calls);
        },
        async () => {
          const t = performance.now();
          await direct();
          floor = performance.now() - t;
        },
      );
      paths.push(path);
      floors.push(floor);
      ratios.push(path / floor);
    }
    const perToken = calls / n;
    worstCallsPerToken = Math.max(worstCallsPerToken, perToken);
    if (perToken > 1) throw new Error(`N = ${n}: ${perToken} Pismo calls per token (must be ≤ 1)`);
    paths.sort((x, y) => x - y);
    entries.push(
      {
        name: `Card BLOCKED event → all ${n} token(s) suspended in the Pismo simulator, p99`,
        value: r(percentile(paths, 99)),
        unit: 'ms',
        detail: `p50 ${r(percentile(paths, 50))} ms over ${rounds} card events; ${n} Pismo calls alone, ${MAP_CONCURRENCY} at a time: median ${r(median(floors))} ms`,
      },
      {
        name: `Card BLOCKED event → ${n} token(s) suspended, time / the same Pismo calls alone`,
        value: r(median(ratios)),
        unit: '×',
        detail: `median of ${rounds} paired rounds`,
      },
    );
  }
  entries.push({
    name: 'Pismo calls per token of a card event (every request to the tokenization API, account tokens included)',
    value: r(worstCallsPerToken),
    unit: 'calls',
    target: 1,
    detail: 'worst of N = 1, 10, 50 (one token operation each; the account token cached)',
  });
  await stack.stop();
  return entries;
}
