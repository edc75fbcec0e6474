import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { DEMO_PAN, SEED_TUR, WALLET_SUSPENDED_TUR } from '../../local/mdes-simulator';
import { captureStdout } from '../fixtures/capture-stdout';
import { mdesActiveToken } from '../fixtures/idv-events';

let stack: LocalStack;
let writer: string;
let reader: string;
const stdout = captureStdout();

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'INFO' });
  const mint = (scope: string) =>
    stack.issuer.mint({ scope, audience: stack.audience, sub: 'agent-7', name: 'Ana Souza' });
  writer = await mint('tokens:read tokens:write');
  reader = await mint('tokens:read');
}, 60_000);
afterAll(() => stack.stop());

const WALLET_SUSPENDED = WALLET_SUSPENDED_TUR;

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

/** A token of ours (Pismo id) that MDES knows as `tur`, active: TA then a resync with the TUR. */
async function activeToken(tokenId: string, tur: string) {
  for (const event of mdesActiveToken(tokenId, tur)) await stack.pismo.send(`${stack.url}/pismo/events`, event);
}

const mdesCalls = (op: string) => stack.mdes.requests.filter((r) => r.operation === op).length;

describe('Customer Service API (local stack, MDES simulator)', () => {
  it('searches by PAN (body only) and tells which operations each token allows', async () => {
    const res = await call('POST', '/cs/search', { AccountPan: DEMO_PAN }, reader);
    expect(res.status).toBe(200);
    const tokens = res.body.tokens as { tokenUniqueReference: string; status: string; allowedOperations: string[] }[];
    const seed = tokens.find((t) => t.tokenUniqueReference === SEED_TUR);
    expect(seed).toMatchObject({ status: 'ACTIVE', accountPanSuffix: '5454' });
    expect(seed?.allowedOperations).toEqual(expect.arrayContaining(['suspend', 'delete', 'transactions']));
    expect(seed?.allowedOperations).not.toContain('unsuspend');
    expect(JSON.stringify(res.body)).not.toContain(DEMO_PAN);
  });

  it('suspends and unsuspends our token by its id, as the officer, and audits both', async () => {
    const tur = 'DSHRMC0000259339000000000000000000000000000cs001';
    await activeToken('cs1', tur);
    const suspended = await call('POST', '/cs/tokens/cs1/suspend', { ReasonCode: 'T', CommentText: 'fraud suspected' });
    expect(suspended).toMatchObject({
      status: 200,
      body: { outcome: 'DONE', tokenUniqueReference: tur, statusBefore: 'ACTIVE' },
    });
    expect(stack.mdes.vault.get(tur)).toMatchObject({ status: 'S', suspenders: new Set(['I']) });
    expect(stack.mdes.vault.get(tur)?.history.at(-1)?.AuditInfo).toMatchObject({
      UserId: 'agent-7',
      UserName: 'Ana Souza',
      Organization: 'Demo Bank',
    });
    const history = await call('GET', '/cs/tokens/cs1/status-history', undefined, reader);
    expect(JSON.stringify(history.body)).toContain('"StatusCode":"S"');
    const unsuspended = await call('POST', '/cs/tokens/cs1/unsuspend', { ReasonCode: 'F' });
    expect(unsuspended.body).toMatchObject({ outcome: 'DONE', suspendersBefore: ['issuer'] });
    expect(unsuspended.body.stillSuspendedBy).toBeUndefined();
    expect(stack.mdes.vault.get(tur)?.status).toBe('A');
    const view = await call('GET', '/tokens/cs1', undefined, reader);
    const timeline = (view.body.timeline as { items: { eventType: string; callMethod: string }[] }).items;
    expect(timeline.filter((e) => e.eventType === 'customer_service').map((e) => e.callMethod)).toEqual(
      expect.arrayContaining(['SUSPEND', 'UNSUSPEND', 'STATUS_HISTORY']),
    );
    const audit = view.body.audit as { operation: string; outcome: string; userId: string; parameters?: object }[];
    expect(audit.map((a) => [a.operation, a.outcome, a.userId])).toEqual(
      expect.arrayContaining([
        ['suspend', 'DONE', 'agent-7'],
        ['unsuspend', 'DONE', 'agent-7'],
        ['status-history', 'DONE', 'agent-7'],
      ]),
    );
  });

  it('multi-suspender: lifts only the issuer suspension and reports the wallet still suspending', async () => {
    const base = `/cs/turs/${WALLET_SUSPENDED}`;
    const s = await call('POST', `${base}/suspend`, { ReasonCode: 'L' });
    expect(s.body).toMatchObject({ statusBefore: 'SUSPENDED', suspendersBefore: ['token requestor (wallet)'] });
    const again = await call('POST', `${base}/suspend`, { ReasonCode: 'L' });
    expect(again.body).toMatchObject({ mdes: null, note: expect.stringContaining('already suspended by the issuer') });
    const u = await call('POST', `${base}/unsuspend`, { ReasonCode: 'F' });
    expect(u.body).toMatchObject({ stillSuspendedBy: ['token requestor (wallet)'] });
    const before = mdesCalls('/token/unsuspend');
    const refused = await call('POST', `${base}/unsuspend`, { ReasonCode: 'F' });
    expect(refused).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('only lift its own suspension') },
    });
    expect(mdesCalls('/token/unsuspend')).toBe(before);
  });

  it('refuses what the status table forbids with 409 and the rule, without calling MDES, and audits the refusal', async () => {
    const tur = 'DSHRMC0000259339000000000000000000000000000cs002';
    await activeToken('cs2', tur);
    const before = mdesCalls('/token/activate');
    const res = await call('POST', '/cs/tokens/cs2/activate', { ReasonCode: 'C' });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('activate is not allowed for a token in status Active');
    expect(mdesCalls('/token/activate')).toBe(before);
    const deleted = await call('POST', '/cs/tokens/cs2/delete', { ReasonCode: 'C', CommentText: 'account closed' });
    expect(deleted.status).toBe(200);
    // Our store still says active (no TV event yet): the status is refreshed from MDES before refusing.
    const suspend = await call('POST', '/cs/tokens/cs2/suspend', { ReasonCode: 'L' });
    expect(suspend).toMatchObject({ status: 409, body: { message: expect.stringContaining('status Deleted') } });
    const audit = (await call('GET', '/tokens/cs2', undefined, reader)).body.audit as {
      operation: string;
      outcome: string;
      httpStatus: number;
    }[];
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'activate', outcome: 'REFUSED', httpStatus: 409 }),
        expect.objectContaining({ operation: 'delete', outcome: 'DONE' }),
        expect.objectContaining({ operation: 'suspend', outcome: 'REFUSED', httpStatus: 409 }),
      ]),
    );
  });

  it('returns transactions of the last 30 days only, and says so', async () => {
    const res = await call('GET', `/cs/turs/${SEED_TUR}/transactions`, undefined, reader);
    expect(res.body.window).toContain('30 days');
    const list = (
      res.body.mdes as { TransactionsResponse: { Transactions: { Transaction: { TransactionDateTime: string }[] } } }
    ).TransactionsResponse.Transactions.Transaction;
    expect(list.length).toBeGreaterThan(0);
    for (const t of list) expect(Date.now() - Date.parse(t.TransactionDateTime)).toBeLessThan(30 * 86_400_000);
  });

  it('needs tokens:write for changes and tokens:read for reads', async () => {
    expect((await call('POST', `/cs/turs/${SEED_TUR}/suspend`, { ReasonCode: 'L' }, reader)).status).toBe(403);
    expect((await call('GET', `/cs/turs/${SEED_TUR}/comments`, undefined, reader)).status).toBe(200);
    expect((await call('GET', '/cs/system-status', undefined, reader)).body).toMatchObject({
      customerId: 'CID-DEMO',
      circuit: 'closed',
    });
  });

  it.each([
    ['two search criteria', '/cs/search', { AccountPan: DEMO_PAN, TokenUniqueReference: SEED_TUR }, 'SearchCriteria'],
    ['a PAN failing Luhn', '/cs/search', { AccountPan: '5454545454545455' }, 'AccountPan'],
    ['an unknown reason code', `/cs/turs/${SEED_TUR}/suspend`, { ReasonCode: 'Q' }, 'ReasonCode'],
    [
      'a comment over 500 characters',
      `/cs/turs/${SEED_TUR}/delete`,
      { ReasonCode: 'Z', CommentText: 'x'.repeat(501) },
      'CommentText',
    ],
    [
      'mapping and product configuration together',
      `/cs/turs/${SEED_TUR}/update`,
      { ExpirationDate: '0930', IssuerProductConfigurationId: 'PC1' },
      'IssuerProductConfigurationId',
    ],
  ])('answers 400 naming the field for %s, and sends nothing', async (_label, path, body, field) => {
    const before = stack.mdes.requests.length;
    const res = await call('POST', path, body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.details)).toContain(field);
    expect(stack.mdes.requests.length).toBe(before);
  });

  it('answers 404 for an unknown operation and 502 with MDES reason when MDES fails, audited as FAILED', async () => {
    expect((await call('POST', `/cs/turs/${SEED_TUR}/explode`, {})).status).toBe(404);
    stack.mdes.injectFault('resetMobilePin', { kind: 'status', status: 503, times: 1 });
    const res = await call('POST', `/cs/turs/${SEED_TUR}/reset-mobile-pin`, { ReasonCode: 'N' });
    expect(res).toMatchObject({ status: 502, body: { message: expect.stringContaining('HTTP 503') } });
    expect(JSON.stringify(res.body)).not.toContain('stack');
    const items = (await stack.dynamo.client.send(new ScanCommand({ TableName: stack.tableName }))).Items ?? [];
    const audit = items.map((i) => unmarshall(i)).filter((i) => String(i.SK).startsWith('AUDIT#'));
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'reset-mobile-pin', outcome: 'FAILED', httpStatus: 502 }),
      ]),
    );
    // Never a PAN in any stored item or log line.
    expect(JSON.stringify(items.map((i) => unmarshall(i)))).not.toContain(DEMO_PAN);
    expect(stdout.text()).not.toContain(DEMO_PAN);
    expect(stdout.text()).toContain('cs operation');
  });

  it('updates every token of a reissued card by its current PAN, audited per token, no PAN stored', async () => {
    const old = '5555555555554444';
    const reissued = '5105105105105100';
    stack.mdes.provision({ tur: 'DSHRMC0000000000000000000000000000reissue00001', accountPan: old });
    stack.mdes.provision({ tur: 'DSHRMC0000000000000000000000000000reissue00002', accountPan: old, status: 'S' });
    const res = await call('POST', '/cs/accounts/update', {
      CurrentAccountPan: old,
      NewAccountPan: reissued,
      ExpirationDate: '1230',
    });
    expect(res.status).toBe(200);
    expect((res.body.updated as unknown[]).length).toBe(2);
    expect(stack.mdes.vault.get('DSHRMC0000000000000000000000000000reissue00001')).toMatchObject({
      accountPan: reissued,
      expirationDate: '1230',
    });
    const bad = await call('POST', '/cs/accounts/update', {
      CurrentAccountPan: old,
      TokenUniqueReference: SEED_TUR,
      ExpirationDate: '1230',
    });
    expect(bad.status).toBe(400);
    const items = ((await stack.dynamo.client.send(new ScanCommand({ TableName: stack.tableName }))).Items ?? []).map(
      (i) => unmarshall(i),
    );
    const audit = items.filter((i) => i.operation === 'update-account');
    expect(audit.map((a) => [a.outcome, a.tokenUniqueReference ?? 'day']).sort()).toEqual([
      ['DONE', 'DSHRMC0000000000000000000000000000reissue00001'],
      ['DONE', 'DSHRMC0000000000000000000000000000reissue00002'],
      ['DONE', 'day'],
    ]);
    expect(JSON.stringify(items)).not.toContain(old);
    expect(JSON.stringify(items)).not.toContain(reissued);
  });
});
