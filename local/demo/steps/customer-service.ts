import { mdesActiveToken } from '../../seed/idv-events';
import { DEMO_PAN, WALLET_SUSPENDED_TUR } from '../../mdes-simulator/vault';
import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';
import { demoTur } from './demo-tur';

/**
 * A customer-service session over MDES (the MDES simulator), as officer agent-7 on a new active
 * token: search the demo card's tokens by PAN, suspend, the status history, unsuspend, an activate
 * the status table refuses, delete, the multi-suspender rule on a wallet-suspended token, and the
 * token's audit trail.
 */
export async function customerServiceDemo(stack: LocalStack): Promise<void> {
  const tokenId = `cs${Date.now().toString(36)}`;
  const tur = demoTur(tokenId);
  console.log(
    `== Customer Service over MDES (signed OAuth 1.0a calls to the MDES simulator) on a new token ${tokenId}`,
  );
  for (const event of mdesActiveToken(tokenId, tur)) await stack.pismo.send(`${stack.url}/pismo/events`, event);
  const officer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'agent-7',
    name: 'Ana Souza',
  });
  const cs = async (method: 'GET' | 'POST', p: string, body?: unknown) => {
    const res = await fetch(`${stack.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${officer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const found = await cs('POST', '/cs/search', { AccountPan: DEMO_PAN });
  const searchRows = (found.body.tokens as Record<string, unknown>[]).map((t) => [
    String(t.tokenUniqueReference),
    String(t.tokenId ?? '-'),
    String(t.status),
    (t.suspenders as string[]).join(', ') || '-',
    (t.allowedOperations as string[]).join(' '),
  ]);
  console.log(`POST /cs/search {AccountPan: "************${DEMO_PAN.slice(-4)}"} (the PAN only in the body)`);
  console.log(textTable(['TUR', 'our token', 'MDES status', 'suspended by', 'allowed now'], searchRows), '\n');
  const rows: string[][] = [];
  const step = async (label: string, method: 'GET' | 'POST', p: string, body?: unknown) => {
    const res = await cs(method, p, body);
    const b = res.body;
    rows.push([label, String(res.status), String(b.statusBefore ?? '-'), String(b.note ?? b.message ?? '-')]);
    return res;
  };
  await step('suspend (T: fraud suspected)', 'POST', `/cs/tokens/${tokenId}/suspend`, {
    ReasonCode: 'T',
    CommentText: 'cardholder reports unknown transactions',
  });
  const history = await step('status history', 'GET', `/cs/tokens/${tokenId}/status-history`);
  const statuses =
    (history.body.mdes as { TokenStatusHistoryResponse?: { Statuses?: { Status?: { StatusCode?: string }[] } } })
      .TokenStatusHistoryResponse?.Statuses?.Status ?? [];
  rows[rows.length - 1]?.splice(3, 1, statuses.map((x) => x.StatusCode).join(' → '));
  await step('unsuspend (F)', 'POST', `/cs/tokens/${tokenId}/unsuspend`, { ReasonCode: 'F' });
  await step('activate (not allowed when Active)', 'POST', `/cs/tokens/${tokenId}/activate`, { ReasonCode: 'C' });
  await step('delete (C: account closed)', 'POST', `/cs/tokens/${tokenId}/delete`, { ReasonCode: 'C' });
  await step('unsuspend a wallet-suspended token', 'POST', `/cs/turs/${WALLET_SUSPENDED_TUR}/unsuspend`, {
    ReasonCode: 'F',
  });
  console.log(textTable(['action', 'HTTP', 'MDES status before', 'result'], rows), '\n');
  const view = await cs('GET', `/tokens/${tokenId}`);
  console.log(`== Audit trail of token ${tokenId} (GET /tokens/${tokenId} → audit)`);
  console.log(
    textTable(
      ['at', 'operation', 'officer', 'outcome', 'HTTP', 'reason'],
      (view.body.audit as Record<string, unknown>[])
        .slice()
        .reverse()
        .map((a) => [
          String(a.at),
          String(a.operation),
          `${String(a.userId)} (${String(a.userName)})`,
          String(a.outcome),
          String(a.httpStatus),
          String(a.reason ?? '-').slice(0, 70),
        ]),
    ),
    '\n',
  );
}
