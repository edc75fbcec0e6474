import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';

/**
 * What the read API shows after the replay: each token's state (`GET /tokens/{tokenId}`), the
 * timelines of tokens 17556 and 17580, and card 4995608's tokens and refusals.
 */
export async function tokenViewsDemo(stack: LocalStack, tokenIds: Iterable<string>): Promise<void> {
  const token = await stack.issuer.mint({
    scope: 'tokens:read',
    audience: stack.audience,
    sub: 'demo-agent',
    name: 'Demo Agent',
  });
  const get = async (p: string) => {
    const res = await fetch(`${stack.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as Record<string, unknown>;
  };

  console.log('== Resulting token state (GET /tokens/{tokenId})');
  const stateRows: (string | undefined)[][] = [];
  for (const id of [...tokenIds].sort()) {
    const view = (await get(`/tokens/${id}`)) as {
      token: { status?: string; statusAt?: string; facts: Record<string, unknown> };
    };
    const f = view.token.facts;
    stateRows.push([
      id,
      String(f.network),
      String(view.token.status ?? '-'),
      String(f.walletName ?? '-'),
      String(f.tokenUniqueReference ?? '-'),
      String(f.deviceName ?? f.deviceBrand ?? '-'),
      String(f.activeTokens ?? '-'),
      view.token.statusAt,
    ]);
  }
  console.log(
    textTable(
      ['token', 'network', 'status', 'wallet', 'TUR / token ref', 'device', 'active tokens', 'status since'],
      stateRows,
    ),
    '\n',
  );

  for (const id of ['17556', '17580']) {
    const view = (await get(`/tokens/${id}`)) as { timeline: { items: Record<string, unknown>[] } };
    console.log(`== Timeline of token ${id}`);
    console.log(
      textTable(
        ['occurred at', 'event', 'call method', 'status', 'event id'],
        view.timeline.items.map((e) => [
          String(e.occurredAt),
          String(e.eventType),
          String(e.callMethod),
          String(e.status ?? '-'),
          String(e.eventId),
        ]),
      ),
      '\n',
    );
  }
  const card = (await get('/tokens?cardId=4995608')) as {
    refusals: Record<string, unknown>[];
    tokens: { items: unknown[] };
  };
  console.log(
    `== Card 4995608: ${card.tokens.items.length} token(s), ${card.refusals.length} refusal(s) on the card timeline\n`,
  );
}
