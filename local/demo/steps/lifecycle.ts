import { setTimeout as delay } from 'node:timers/promises';
import { eventLike } from '../../seed/pismo-events';
import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';

const ACCOUNT = '100002000';

/**
 * The token lifecycle on Visa tokens through Pismo (the Pismo simulator's token operations), as
 * officer agent-7: suspend a token (its event held back a moment: our status waits for it, the view
 * shows the request pending), then the simulator's `patch` event reaches our webhook and the status
 * follows; resume it; a resume and an activation the Visa rules refuse (409, nothing sent); then one
 * card-level suspend for every token of the card, with per-token results; and the audit trail.
 * A fresh card and tokens each run (the store may persist between runs, the simulator does not).
 */
export async function lifecycleDemo(stack: LocalStack): Promise<void> {
  const run = Date.now() % 1_000_000;
  const cardId = `8${String(run).padStart(6, '0')}`;
  const [a, b] = [`${cardId}1`, `${cardId}2`];
  console.log(`== Token lifecycle through Pismo: Visa tokens ${a} and ${b} on card ${cardId}`);
  for (const tokenId of [a, b]) {
    const event = eventLike('vts-token-resume', {
      eventId: `demo-lc-${tokenId}`,
      tokenId,
      cardId: Number(cardId),
      timestamp: new Date(Date.now() - 60_000).toISOString(),
    });
    event.data.account_id = Number(ACCOUNT);
    await stack.pismo.send(`${stack.url}/pismo/events`, event);
    stack.pismo.tokenOperations.provision({ tokenId, cardId, accountId: ACCOUNT, network: 'vts' });
  }
  const officer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'agent-7',
    name: 'Ana Souza',
  });
  const api = async (method: 'GET' | 'POST', p: string, body?: unknown) => {
    const res = await fetch(`${stack.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${officer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const statusOf = async (tokenId: string) =>
    String(((await api('GET', `/tokens/${tokenId}`)).body.token as { status?: string }).status);
  /** Our status once the network's event has arrived (polls; the event is delivered in the background). */
  const settle = async (tokenId: string, expected: string) => {
    for (let i = 0; i < 250 && (await statusOf(tokenId)) !== expected; i++) await delay(20);
    return statusOf(tokenId);
  };

  // The first suspend with Pismo's event held back: our status stays until the event arrives.
  const ops = stack.pismo.tokenOperations;
  const deliver = ops.onEvent;
  const held: unknown[] = [];
  ops.onEvent = (event) => {
    held.push(event);
  };
  const suspended = await api('POST', `/tokens/${a}/suspend`, { reason: 'DEVICE_LOST', comment: 'phone lost' });
  const waiting = await api('GET', `/tokens/${a}`);
  const pending = waiting.body.pendingRequest as Record<string, unknown> | undefined;
  console.log(
    `POST /tokens/${a}/suspend → ${suspended.status} ${String(suspended.body.outcome)} via ${String(suspended.body.route)}, ` +
      `expected status ${String(suspended.body.expectedStatus)}, operator_id ${String(suspended.body.operatorId)}`,
  );
  console.log(
    `  before Pismo's event: our status ${String((waiting.body.token as { status?: string }).status)}, ` +
      `pending request: ${pending ? `${String(pending.action)} → ${String(pending.expectedStatus)} (${String(pending.userId)})` : 'none'}`,
  );
  ops.onEvent = deliver;
  for (const event of held) await stack.pismo.send(`${stack.url}/pismo/events`, event);
  console.log(
    `  after the simulator's signed patch event reached POST /pismo/events: ${await settle(a, 'suspended')}\n`,
  );

  const rows: string[][] = [];
  const act = async (label: string, p: string, body: unknown, tokenId: string) => {
    const sent = ops.requests.length;
    const res = await api('POST', p, body);
    const after = res.status < 300 ? await settle(tokenId, String(res.body.expectedStatus)) : await statusOf(tokenId);
    rows.push([
      label,
      String(res.status),
      String(res.body.route ?? '-'),
      String(ops.requests.length - sent),
      String(res.body.expectedStatus ?? '-'),
      after,
      String(res.body.message ?? res.body.note ?? '-').slice(0, 130),
    ]);
  };
  await act(`resume ${a}`, `/tokens/${a}/resume`, { reason: 'CARDHOLDER_REQUEST' }, a);
  await act(`resume ${a} again`, `/tokens/${a}/resume`, { reason: 'OTHER' }, a);
  await act(`activate ${b} (active)`, `/tokens/${b}/activate`, { reason: 'OTHER', activationCode: '1234' }, b);
  console.log(
    textTable(['action', 'HTTP', 'route', 'Pismo requests', 'expected', 'our status after the event', 'note'], rows),
    '\n',
  );

  const card = await api('POST', `/cards/${cardId}/tokens/suspend`, { reason: 'FRAUD_SUSPECTED' });
  console.log(`POST /cards/${cardId}/tokens/suspend → ${card.status} (one Pismo card operation)`);
  const results = (card.body.results as Record<string, unknown>[] | undefined) ?? [];
  const settled: string[] = [];
  for (const r of results) settled.push(await settle(String(r.tokenId), 'suspended'));
  console.log(
    textTable(
      ['token', 'status before', 'result', 'Pismo status', 'our status after the event'],
      results.map((r, i) => [
        String(r.tokenId),
        String(r.statusBefore ?? '-'),
        String(r.result),
        String(r.pismoStatus ?? '-'),
        settled[i] ?? '-',
      ]),
    ),
    '\n',
  );

  console.log(`== Audit trail of tokens ${a} and ${b} (GET /tokens/{tokenId} → audit)`);
  const audit: Record<string, unknown>[] = [];
  for (const t of [a, b]) audit.push(...((await api('GET', `/tokens/${t}`)).body.audit as Record<string, unknown>[]));
  audit.sort((x, y) => String(x.at).localeCompare(String(y.at)));
  console.log(
    textTable(
      ['at', 'token', 'operation', 'officer', 'operator_id', 'route', 'reason', 'outcome', 'HTTP'],
      audit.map((r) => {
        const p = (r.parameters ?? {}) as Record<string, string>;
        return [
          String(r.at),
          String(r.tokenId),
          String(r.operation),
          `${String(r.userId)} (${String(r.userName)})`,
          p.operatorId ?? '-',
          p.route ?? '-',
          p.reason ?? '-',
          String(r.outcome),
          String(r.httpStatus),
        ];
      }),
    ),
    '\n',
  );
}
