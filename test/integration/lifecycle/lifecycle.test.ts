import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { eventLike } from '../../../local/seed/pismo-events';
import { mdesActiveToken } from '../../../local/seed/idv-events';
import { operatorIdOf } from '../../../shared/lifecycle/lifecycle';
import { captureStdout } from '../../fixtures/capture-stdout';
import { until } from '../../fixtures/until';

/**
 * The lifecycle API end to end on the local stack: our API → Pismo's (simulated) token operations →
 * the simulator's signed `patch` event → our /pismo/events webhook → our token's status. And a
 * Mastercard token through the MDES simulator's Customer Service.
 */
let stack: LocalStack;
let writer: string;
let reader: string;
let nameless: string;
captureStdout();

const VISA_CARD = '5271995';
const VISA_ACCOUNT = '100002000';

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'WARN' });
  const mint = (scope: string, name = 'Ana Souza') =>
    stack.issuer.mint({ scope, audience: stack.audience, sub: 'agent-7', name });
  writer = await mint('tokens:read tokens:write');
  reader = await mint('tokens:read');
  nameless = await mint('tokens:read tokens:write', '');
}, 60_000);
afterAll(() => stack.stop());

async function call(method: 'GET' | 'POST', path: string, body?: unknown, token = writer) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An active Visa token of card 5271995 in our store (a VTS resume notification) and at Pismo. */
async function visaToken(tokenId: string, deviceId = `dev-${tokenId}`) {
  const event = eventLike('vts-token-resume', {
    eventId: `resume-${tokenId}`,
    tokenId,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
  });
  (event.data.network_data as Record<string, unknown>).deviceID = deviceId;
  const res = await stack.pismo.send(`${stack.url}/pismo/events`, event);
  expect(res.status).toBeLessThan(300);
  stack.pismo.tokenOperations.provision({ tokenId, cardId: VISA_CARD, accountId: VISA_ACCOUNT, network: 'vts' });
}

const statusOf = async (tokenId: string) =>
  ((await call('GET', `/tokens/${tokenId}`, undefined, reader)).body.token as { status?: string }).status;
const operations = () => stack.pismo.tokenOperations.requestsTo('tokenOperation');

describe('lifecycle API (local stack, Pismo and MDES simulators)', () => {
  it('suspends a Visa token through Pismo: the simulator event arrives and our token is suspended; resume; delete', async () => {
    await visaToken('91001');
    const before = await call('GET', '/tokens/91001', undefined, reader);
    expect(before.body.token).toMatchObject({ status: 'active' });
    const allowed = before.body.allowedActions as { action: string; allowed: boolean; rule?: string }[];
    expect(allowed.filter((a) => a.allowed).map((a) => a.action)).toEqual([
      'suspend',
      'delete',
      'approveDeviceBinding',
    ]);
    expect(allowed.find((a) => a.action === 'resume')?.rule).toContain('Visa token lifecycle');

    const suspended = await call('POST', '/tokens/91001/suspend', { reason: 'DEVICE_LOST', comment: 'lost phone' });
    expect(suspended).toMatchObject({
      status: 202,
      body: { route: 'pismo', outcome: 'REQUESTED', statusBefore: 'active', expectedStatus: 'suspended' },
    });
    expect(stack.pismo.tokenOperations.tokens.get('91001')?.history.at(-1)).toMatchObject({
      operation: 'SUSPEND',
      operatorId: operatorIdOf('agent-7'),
    });
    await until(async () => (await statusOf('91001')) === 'suspended');

    await call('POST', '/tokens/91001/resume', { reason: 'CARDHOLDER_REQUEST' });
    await until(async () => (await statusOf('91001')) === 'active');
    const deleted = await call('POST', '/tokens/91001/delete', { reason: 'DEVICE_STOLEN' });
    expect(deleted.status).toBe(202);
    await until(async () => (await statusOf('91001')) === 'deleted');

    // The audit trail: each action, the officer and the operator id Pismo got, DONE.
    const view = await call('GET', '/tokens/91001', undefined, reader);
    const audit = view.body.audit as { operation: string; outcome: string; userId: string; parameters: object }[];
    expect(audit.map((a) => [a.operation, a.outcome, a.userId])).toEqual(
      expect.arrayContaining([
        ['suspend', 'DONE', 'agent-7'],
        ['resume', 'DONE', 'agent-7'],
        ['delete', 'DONE', 'agent-7'],
      ]),
    );
    expect(audit.find((a) => a.operation === 'suspend')?.parameters).toMatchObject({
      reason: 'DEVICE_LOST',
      comment: 'lost phone',
      route: 'pismo',
      operatorId: operatorIdOf('agent-7'),
    });
    const timeline = (view.body.timeline as { items: { eventType: string; callMethod: string }[] }).items;
    expect(timeline.filter((e) => e.eventType === 'lifecycle').map((e) => e.callMethod)).toEqual(
      expect.arrayContaining(['SUSPEND', 'RESUME', 'DELETE']),
    );
  });

  it('refuses an action its status rules forbid: 409 naming the rule, nothing sent, audited REFUSED', async () => {
    await visaToken('91002');
    const before = operations();
    const refused = await call('POST', '/tokens/91002/resume', { reason: 'OTHER' });
    expect(refused).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('Visa token lifecycle: resume is not allowed') },
    });
    expect(operations()).toBe(before);
    const view = await call('GET', '/tokens/91002', undefined, reader);
    expect(view.body.audit).toEqual(
      expect.arrayContaining([expect.objectContaining({ operation: 'resume', outcome: 'REFUSED', httpStatus: 409 })]),
    );
  });

  it('answers 404 for an unknown token, 400 naming a missing reason or officer name', async () => {
    expect((await call('POST', '/tokens/99999999/suspend', { reason: 'OTHER' })).status).toBe(404);
    const noReason = await call('POST', '/tokens/91002/suspend', { comment: 'x' });
    expect(noReason).toMatchObject({ status: 400, body: { message: expect.stringContaining('reason') } });
    const extra = await call('POST', '/tokens/91002/suspend', { reason: 'OTHER', ReasonCode: 'L' });
    expect(extra.status).toBe(400);
    const noName = await call('POST', '/tokens/91002/suspend', { reason: 'OTHER' }, nameless);
    expect(noName).toMatchObject({ status: 400, body: { message: expect.stringContaining('officer.userName') } });
    expect((await call('POST', '/tokens/91002/suspend', { reason: 'OTHER' }, reader)).status).toBe(403);
  });

  it("maps Pismo's refusal to 422 with its error_code, and Pismo down to 502, audited FAILED", async () => {
    await visaToken('91003');
    stack.pismo.tokenOperations.injectFault('tokenOperation', {
      kind: 'status',
      status: 400,
      errorCode: 'EWA0001',
      times: 1,
    });
    const rejected = await call('POST', '/tokens/91003/suspend', { reason: 'OTHER' });
    expect(rejected).toMatchObject({ status: 422, body: { message: expect.stringContaining('EWA0001') } });
    stack.pismo.tokenOperations.injectFault('cardTokens', { kind: 'status', status: 503 });
    stack.pismo.tokenOperations.injectFault('tokenOperation', { kind: 'status', status: 503 });
    const down = await call('POST', '/tokens/91003/suspend', { reason: 'OTHER' });
    stack.pismo.tokenOperations.clearFaults();
    expect([502, 503]).toContain(down.status);
    const audit = (await call('GET', '/tokens/91003', undefined, reader)).body.audit as {
      outcome: string;
      parameters?: Record<string, string>;
    }[];
    expect(audit.map((a) => a.outcome)).toEqual(expect.arrayContaining(['REFUSED', 'FAILED']));
    expect(audit.find((a) => a.outcome === 'REFUSED')?.parameters?.pismoErrorCode).toBe('EWA0001');
  });

  it('suspends a Mastercard token through MDES Customer Service (the MDES simulator), pending until its event', async () => {
    const tur = 'DSHRMC0000259339000000000000000000000000000lc001';
    for (const event of mdesActiveToken('92001', tur)) {
      // Dated before the request (the builder dates the resync a second ahead).
      event.timestamp = new Date(Date.parse(String(event.timestamp)) - 120_000).toISOString();
      await stack.pismo.send(`${stack.url}/pismo/events`, event);
    }
    const before = operations();
    const suspended = await call('POST', '/tokens/92001/suspend', { reason: 'FRAUD_SUSPECTED' });
    expect(suspended).toMatchObject({
      status: 202,
      body: { route: 'mdes', outcome: 'REQUESTED', expectedStatus: 'suspended' },
    });
    expect(stack.mdes.vault.get(tur)).toMatchObject({ status: 'S', suspenders: new Set(['I']) });
    expect(stack.mdes.vault.get(tur)?.history.at(-1)?.AuditInfo).toMatchObject({
      UserId: 'agent-7',
      UserName: 'Ana Souza',
      Organization: 'Demo Bank',
    });
    expect(operations()).toBe(before);
    // Our status waits for the network's event: the view shows the request pending.
    const view = await call('GET', '/tokens/92001', undefined, reader);
    expect(view.body.token).toMatchObject({ status: 'active' });
    expect(view.body.pendingRequest).toMatchObject({ action: 'suspend', expectedStatus: 'suspended' });
    const audit = view.body.audit as { operation: string; parameters: Record<string, string> }[];
    expect(audit.find((a) => a.operation === 'suspend')?.parameters).toMatchObject({
      route: 'mdes',
      ReasonCode: 'T',
      reason: 'FRAUD_SUSPECTED',
    });
  });

  it('suspends every token of a card with one Pismo card operation, results per token', async () => {
    await visaToken('91011');
    await visaToken('91012');
    // 91002 (active) and 91003 (active) are on the same card; 91001 is deleted: skipped.
    const before = stack.pismo.tokenOperations.requestsTo('cardOperation');
    const res = await call('POST', `/cards/${VISA_CARD}/tokens/suspend`, { reason: 'FRAUD_SUSPECTED' });
    expect(res.status).toBe(200);
    expect(stack.pismo.tokenOperations.requestsTo('cardOperation')).toBe(before + 1);
    const results = res.body.results as { tokenId: string; result: string }[];
    expect(results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tokenId: '91011', result: 'REQUESTED' }),
        expect.objectContaining({ tokenId: '91012', result: 'REQUESTED' }),
        expect.objectContaining({ tokenId: '91001', result: 'SKIPPED' }),
      ]),
    );
    await until(async () => (await statusOf('91011')) === 'suspended' && (await statusOf('91012')) === 'suspended');
  });

  it('"a device was lost": suspends the tokens of one device, each result reported, safe to re-run', async () => {
    await visaToken('91021', 'lost-device-1');
    await visaToken('91022', 'lost-device-1');
    await visaToken('91023', 'other-device');
    const body = { deviceId: 'lost-device-1', cardIds: [VISA_CARD], reason: 'DEVICE_LOST' };
    const first = await call('POST', '/devices/tokens/suspend', body);
    expect(first.status).toBe(200);
    expect((first.body.results as { tokenId: string; result: string }[]).map((r) => [r.tokenId, r.result])).toEqual([
      ['91021', 'REQUESTED'],
      ['91022', 'REQUESTED'],
    ]);
    await until(async () => (await statusOf('91021')) === 'suspended' && (await statusOf('91022')) === 'suspended');
    expect(await statusOf('91023')).toBe('active');
    const again = await call('POST', '/devices/tokens/suspend', body);
    expect((again.body.results as { result: string }[]).map((r) => r.result)).toEqual(['SKIPPED', 'SKIPPED']);
  });
});
