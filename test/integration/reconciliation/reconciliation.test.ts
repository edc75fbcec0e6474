import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { MDES_LIFECYCLE, seedEvent } from '../../../local/seed/pismo-events';
import type { CardReconciliation, ReconciliationRun } from '../../../shared/domain/store';
import { until } from '../../fixtures/until';
import { mdesActiveToken } from '../../../local/seed/idv-events';

let stack: LocalStack;
let writer: string;
let reader: string;
const CARD = '4995608';
const ACCOUNT = '100001185';

beforeAll(async () => {
  stack = await startLocalStack();
  const mint = (scope: string) => stack.issuer.mint({ scope, audience: stack.audience, sub: 'agent-7', name: 'Ana' });
  writer = await mint('tokens:read tokens:write');
  reader = await mint('tokens:read');
  // The seed's MDES lifecycle: token 17556 of card 4995608 ends deleted in our store.
  for (const name of MDES_LIFECYCLE) await stack.pismo.send(`${stack.url}/pismo/events`, seedEvent(name));
}, 120_000);
afterAll(() => stack.stop());

async function call(method: 'GET' | 'POST', path: string, options: { token?: string; body?: string } = {}) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      ...(options.token === '' ? {} : { authorization: `Bearer ${options.token ?? writer}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const check = async (cardId: string, body?: unknown) => {
  const res = await call('POST', `/reconciliation/cards/${cardId}`, {
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ...res, card: res.body.card as CardReconciliation, run: res.body.run as ReconciliationRun };
};

const functionId = (entry: string) => {
  const fn = [...stack.model.functions.values()].find((f) => f.entry === entry);
  if (!fn) throw new Error(`no function ${entry} in the template`);
  return fn.id;
};

describe('reconciliation on the local stack (Pismo and MDES simulators)', () => {
  it('finds the demo drift: 17556 deleted here, ACTIVE at Pismo: reported, never revived', async () => {
    const { status, card, run } = await check(CARD);
    expect(status).toBe(200);
    expect(card.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tokenId: '17556', driftClass: 'statusDiffers', ours: 'deleted', action: 'reported' }),
      ]),
    );
    expect(card.calls.pismo).toBe(1);
    expect(run).toMatchObject({ trigger: 'on-demand', status: 'DONE', cards: 1 });
    const token = await call('GET', '/tokens/17556', { token: reader });
    expect(token.body).toMatchObject({ token: { status: 'deleted' } });
  });

  it('repairs a token unknown to us through the merge, with a reconciliation timeline entry; a re-run finds nothing more', async () => {
    stack.pismo.tokenOperations.provision({
      tokenId: '88001',
      cardId: CARD,
      accountId: ACCOUNT,
      network: 'vts',
      status: 'SUSPENDED',
    });
    const first = await check(CARD);
    expect(first.card.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tokenId: '88001', driftClass: 'unknownToUs', action: 'repaired' }),
      ]),
    );
    const token = await call('GET', '/tokens/88001', { token: reader });
    expect(token.body).toMatchObject({ token: { status: 'suspended', facts: { cardId: CARD, network: 'VTS' } } });
    expect(JSON.stringify(token.body)).toContain('"eventType":"reconciliation"');

    const again = await check(CARD);
    expect(again.card.findings.filter((f) => f.tokenId === '88001')).toEqual([]);
    const latest = await call('GET', `/reconciliation/cards/${CARD}`, { token: reader });
    expect(latest).toMatchObject({ status: 200, body: { runId: again.run.runId } });
  });

  it('records a Pismo failure for the card (flagged, retried next run) instead of failing', async () => {
    stack.pismo.tokenOperations.injectFault('cardTokens', { kind: 'status', status: 503 });
    try {
      const { status, card, run } = await check(CARD);
      expect(status).toBe(200);
      expect(card).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/Pismo get card tokens/) });
      expect(run).toMatchObject({ cardsFailed: 1, failedCards: [CARD] });
    } finally {
      stack.pismo.tokenOperations.clearFaults();
    }
    // The scheduled run picks the flagged card; Pismo answers now.
    const scheduled = (await stack.invoke(
      functionId('functions/reconciliation/scheduled-reconciliation.ts'),
      {},
    )) as ReconciliationRun;
    expect(scheduled).toMatchObject({ trigger: 'scheduled', status: 'DONE', cardsFailed: 0 });
    expect(scheduled.cards).toBeGreaterThanOrEqual(1);
    const latest = await call('GET', `/reconciliation/cards/${CARD}`, { token: reader });
    expect(latest.body).toMatchObject({ runId: scheduled.runId });
    expect(latest.body.outcome).not.toBe('failed');
  });

  it('lists runs newest first, in pages', async () => {
    const first = await call('GET', '/reconciliation/runs?limit=2', { token: reader });
    expect(first.status).toBe(200);
    const items = first.body.items as ReconciliationRun[];
    expect(items).toHaveLength(2);
    expect((items[0]?.startedAt ?? '') >= (items[1]?.startedAt ?? '')).toBe(true);
    expect(typeof first.body.nextCursor).toBe('string');
    const next = await call('GET', `/reconciliation/runs?limit=2&cursor=${String(first.body.nextCursor)}`, {
      token: reader,
    });
    expect(next.status).toBe(200);
    expect((next.body.items as ReconciliationRun[]).map((r) => r.runId)).not.toContain(items[0]?.runId);
  });

  it('refuses bad input with reasons, and checks scopes', async () => {
    expect((await call('POST', `/reconciliation/cards/${CARD}`, { token: '' })).status).toBe(401);
    expect((await call('POST', `/reconciliation/cards/${CARD}`, { token: reader })).status).toBe(403);
    const unknownField = await call('POST', `/reconciliation/cards/${CARD}`, { body: '{"accountId":"1","x":1}' });
    expect(unknownField).toMatchObject({ status: 400, body: { error: 'ValidationError' } });
    expect(JSON.stringify(unknownField.body.details)).toMatch(/x/);
    const badAccount = await call('POST', `/reconciliation/cards/${CARD}`, { body: '{"accountId":"abc"}' });
    expect(badAccount).toMatchObject({ status: 400, body: { details: [expect.stringMatching(/accountId/)] } });
    expect((await call('POST', `/reconciliation/cards/${CARD}`, { body: 'not json' })).status).toBe(400);
    expect((await call('POST', '/reconciliation/cards/5454545454545454')).status).toBe(400);
    expect(await call('POST', '/reconciliation/cards/999001')).toMatchObject({
      status: 422,
      body: { error: 'AccountUnknownError' },
    });
    expect((await call('GET', '/reconciliation/cards/999001', { token: reader })).status).toBe(404);
    expect((await call('GET', '/reconciliation/runs?limit=0', { token: reader })).status).toBe(400);
    expect((await call('GET', '/reconciliation/runs?foo=1', { token: reader })).status).toBe(400);
    expect((await call('GET', '/reconciliation/runs?cursor=forged.cursor', { token: reader })).status).toBe(400);
  });

  it('runs the full-sweep state machine (its inline form) on the local runner', async () => {
    const machine = [...stack.model.stateMachines.values()].find((m) =>
      Object.keys(m.taskFunctions).includes('ReconcileBatch'),
    );
    if (!machine) throw new Error('no sweep state machine in the template');
    expect(machine.unsupported).toBeUndefined();
    // Not `sweep-<epoch ms>`: a 13-digit run is Luhn-valid one time in ten, and every stored string
    // passes the card-number sanitiser (the run id would come back masked).
    const name = `sweep-${Date.now().toString(36)}`;
    stack.stepFunctions.startExecution(machine.arn, name, '{}');
    const execution = stack.stepFunctions.executions.get(name);
    await until(() => execution?.status !== 'RUNNING', 60_000);
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(execution?.steps.map((s) => s.state)).toEqual(
      expect.arrayContaining(['StartSweep', 'ReconcileCards', 'ReconcileBatch', 'FinishSweep']),
    );
    const runs = await call('GET', '/reconciliation/runs?limit=1', { token: reader });
    const [run] = runs.body.items as ReconciliationRun[];
    expect(run).toMatchObject({ runId: name, trigger: 'sweep', status: 'DONE', cardsFailed: 0 });
    expect(run?.cards).toBeGreaterThanOrEqual(1);
    expect(run?.counts.statusDiffers).toBeGreaterThanOrEqual(1); // 17556, still reported
  });
});

describe("the demo's repair on the local stack", () => {
  it('a token deleted at MDES through Customer Service (no event back) is found and repaired to deleted; a re-run finds nothing', async () => {
    const tur = 'DSHRMC0000259339000000000000000000000000000rc001';
    for (const event of mdesActiveToken('rcd1', tur)) await stack.pismo.send(`${stack.url}/pismo/events`, event);
    await until(async () => (await call('GET', '/tokens/rcd1', { token: reader })).status === 200, 30_000);
    const deleted = await call('POST', '/cs/tokens/rcd1/delete', { body: JSON.stringify({ ReasonCode: 'C' }) });
    expect(deleted).toMatchObject({ status: 200, body: { outcome: 'DONE' } });
    expect((await call('GET', '/tokens/rcd1', { token: reader })).body).toMatchObject({ token: { status: 'active' } });

    const first = await check(CARD);
    expect(first.card.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          tokenId: 'rcd1',
          driftClass: 'unknownUpstream',
          ours: 'active',
          upstream: 'deleted',
          source: 'mdes',
          action: 'repaired',
        }),
      ]),
    );
    const token = await call('GET', '/tokens/rcd1', { token: reader });
    expect(token.body).toMatchObject({ token: { status: 'deleted' } });
    expect(JSON.stringify(token.body)).toContain('"eventType":"reconciliation"');

    const again = await check(CARD);
    expect(again.card.findings.filter((f) => f.tokenId === 'rcd1')).toEqual([]);
  });
});
