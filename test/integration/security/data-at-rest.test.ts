import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { DECISION_SCENARIOS } from '../../../local/pismo-simulator/scenarios';
import { ENV } from '../../../shared/config';
import { mdesActiveToken } from '../../../local/seed/idv-events';
import { captureLogs, findPans, scanLogText } from '../../fixtures/pan-scan';
import { eventLike } from '../../../local/seed/pismo-events';
import { scanAll } from '../../fixtures/token-table';

/** Test card numbers, each written another way. */
const SPACED = '5555 5555 5555 4444';
const DASHED = '4111-1111-1111-1111';
const IN_A_RUN = `99${'4000056655665556'}0123`;
const AS_KEY = '378282246310005';
/** A TUR without digit runs, so the strict scan below has nothing to exempt. */
const TUR = 'DWSPMC0000000001a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4';

type Nd = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

const logs = captureLogs();
let stack: LocalStack;
let token: string;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'DEBUG' });
  token = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: `agent ${SPACED}`,
    name: `Ana ${DASHED}`,
  });
}, 60_000);
afterAll(async () => {
  await stack.stop();
  logs.restore();
});

async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
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

/** An MDES lifecycle whose device name, correlation id and network data carry card numbers. */
async function ingestTokenWithCardNumbers(tokenId: string) {
  const ta = eventLike('mdes-ta', { eventId: `ta-${tokenId}`, tokenId, timestamp: new Date().toISOString() });
  const tc = eventLike('mdes-tc', {
    eventId: `tc-${tokenId}`,
    tokenId,
    timestamp: new Date(Date.now() + 1000).toISOString(),
  });
  const mdesData = (tc.data.network_data as Nd).de124_member_defined_data?.mdes_data ?? {};
  const notification = Object.values(mdesData).find((v) => typeof v === 'object' && v !== null) ?? {};
  Object.assign(notification, {
    sf1_correlation_id: IN_A_RUN,
    sf4_device_name: `Ana's phone ${SPACED}`,
    sf10_token_unique_ref: TUR,
    [AS_KEY]: DASHED,
  });
  for (const event of [ta, tc]) {
    const res = await stack.pismo.send(`${stack.url}/pismo/events`, event);
    expect(res.status).toBeLessThan(300);
  }
}

describe('data at rest and in logs (local stack)', () => {
  it('stores, serves and logs no card number after ingestion, a decision, a CS comment and reads', async () => {
    await ingestTokenWithCardNumbers('9101');

    const scenario = structuredClone(DECISION_SCENARIOS.find((s) => s.name === 'vts-red')?.request ?? {});
    const nd = scenario.original_network_data as Record<string, Record<string, unknown>>;
    Object.assign(nd.riskInformation ?? {}, { deviceCountry: SPACED });
    Object.assign(nd.tokenInfo ?? {}, { tokenType: DASHED });
    Object.assign(nd.deviceInfo ?? {}, { deviceName: IN_A_RUN, [AS_KEY]: AS_KEY });
    const decision = await stack.pismo.send(`${stack.url}/pismo/tokenization-decisions`, scenario);
    expect(decision.status).toBe(200);

    for (const event of mdesActiveToken('9102', TUR.replace('a9', 'b9')))
      await stack.pismo.send(`${stack.url}/pismo/events`, event);
    const comment = await call('POST', '/cs/tokens/9102/suspend', {
      ReasonCode: 'T',
      CommentText: `cardholder read ${DASHED} and ${IN_A_RUN}`,
    });
    expect(comment.status).toBe(200);

    const reads = [
      await call('GET', '/tokens/9101'),
      await call('GET', '/tokens/9102'),
      await call('GET', `/tokens/${scenario.token_id as number}`),
      await call('GET', '/tokens?cardId=4995608'),
      await call('GET', '/tokens/4111111111111111'), // refused (PAN-like id) without echoing it
    ];
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200, 400]);
    expect(JSON.stringify(reads[0]?.body)).toContain('******');
    for (const read of reads) expect(findPans(read.body)).toEqual([]);

    const items = await scanAll(stack.dynamo.client, stack.tableName);
    expect(items.length).toBeGreaterThan(8);
    expect(findPans(items)).toEqual([]);

    expect(logs.text()).toContain('"level":"INFO"');
    expect(scanLogText(logs.text())).toEqual([]);
  });

  it('answers 400 with a reason to a crafted, tampered or foreign cursor, and pages with its own', async () => {
    for (let i = 0; i < 3; i++)
      await stack.pismo.send(`${stack.url}/pismo/events`, {
        ...eventLike('mdes-ta', {
          eventId: `cursor-${i}`,
          tokenId: '9103',
          timestamp: new Date(Date.now() + i).toISOString(),
        }),
      });
    // The template gives the read function a generated key secret (a per-process key would not do in AWS).
    const secretId = process.env[ENV.cursorKeySecretId] ?? '';
    expect(stack.aws.secretsManager.has(secretId)).toBe(true);
    const first = await call('GET', '/tokens/9103?limit=1');
    const cursor = (first.body.timeline as { nextCursor?: string }).nextCursor ?? '';
    expect(cursor).not.toBe('');
    const second = await call('GET', `/tokens/9103?limit=1&cursor=${cursor}`);
    expect(second.status).toBe(200);

    const crafted = Buffer.from(JSON.stringify({ PK: 'TOKEN#9101', SK: 'EVENT#' })).toString('base64url');
    const [payload, mac] = cursor.split('.');
    const tampered = `${(payload ?? '').slice(0, -2)}AA.${mac ?? ''}`;
    for (const [path, reason] of [
      [`/tokens/9103?cursor=${crafted}`, 'malformed'],
      [`/tokens/9103?cursor=${tampered}`, 'not signed by this deployment'],
      [`/tokens/9101?cursor=${cursor}`, 'not signed by this deployment'],
      [`/tokens?cardId=4995608&cursor=${cursor}`, 'not signed by this deployment'],
    ] as const) {
      const res = await call('GET', path);
      expect(res).toMatchObject({ status: 400, body: { error: 'ValidationError' } });
      expect(res.body.message).toContain(reason);
    }
  });
});
