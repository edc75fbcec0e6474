import { mdesYellowPath } from '../../seed/idv-events';
import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';

const ACCOUNT = '100001185';
const CARD = '4995608';

/**
 * App-to-app ID&V end to end (issue 18): a fresh MDES token whose AC says method 6 (the issuer's app);
 * the workflow waits AWAITING_CARDHOLDER (nothing delivered); the wallet opens the issuer's app, which
 * calls `POST /me/digital-cards/{tokenId}/activate` with the cardholder's token; Pismo's
 * CARDHOLDER_STEPUP_APP_TO_APP (the simulator) sends its `patch` ACTIVE; the workflow ends and the
 * timeline says ACTIVATED_BY_APP_TO_APP. A fresh token id each run (short, base 36 digits only).
 */
export async function appToAppDemo(stack: LocalStack): Promise<void> {
  // What the issuer's app holds: the cardholder's token (`npm run dev-token -- --cardholder <accountId>`).
  const cardholderToken = (accountId: string) =>
    stack.issuer.mint({ scope: 'cardholder', audience: stack.cardholderAudience, sub: accountId });
  const tokenId = `6${(Date.now() % 10_000_000).toString().padStart(7, '0')}`;
  console.log(`== App-to-app activation for a new MDES token ${tokenId} (ID&V method 6, the issuer's app)`);
  const flow = mdesYellowPath(tokenId, { method: '6' });
  // Dated a moment ago: the simulator's confirming event, dated when it applies the activation, is newer.
  flow.ta.timestamp = new Date(Date.now() - 3000).toISOString();
  flow.ac.timestamp = new Date(Date.now() - 2000).toISOString();
  stack.pismo.tokenOperations.provision({
    tokenId,
    cardId: CARD,
    accountId: ACCOUNT,
    network: 'mdes',
    status: 'INACTIVE',
  });
  const rows: string[][] = [];
  const send = async (label: string, e: unknown) => {
    const res = await stack.pismo.send(`${stack.url}/pismo/events`, e);
    rows.push([label, `HTTP ${res.status} ${String(res.body.outcome)}`, `token ${String(res.body.tokenStatus)}`]);
  };
  await send('TA event', flow.ta);
  await send('AC event (method 6: app)', flow.ac);
  const execution = () => stack.stepFunctions.executions.get(`ch-ac-${tokenId}`);
  const until = async (check: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => execution()?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered') ?? false);
  const reader = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
  const get = async (p: string) =>
    (await (await fetch(`${stack.url}${p}`, { headers: { authorization: `Bearer ${reader}` } })).json()) as Record<
      string,
      unknown
    >;
  const challenge = async () =>
    ((await get(`/tokens/${tokenId}/challenges`)).challenges as Record<string, unknown>[])[0];
  rows.push(['challenge', String((await challenge())?.status), 'nothing delivered: the cardholder goes to the app']);

  const holder = await cardholderToken(ACCOUNT);
  const activate = (token: string) =>
    fetch(`${stack.url}/me/digital-cards/${tokenId}/activate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  const res = await activate(holder);
  const body = (await res.json()) as Record<string, unknown>;
  rows.push([
    `POST /me/digital-cards/${tokenId}/activate`,
    `HTTP ${res.status} ${String(body.outcome)}`,
    `Pismo ${String(stack.pismo.tokenOperations.tokens.get(tokenId)?.history.at(-1)?.operation)}, challenge ${String(body.challengeId)}`,
  ]);
  const other = await activate(await cardholderToken('100002000'));
  rows.push(['the same, as another account', `HTTP ${other.status}`, 'not theirs: answered as unknown']);
  await until(() => execution()?.status === 'SUCCEEDED');
  const again = await activate(holder);
  rows.push([
    'the same again',
    `HTTP ${again.status} ${String(((await again.json()) as { outcome?: string }).outcome)}`,
    'nothing sent twice',
  ]);
  rows.push([
    'workflow',
    String(execution()?.status),
    (execution()?.steps ?? [])
      .filter((s) => s.type === 'entered')
      .map((s) => s.state)
      .join(' → '),
  ]);
  const c = await challenge();
  rows.push(['challenge', String(c?.status), `activated by ${String(c?.activatedBy)}`]);
  const timeline = ((await get(`/tokens/${tokenId}`)).timeline as { items: { callMethod: string }[] }).items;
  rows.push(['timeline', '', timeline.map((i) => i.callMethod).join(', ')]);
  console.log(textTable(['step', 'result', 'detail'], rows), '\n');
}
