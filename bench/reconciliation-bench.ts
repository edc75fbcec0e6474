import { startLocalStack } from '../local/stack/local-stack';
import { SIMULATED_CLIENT } from '../local/pismo-simulator/server';
import { DynamoTokenStore } from '../shared/adapters/dynamo/token-store';
import { PismoTokenOperationsClient } from '../shared/adapters/pismo/token-operations';
import type { CardReconciliation } from '../shared/domain/store';
import type { TokenState } from '../shared/domain/token-state';
import { alternate, type BenchEntry, median } from './bench-report';

const r = (n: number) => Math.round(n * 100) / 100;

/** The bench's own checks: a figure off its bound fails the run instead of being written. */
function assertBench(ok: boolean, what: string): void {
  if (!ok) throw new Error(`reconciliation bench: ${what}`);
}
const AT = '2026-12-01T10:00:00.000Z';

/**
 * Reconciliation throughput on the local stack: `POST /reconciliation/cards/{cardId}` card after
 * card (gateway, JWT, function, store reads, Pismo's get card tokens, run and card records) against
 * the same Pismo calls alone (the client straight to the simulator), as tokens per second and their
 * ratio; and the upstream calls per token, from the card results (one Pismo call per card, one MDES
 * search per token in doubt: on the first pass, one token of every card disagrees with Pismo).
 * Asserted (the bench fails otherwise): at most one Pismo call per token, exactly one MDES search per
 * token in doubt and none for a token in sync, and every token in doubt repaired on MDES's word.
 */
export async function benchReconciliation(cards = 20, tokensPerCard = 10, rounds = 5): Promise<BenchEntry[]> {
  const stack = await startLocalStack();
  try {
    const store = new DynamoTokenStore(stack.tableName, stack.dynamo.client);
    const accountId = '900000001';
    const cardIds = Array.from({ length: cards }, (_, i) => String(7_000_001 + i));
    stack.pismo.accounts.push({ accountId, cardIds, phones: [], customers: [] });
    const inDoubt = 1;
    for (const cardId of cardIds)
      for (let t = 0; t < tokensPerCard; t++) {
        const tokenId = `${cardId}${String(t).padStart(2, '0')}`;
        const tur = `DSHRMC00002593390000000000000000000000${tokenId}`;
        // The first `inDoubt` tokens of each card: active here, SUSPENDED at Pismo and at MDES (repaired).
        const doubtful = t < inDoubt;
        if (doubtful) stack.mdes.provision({ tur, status: 'S', suspenders: ['I'] });
        stack.pismo.tokenOperations.provision({
          tokenId,
          cardId,
          accountId,
          network: 'mdes',
          status: doubtful ? 'SUSPENDED' : 'ACTIVE',
          tokenUniqueReference: tur,
        });
        const state: TokenState = {
          tokenId,
          status: 'active',
          facts: { cardId, accountId, network: 'MDES', tokenUniqueReference: tur },
          clocks: { status: `0#${AT}#seed` },
          firstEventAt: AT,
          lastEventAt: AT,
        };
        await store.putTokenState(state, undefined);
      }
    const token = await stack.issuer.mint({ scope: 'tokens:read tokens:write', audience: stack.audience, sub: 'b' });
    const check = async (cardId: string) => {
      const res = await fetch(`${stack.url}/reconciliation/cards/${cardId}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { card: CardReconciliation }).card;
    };
    const client = new PismoTokenOperationsClient({
      baseUrl: `${stack.pismo.apiUrl}/cards-tokenization`,
      authUrl: stack.pismo.apiUrl,
      clientId: SIMULATED_CLIENT.id,
      clientSecret: SIMULATED_CLIENT.secret,
    });

    // The first pass repairs the tokens in doubt (MDES confirms Pismo); it gives the calls per token.
    const first = await Promise.all(cardIds.map((c) => check(c)));
    const tokens = first.reduce((n, c) => n + c.tokensCompared, 0);
    const pismoCalls = first.reduce((n, c) => n + c.calls.pismo, 0);
    const mdesCalls = first.reduce((n, c) => n + c.calls.mdes, 0);
    const repaired = first.reduce((n, c) => n + c.findings.filter((f) => f.action === 'repaired').length, 0);
    const doubtful = cards * inDoubt;
    assertBench(tokens === cards * tokensPerCard, `${tokens} tokens compared, ${cards * tokensPerCard} expected`);
    assertBench(pismoCalls <= tokens, `${pismoCalls} Pismo calls for ${tokens} tokens (at most one per token)`);
    for (const c of first) {
      const searched = c.findings.filter((f) => f.source === 'mdes').length;
      assertBench(
        c.calls.pismo <= 1 && c.calls.mdes === searched,
        `card ${c.cardId}: ${c.calls.pismo} Pismo calls, ${c.calls.mdes} MDES searches for ${searched} tokens in doubt`,
      );
    }
    assertBench(mdesCalls === doubtful, `${mdesCalls} MDES searches for ${doubtful} tokens in doubt (one each)`);
    assertBench(repaired === doubtful, `${repaired} of ${doubtful} tokens in doubt repaired`);
    // The timed rounds compare cards in sync: MDES is never searched for them.
    const mdesBefore = stack.mdes.requests.length;
    for (const c of cardIds.slice(0, 2)) await client.getCardTokens({ accountId, cardId: c }); // warm up

    const ratios: number[] = [];
    const pathRates: number[] = [];
    const floorRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let pathMs = 0;
      let floorMs = 0;
      await alternate(
        round,
        async () => {
          const t = performance.now();
          for (const c of cardIds) await check(c);
          pathMs = performance.now() - t;
        },
        async () => {
          const t = performance.now();
          for (const c of cardIds) await client.getCardTokens({ accountId, cardId: c });
          floorMs = performance.now() - t;
        },
      );
      ratios.push(pathMs / floorMs);
      assertBench(stack.mdes.requests.length === mdesBefore, 'MDES was searched for tokens in sync');
      pathRates.push((cards * tokensPerCard) / (pathMs / 1000));
      floorRates.push((cards * tokensPerCard) / (floorMs / 1000));
    }
    return [
      {
        name: 'reconciliation tokens/s (POST /reconciliation/cards, in sync)',
        value: r(median(pathRates)),
        unit: 'tokens/s',
        detail: `${cards} cards × ${tokensPerCard} tokens, one card at a time`,
      },
      { name: 'get card tokens alone tokens/s', value: r(median(floorRates)), unit: 'tokens/s' },
      {
        name: 'reconciliation / upstream calls alone (time ratio)',
        value: r(median(ratios)),
        unit: '×',
        detail: 'median over rounds; the floor is the same Pismo calls from the client',
      },
      {
        name: 'Pismo calls per token (first pass)',
        value: r(pismoCalls / tokens),
        unit: 'calls',
        target: 1,
        detail: `${pismoCalls} calls for ${tokens} tokens`,
      },
      {
        name: 'MDES searches per token in doubt (first pass)',
        value: r(mdesCalls / (cards * inDoubt)),
        unit: 'calls',
        target: 1,
        detail: `${mdesCalls} searches, ${doubtful} tokens in doubt, ${repaired} repaired on MDES's word`,
      },
      {
        name: 'MDES searches per token in sync (timed rounds)',
        value: stack.mdes.requests.length - mdesBefore,
        unit: 'calls',
        target: 0,
        detail: `${rounds} rounds × ${cards * tokensPerCard} tokens`,
      },
    ];
  } finally {
    await stack.stop();
  }
}

if (require.main === module)
  benchReconciliation()
    .then((entries) => console.table(entries))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
