import { scanAll as scanTable } from '../../fixtures/token-table';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Metrics } from '@aws-lambda-powertools/metrics';
import fc from 'fast-check';
import { luhnValid } from '../../../shared/adapters/mdes/contract';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { DEMO_PAN, SEED_TUR, WALLET_SUSPENDED_TUR } from '../../../local/mdes-simulator/server';
import { captureStdout } from '../../fixtures/capture-stdout';
import { mdesActiveToken, mdesYellowPath } from '../../../local/seed/idv-events';
import { DynamoTokenStore } from '../../../shared/adapters/dynamo/token-store';

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

/** Every item of the table, unmarshalled (all pages). */
const scanAll = () => scanTable(stack.dynamo.client, stack.tableName);

/** A Luhn-valid number of 13-19 digits, first digit non-zero (as every PAN). */
const panArb = fc
  .tuple(fc.integer({ min: 13, max: 19 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }))
  .map(([len, digits]) => {
    const body = `${(digits[0] ?? 0) % 9 || 4}${digits.slice(1, len - 1).join('')}`;
    for (let check = 0; ; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
  });

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

  describe('path identifiers that could be card numbers', () => {
    it('refuses a Luhn-valid number as {tur} or {tokenId} (alone or embedded) with 400, never echoed, stored or sent', async () => {
      const mdesBefore = stack.mdes.requests.length;
      const tried: string[] = [];
      await fc.assert(
        fc.asyncProperty(panArb, fc.stringMatching(/^[A-Z]{0,6}$/), async (pan, prefix) => {
          tried.push(pan);
          for (const [method, path] of [
            ['POST', `/cs/turs/${prefix}${pan}/suspend`],
            ['GET', `/cs/turs/${prefix}${pan}/comments`],
            ['POST', `/cs/tokens/${pan}/suspend`],
            ['POST', `/tokens/${prefix}${pan}/challenges/ch-1/resend`],
            ['GET', `/tokens/${pan}`],
            ['GET', `/tokens/${prefix}${pan}/challenges`],
          ] as const) {
            const res = await call(method, path, method === 'POST' ? { ReasonCode: 'T' } : undefined);
            expect(res.status).toBe(400);
            expect(JSON.stringify(res.body)).not.toContain(pan);
          }
        }),
        { numRuns: 15 },
      );
      expect(stack.mdes.requests.length).toBe(mdesBefore);
      const stored = JSON.stringify(await scanAll());
      for (const pan of tried) {
        expect(stored).not.toContain(pan);
        expect(stdout.text()).not.toContain(pan);
      }
    });
  });

  describe('TUR collisions', () => {
    it('answers 409 naming both tokens, logs a warning and counts it, and sends nothing to MDES', async () => {
      const tur = 'DAPLMC7f3e9a1c5b2d8e4f6a0c3b5d7e9f1a2c4b6d8e0f2a';
      // Powertools writes warnings to stderr.
      const warnings: string[] = [];
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        warnings.push(String(chunk));
        return true;
      });
      // Metrics are off locally (no EMF on stdout): the count is seen where the handler adds it.
      const metrics = jest.spyOn(Metrics.prototype, 'addMetric');
      await activeToken('col1', tur);
      await activeToken('col2', tur);
      const before = stack.mdes.requests.length;
      for (const [method, path] of [
        ['POST', `/cs/turs/${tur}/suspend`],
        ['POST', '/cs/tokens/col1/suspend'],
      ] as const) {
        const res = await call(method, path, { ReasonCode: 'T' });
        expect(res).toMatchObject({ status: 409, body: { message: expect.stringContaining('collision') } });
        expect(res.body.message).toContain('col1');
        expect(res.body.message).toContain('col2');
      }
      expect(stack.mdes.requests.length).toBe(before);
      const search = await call('POST', '/cs/search', { TokenUniqueReference: tur }, reader);
      expect(search.status).toBe(409);
      spy.mockRestore();
      expect(warnings.join('')).toMatch(/"level":"WARN","message":"TUR collision[^\n]*"col1"/);
      expect(metrics.mock.calls.filter(([name]) => name === 'TurCollisions')).toHaveLength(3);
      metrics.mockRestore();
    });
  });

  describe('officers bound to MDES customers', () => {
    const officerOf = (customers: unknown) =>
      stack.issuer.mint({
        scope: 'tokens:read tokens:write',
        audience: stack.audience,
        sub: 'agent-8',
        name: 'Other Issuer Agent',
        claims: { mdes_customers: customers },
      });

    it('refuses with 403 a customer the token does not name, on reads, searches and writes', async () => {
      const other = await officerOf(['CID-OTHER']);
      const none = await officerOf(undefined);
      const before = stack.mdes.requests.length;
      for (const token of [other, none]) {
        expect((await call('GET', `/cs/turs/${SEED_TUR}/comments`, undefined, token)).status).toBe(403);
        expect((await call('POST', '/cs/search', { AccountPan: DEMO_PAN }, token)).status).toBe(403);
        expect((await call('POST', `/cs/turs/${SEED_TUR}/suspend`, { ReasonCode: 'T' }, token)).status).toBe(403);
        expect((await call('GET', '/cs/system-status?customer=CID-DEMO', undefined, token)).status).toBe(403);
      }
      expect(stack.mdes.requests.length).toBe(before);
      // ... and the ID&V resend route, which acts on MDES for the default customer.
      const flow = mdesYellowPath('cust1');
      await stack.pismo.send(`${stack.url}/pismo/events`, flow.ta);
      await stack.pismo.send(`${stack.url}/pismo/events`, {
        ...flow.ta,
        event_id: 'resync-cust1',
        event_type: 'token_resync',
        data: {
          card_id: 4995608,
          token_id: 'cust1',
          token_status: 'PENDING',
          token_unique_reference: 'DAPLMC3c5e7a9b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c3a',
        },
      });
      await stack.pismo.send(`${stack.url}/pismo/events`, flow.ac);
      expect((await call('POST', '/tokens/cust1/challenges/ch-ac-cust1/resend', undefined, other)).status).toBe(403);
      expect(stack.mdes.requests.length).toBe(before);
      const allowed = await officerOf('[CID-OTHER CID-DEMO]');
      expect((await call('POST', '/tokens/cust1/challenges/ch-ac-cust1/resend', undefined, allowed)).status).toBe(202);
      expect((await call('GET', `/cs/turs/${SEED_TUR}/comments?customer=CID-DEMO`, undefined, allowed)).status).toBe(
        200,
      );
    });
  });

  describe('search options and the cardholder override', () => {
    it('IncludeDeviceTokenOnly leaves out server (H) tokens; StorageTechnology is decoded', async () => {
      const pan = '2223000048400011';
      stack.mdes.provision({ tur: 'DAPLMC1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c', accountPan: pan });
      stack.mdes.provision({
        tur: 'DCOFMC1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c',
        accountPan: pan,
        storageTechnology: 'H',
      });
      const all = await call('POST', '/cs/search', { AccountPan: pan }, reader);
      const device = await call('POST', '/cs/search', { AccountPan: pan, IncludeDeviceTokenOnly: 'true' }, reader);
      const view = (r: typeof all) =>
        (r.body.tokens as { storageTechnology: { code: string; description: string; deviceBased: boolean } }[]).map(
          (t) => t.storageTechnology,
        );
      expect(view(all)).toEqual(
        expect.arrayContaining([
          { code: 'V', description: 'Virtual Execution Environment (VEE)', deviceBased: true },
          { code: 'H', description: 'Server', deviceBased: false },
        ]),
      );
      expect(view(device)).toEqual([
        { code: 'V', description: 'Virtual Execution Environment (VEE)', deviceBased: true },
      ]);
    });

    it('lifts a cardholder suspension of an Apple Pay token only with override: true, audited as an override', async () => {
      const tur = 'DAPLMC9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c';
      stack.mdes.provision({ tur, status: 'S', suspenders: ['C'] });
      const refused = await call('POST', `/cs/turs/${tur}/unsuspend`, { ReasonCode: 'F' });
      expect(refused).toMatchObject({ status: 409, body: { message: expect.stringContaining('override') } });
      const done = await call('POST', `/cs/turs/${tur}/unsuspend`, { ReasonCode: 'F', override: true });
      expect(done).toMatchObject({ status: 200, body: { override: 'CARDHOLDER_SUSPENSION' } });
      expect(stack.mdes.vault.get(tur)?.status).toBe('A');
      const audit = (await scanAll()).filter((i) => i.PK === `TUR#${tur}` && i.operation === 'unsuspend');
      expect(audit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            outcome: 'DONE',
            parameters: expect.objectContaining({ override: 'CARDHOLDER_SUSPENSION' }),
          }),
        ]),
      );
    });
  });
});

describe('a FAILED Customer Service write flags its card for the next reconciliation run (local stack)', () => {
  it('MDES down during a suspend: 502, FAILED, the card flagged; a refused write flags nothing; the scheduled run checks the card and clears the flag', async () => {
    const store = new DynamoTokenStore(stack.tableName, stack.dynamo.client);
    const card = '4995608'; // the card of mdesActiveToken's events
    const flagOf = async () => (await store.listReconciliationFlags(100)).items.find((f) => f.cardId === card);
    const tur = 'DSHRMC0000259339000000000000000000000000000cf001';
    await activeToken('csf1', tur);
    await store.clearReconciliationFlag(card); // another test of this file may have left one

    // Refused (the status table: activate on an active token): nothing in doubt, nothing flagged.
    expect((await call('POST', '/cs/tokens/csf1/activate', { ReasonCode: 'A' })).status).toBe(409);
    expect(await flagOf()).toBeUndefined();

    stack.mdes.injectFault('suspend', { kind: 'status', status: 503 });
    try {
      const res = await call('POST', '/cs/tokens/csf1/suspend', { ReasonCode: 'T' });
      expect(res.status).toBe(502);
    } finally {
      stack.mdes.clearFaults();
    }
    const view = await call('GET', '/tokens/csf1', undefined, reader);
    const audit = view.body.audit as { operation: string; outcome: string }[];
    expect(audit).toEqual(
      expect.arrayContaining([expect.objectContaining({ operation: 'suspend', outcome: 'FAILED' })]),
    );
    expect(await flagOf()).toMatchObject({ cardId: card, reason: expect.stringMatching(/^suspend failed: /) });

    // The next scheduled reconciliation picks the flagged card; Pismo answers, so the flag is cleared.
    const scheduled = [...stack.model.functions.values()].find(
      (f) => f.entry === 'functions/reconciliation/scheduled-reconciliation.ts',
    );
    if (!scheduled) throw new Error('no scheduled reconciliation function in the template');
    const run = (await stack.invoke(scheduled.id, {})) as { runId: string; trigger: string };
    expect(run.trigger).toBe('scheduled');
    expect(await store.latestCardReconciliation(card)).toMatchObject({ runId: run.runId });
    expect(await flagOf()).toBeUndefined();
  });
});
