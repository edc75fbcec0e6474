import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MDES_LIFECYCLE, type SeedEventName, seedEvent } from '../seed/pismo-events';
import { mdesActiveToken, mdesYellowPath } from '../seed/idv-events';
import { DEMO_PAN, WALLET_SUSPENDED_TUR } from '../mdes-simulator/server';
import { LOCAL_DIR, type LocalStack, PISMO_KEY_FILE, startLocalStack } from '../stack/local-stack';
import { DECISION_SCENARIOS } from '../pismo-simulator/scenarios';
import { textTable } from './text-table';

type Nd = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/**
 * `npm start`: the whole system on local stand-ins, plus a demo that replays Pismo's MDES and VTS
 * example events through `POST /pismo/events` and shows the resulting token state and timelines.
 * `npm start -- --once` exits after the demo.
 */
const once = process.argv.includes('--once');
const port = Number(process.env.PORT ?? (once ? 0 : 3000));

const DEMO: { title: string; events: SeedEventName[] }[] = [
  {
    title: 'MDES: eligibility refused, then a yellow-path provisioning of token 17556',
    events: ['mdes-te-refusal', ...MDES_LIFECYCLE],
  },
  {
    title:
      'VTS: token 17579 provisioning (approve, CVM, passcode); token 17580 suspended and resumed; 17577 deactivated',
    events: [
      'vts-approve-provisioning',
      'vts-get-cvm',
      'vts-passcode',
      'vts-token-suspended',
      'vts-token-resume',
      'vts-token-deactivated',
    ],
  },
];

/** A fresh 48-character Token Unique Reference for a demo token, so no two tokens share one. */
function demoTur(tokenId: string): string {
  return `DSHRMC0000259339${tokenId.padStart(32, '0')}`.slice(0, 48);
}

/** The cardholder's phone or mailbox, as the demo labels an outbox message. */
function recipient(m: { channel: string; to: string }): string {
  const masked = `${m.to.slice(0, -4).replace(/\d/g, '*')}${m.to.slice(-4)}`;
  return `${m.channel} to ${masked} (the cardholder's ${m.channel === 'SMS' ? 'phone' : 'mailbox'})`;
}

/**
 * Decision → AC → SMS in the outbox → TC → active → "card added", on a fresh token (and TUR) each
 * run. Returns the token id and TUR: active in our store and at MDES, for the Customer Service examples.
 */
async function yellowPathDemo(stack: LocalStack): Promise<{ tokenId: string; tur: string }> {
  const tokenId = `y${Date.now().toString(36)}`;
  const tur = demoTur(tokenId);
  console.log(`== Yellow path end to end for a new MDES token ${tokenId} (Step Functions workflow from the template)`);
  const flow = mdesYellowPath(tokenId);
  const completion = (flow.tc.data.network_data as Nd).de124_member_defined_data?.mdes_data?.tokenization_complete;
  if (completion) completion.sf10_token_unique_ref = tur;
  const scenario = DECISION_SCENARIOS.find((s) => s.name === 'mdes-yellow');
  const decision = await stack.pismo.send(`${stack.url}/pismo/tokenization-decisions`, {
    ...scenario?.request,
    token_id: tokenId,
  });
  const sent = stack.aws.outbox.length;
  const started = Date.now();
  const rows: string[][] = [
    ['decision', String(decision.body.decision), (decision.body.reason_codes as string[]).join(', ')],
  ];
  const send = async (label: string, e: unknown) => {
    const res = await stack.pismo.send(`${stack.url}/pismo/events`, e);
    rows.push([label, `HTTP ${res.status} ${String(res.body.outcome)}`, `token ${String(res.body.tokenStatus)}`]);
  };
  await send('TA event', flow.ta);
  await send('AC event (activation code)', flow.ac);
  const execution = () => stack.stepFunctions.executions.get(`ch-ac-${tokenId}`);
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => execution()?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered') ?? false);
  for (const m of stack.aws.outbox.slice(sent)) rows.push([recipient(m), `after ${Date.now() - started} ms`, m.body]);
  await send('TC event (tokenization complete)', flow.tc);
  await execution()?.done;
  for (const m of stack.aws.outbox.slice(sent + 1)) rows.push([recipient(m), 'after TC', m.body]);
  rows.push([
    'workflow',
    String(execution()?.status),
    (execution()?.steps ?? [])
      .filter((s) => s.type === 'entered')
      .map((s) => s.state)
      .join(' → '),
  ]);
  console.log(textTable(['step', 'result', 'detail'], rows), '\n');
  console.log(
    `(The code is printed because the outbox stands for the cardholder's phone and mailbox: in AWS it goes by SMS or email only.\n` +
      ` Locally it is kept in ${path.join('.local', 'outbox.jsonl')}, readable by you only.)\n`,
  );
  return { tokenId, tur };
}

/**
 * A customer-service session over MDES (the MDES simulator): search the demo card's tokens by PAN,
 * suspend a token, its status history, unsuspend, delete, the multi-suspender rule, the audit trail.
 */
/** Body of a Customer Service search for the demo card, for the curl example. */
const SEARCH_BODY_FILE = path.join(LOCAL_DIR, 'search-demo-card.json');

async function customerServiceDemo(stack: LocalStack) {
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

async function main() {
  const started = Date.now();
  const stack = await startLocalStack({
    dataDir: path.join(LOCAL_DIR, 'dynalite'),
    port,
    pismoKeyFile: PISMO_KEY_FILE,
    outboxFile: path.join(LOCAL_DIR, 'outbox.jsonl'),
    secretsFile: path.join(LOCAL_DIR, 'secrets-manager.json'),
    mdesStateFile: path.join(LOCAL_DIR, 'mdes-simulator.json'),
    // The workflow's 24 h reminder and 29-day clean-up waits take 1 s in the demo.
    waitOverridesMs: { WaitBeforeReminder: 1000, WaitBeforeCleanup: 1000 },
  });
  console.log(
    `Local stack up in ${Date.now() - started} ms: gateway ${stack.url}, DynamoDB (dynalite) ${stack.dynamo.endpoint}`,
  );
  console.log(`Routes from the synthesized template: ${stack.model.routes.map((r) => r.routeKey).join(', ')}\n`);

  const token = await stack.issuer.mint({
    scope: 'tokens:read',
    audience: stack.audience,
    sub: 'demo-agent',
    name: 'Demo Agent',
  });
  const post = (body: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, body);
  const get = async (p: string) => {
    const res = await fetch(`${stack.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as Record<string, unknown>;
  };

  console.log(
    "== Pismo's tokenization anti-fraud webhook (POST /pismo/tokenization-decisions), signed by the Pismo simulator",
  );
  const decisionRows: (string | undefined)[][] = [];
  for (const scenario of DECISION_SCENARIOS) {
    const res = await stack.pismo.send(`${stack.url}/pismo/tokenization-decisions`, scenario.request);
    decisionRows.push([
      scenario.name,
      String(res.status),
      String(res.body.decision),
      (res.body.reason_codes as string[] | undefined)?.join(', ') || '-',
      scenario.changes,
    ]);
  }
  console.log(
    textTable(['scenario', 'HTTP', 'decision', 'reason codes', 'changed from the seed message'], decisionRows),
    '\n',
  );

  const active = await yellowPathDemo(stack);

  const tokens = new Set<string>();
  for (const scenario of DEMO) {
    console.log(`== ${scenario.title}`);
    const rows: (string | number | undefined)[][] = [];
    for (const name of scenario.events) {
      const event = seedEvent(name);
      const res = await post(event);
      if (res.body.tokenId) tokens.add(String(res.body.tokenId));
      rows.push([
        name,
        String(event.data.network_call_method),
        res.status,
        String(res.body.outcome ?? res.body.error),
        String(res.body.tokenId ?? 'card'),
        String(res.body.tokenStatus ?? '-'),
      ]);
    }
    console.log(textTable(['seed event', 'call method', 'HTTP', 'outcome', 'token', 'token status after'], rows), '\n');
  }

  console.log('== Redelivery: the MDES TC event again (Pismo retries are at-least-once)');
  const again = await post(seedEvent('mdes-tc'));
  console.log(`HTTP ${again.status} ${JSON.stringify(again.body)}\n`);

  console.log('== Bad input: the TA event without event_id');
  const bad = seedEvent('mdes-ta');
  delete bad.event_id;
  const rejected = await post(bad);
  console.log(`HTTP ${rejected.status} ${JSON.stringify(rejected.body)}\n`);

  console.log('== Resulting token state (GET /tokens/{tokenId})');
  const stateRows: (string | undefined)[][] = [];
  for (const id of [...tokens].sort()) {
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

  await customerServiceDemo(stack);

  if (once) {
    await stack.stop();
    console.log('Demo complete (--once).');
    return;
  }
  // The demo card's (test) PAN goes in a file for curl, never on a command line or in the output.
  writeFileSync(SEARCH_BODY_FILE, JSON.stringify({ AccountPan: DEMO_PAN }), { mode: 0o600 });
  // PORT reaches the CLIs through the environment; print it only when it is not their default.
  const env = port === 3000 ? '' : `PORT=${port} `;
  const lines = [
    `export TOKEN=$(npm run -s dev-token)`,
    `curl -s -H "authorization: Bearer $TOKEN" '${stack.url}/tokens?cardId=4995608'`,
    `curl -s -H "authorization: Bearer $TOKEN" ${stack.url}/tokens/${active.tokenId}   # the yellow-path token, active`,
    `${env}npm run pismo -- send vts-passcode   # a new Pismo-signed event (fresh id): an OTP to the outbox`,
    `${env}npm run pismo -- send mdes-yellow    # a Pismo-signed decision call`,
    `export CS=$(npm run -s dev-token -- --scope 'tokens:read tokens:write' --sub agent-7 --name 'Ana Souza')`,
    `curl -s -H "authorization: Bearer $CS" -H 'content-type: application/json' -d @${path.relative(process.cwd(), SEARCH_BODY_FILE)} ${stack.url}/cs/search`,
    `curl -s -H "authorization: Bearer $CS" -H 'content-type: application/json' -d '{"ReasonCode":"L","CommentText":"phone lost"}' ${stack.url}/cs/turs/${active.tur}/suspend`,
    `npm run rotate-keys   # (in another terminal, after stopping this one) a full Mastercard key rotation`,
  ];
  console.log(`Serving on ${stack.url}. Try:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  console.log(
    '(Token 17556 was deleted by the seed TV event: in our store and at the MDES simulator, so Customer Service answers 409 for it.)',
  );
  console.log('Ctrl+C to stop.');
  const stop = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
