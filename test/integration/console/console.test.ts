/**
 * The console on the local stack: its files and sign-in settings from the gateway, sign-in at the dev
 * issuer (authorization code + PKCE), the read routes the console added (paging, PAN never in a URL
 * or a log), and scopes refused with 403.
 */
import { randomBytes } from 'node:crypto';
import { DynamoTokenStore } from '../../../shared/adapters/dynamo/token-store';
import type { DecisionRecord, TimelineEntry } from '../../../shared/domain/store';
import type { TokenState } from '../../../shared/domain/token-state';
import type * as C from '../../../shared/console/contract';
import { s256 } from '../../../local/dev-issuer/oidc';
import { DEMO_PAN } from '../../../local/mdes-simulator/vault';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { captureStdout } from '../../fixtures/capture-stdout';
import { findPans, scanLogText } from '../../fixtures/pan-scan';

let stack: LocalStack;
let store: DynamoTokenStore;
/** A short, never card-number-like id prefix for this run's items. */
const run = `c${randomBytes(4).toString('hex')}`;
const CARD = `${run}card`;
const TOKEN = `${run}tok`;
const TUR = `DAPLMC${randomBytes(21).toString('hex')}`;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'INFO' });
  store = new DynamoTokenStore(stack.tableName, stack.dynamo.client);
}, 180_000);
afterAll(() => stack?.stop());

const mint = (scope: string, sub = 'agent-c', name = 'Console Tester') =>
  stack.issuer.mint({ scope, audience: stack.audience, sub, name });

async function get(path: string, token?: string) {
  const res = await fetch(`${stack.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

/** Signs in at the dev issuer as `user`, as the console does; returns the token endpoint's answer. */
async function signIn(user: string, verifier = randomBytes(32).toString('base64url')) {
  const redirectUri = `${stack.url}/console`;
  const params = {
    response_type: 'code',
    client_id: 'console-local',
    redirect_uri: redirectUri,
    scope: 'openid tokens:read tokens:write',
    state: 's1',
    nonce: 'n1',
    code_challenge: s256(verifier),
    code_challenge_method: 'S256',
  };
  const page = await fetch(`${stack.url}/dev-issuer/authorize?${new URLSearchParams(params)}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('value="dev-reader"');
  expect(html).not.toMatch(/<script/i);
  const chosen = await fetch(`${stack.url}/dev-issuer/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, user }),
    redirect: 'manual',
  });
  expect(chosen.status).toBe(302);
  const back = new URL(chosen.headers.get('location') ?? '');
  expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
  expect(back.searchParams.get('state')).toBe('s1');
  const code = back.searchParams.get('code') ?? '';
  const exchange = (codeVerifier: string) =>
    fetch(`${stack.url}/dev-issuer/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: 'console-local',
        code_verifier: codeVerifier,
      }),
    });
  return { code, verifier, exchange };
}

describe('the console on the local stack', () => {
  it('serves the page and its sign-in settings (the dev issuer on the same origin), with the CSP', async () => {
    const page = await get('/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const config = (await get('/console/config.json')).json() as C.ConsoleConfig;
    expect(config).toMatchObject({
      clientId: 'console-local',
      authorizationEndpoint: `${stack.url}/dev-issuer/authorize`,
      tokenEndpoint: `${stack.url}/dev-issuer/token`,
      endSessionEndpoint: `${stack.url}/dev-issuer/logout`,
      redirectUri: `${stack.url}/console`,
      environment: 'local',
    });
    expect(config.issuer).toBe(stack.issuer.issuer);
  });

  it('signs in with code + PKCE: a wrong verifier is refused and spends the code; a right one gets a token the API takes', async () => {
    const wrong = await signIn('dev-agent');
    const refused = await wrong.exchange(randomBytes(32).toString('base64url'));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await wrong.exchange(wrong.verifier)).status).toBe(400); // single use

    const ok = await signIn('dev-agent');
    const answer = await ok.exchange(ok.verifier);
    expect(answer.status).toBe(200);
    const tokens = (await answer.json()) as { access_token: string; expires_in: number; scope: string };
    expect(tokens.expires_in).toBeLessThanOrEqual(900);
    expect(tokens.scope).toBe('openid tokens:read tokens:write');
    expect((await ok.exchange(ok.verifier)).status).toBe(400); // the code was used
    const me = (await get('/me', tokens.access_token)).json() as C.ConsoleSession;
    expect(me).toMatchObject({ userId: 'dev-agent', userName: 'Ana Agent', canAct: true, role: 'agent' });
    expect(me.mdesCustomers.length).toBeGreaterThan(0);
  });

  it('gives a read-only user no tokens:write: the API refuses its actions with 403', async () => {
    const reader = await signIn('dev-reader');
    const { access_token: token, scope } = (await (await reader.exchange(reader.verifier)).json()) as {
      access_token: string;
      scope: string;
    };
    expect(scope).toBe('openid tokens:read');
    expect(((await get('/me', token)).json() as C.ConsoleSession).role).toBe('read-only');
    const act = await fetch(`${stack.url}/tokens/${TOKEN}/suspend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'DEVICE_LOST' }),
    });
    expect(act.status).toBe(403);
    const supervisor = await signIn('dev-supervisor');
    const sv = (await (await supervisor.exchange(supervisor.verifier)).json()) as { access_token: string };
    expect(((await get('/me', sv.access_token)).json() as C.ConsoleSession).role).toBe('supervisor');
  });

  it('signs out back to the console', async () => {
    const out = await fetch(
      `${stack.url}/dev-issuer/logout?${new URLSearchParams({ client_id: 'console-local', post_logout_redirect_uri: `${stack.url}/console` })}`,
      { redirect: 'manual' },
    );
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe(`${stack.url}/console`);
  });
});

describe("the console's read routes", () => {
  const T0 = '2026-11-30T10:00:00.000Z';
  const state = (tokenId: string, facts: TokenState['facts']): TokenState => ({
    tokenId,
    status: 'active',
    statusAt: T0,
    facts: { cardId: CARD, network: 'MDES', ...facts },
    clocks: { status: `0#${T0}#e` },
    firstEventAt: T0,
    lastEventAt: T0,
  });
  const entry = (i: number): TimelineEntry => ({
    eventId: `${run}e${i}`,
    eventType: 'notification',
    occurredAt: `2026-11-30T10:00:0${i}.000Z`,
    callMethod: 'X',
    recognized: true,
    facts: {},
    payload: '{}',
    receivedAt: T0,
  });
  const decision = (id: string, decidedAt: string, over: Partial<DecisionRecord> = {}): DecisionRecord => ({
    decisionId: `${run}${id}`,
    decidedAt,
    decision: 'APPROVED',
    reasonCodes: [],
    firedRules: [],
    latencyMs: 1,
    ...over,
  });
  let reader: string;

  beforeAll(async () => {
    reader = await mint('tokens:read');
    await store.putTokenState(
      state(TOKEN, { walletName: 'Apple Pay', deviceId: `${run}dev`, tokenUniqueReference: TUR }),
      undefined,
    );
    await store.putTokenState(state(`${TOKEN}2`, { walletName: 'Google Pay', deviceId: `${run}dev2` }), undefined);
    for (let i = 0; i < 5; i++) await store.addTimelineEntry({ tokenId: TOKEN }, entry(i));
    await store.putDecision({ tokenId: TOKEN }, decision('d1', '2026-11-28T10:00:00.000Z'));
    await store.putDecision(
      { cardId: CARD },
      decision('d2', '2026-11-29T10:00:00.000Z', {
        decision: 'DECLINED',
        reasonCodes: ['VELOCITY'],
        firedRules: [{ id: 'velocity', outcome: 'DECLINE', reasonCode: 'VELOCITY' }],
        shadow: { ruleSetVersion: 'v2', decision: 'APPROVED', reasonCodes: [], firedRules: [] },
      }),
    );
    await store.putDecision({ tokenId: TOKEN }, decision('d3', '2026-11-29T11:00:00.000Z'));
  }, 60_000);

  it('pages a token timeline with the cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (
        await get(`/tokens/${TOKEN}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`, reader)
      ).json() as C.TimelinePage;
      seen.push(...page.items.map((e) => e.eventId));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 20);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `${run}e${i}`));
    expect((await get(`/tokens/${TOKEN}/timeline?cursor=forged.cursor`, reader)).status).toBe(400);
  });

  it('shows a card with its tokens by wallet and device, and searches by token id, TUR and card id', async () => {
    const card = (await get(`/cards/${CARD}`, reader)).json() as C.CardView;
    expect(card.groups.map((g) => g.walletName).sort()).toEqual(['Apple Pay', 'Google Pay']);
    expect(
      ((await get(`/search?tur=${TUR}`, reader)).json() as C.IdSearchResult).matches.map((m) => m.tokenId),
    ).toEqual([TOKEN]);
    expect(((await get(`/search?tokenId=${TOKEN}`, reader)).json() as C.IdSearchResult).cards).toEqual([CARD]);
    expect(((await get(`/search?cardId=${CARD}`, reader)).json() as C.IdSearchResult).matches).toHaveLength(2);
  });

  it('refuses a card number in a URL without echoing it, and keeps it out of the logs', async () => {
    const logs = captureStdout();
    try {
      for (const path of [`/search?cardId=${DEMO_PAN}`, `/search?pan=${DEMO_PAN}`, `/cards/${DEMO_PAN}`]) {
        const res = await get(path, reader);
        expect([path, res.status]).toEqual([path, 400]);
        expect(findPans(res.text)).toEqual([]);
      }
    } finally {
      logs.restore();
    }
    expect(scanLogText(logs.text())).toEqual([]);
  });

  it('searches by PAN only in a POST body: the answer and the logs hold no PAN', async () => {
    const agent = await mint('tokens:read tokens:write');
    const logs = captureStdout();
    let text = '';
    try {
      const res = await fetch(`${stack.url}/cs/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        body: JSON.stringify({ AccountPan: DEMO_PAN }),
      });
      text = await res.text();
      expect(res.status).toBe(200);
    } finally {
      logs.restore();
    }
    const answer = JSON.parse(text) as C.CsSearchResult;
    expect(answer.tokens.length).toBeGreaterThan(0);
    expect(answer.tokens.every((t) => !t.accountPanSuffix || t.accountPanSuffix.length <= 4)).toBe(true);
    expect(findPans(text)).toEqual([]);
    expect(scanLogText(logs.text())).toEqual([]);
  });

  it('pages the decisions of a period and counts them', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (
        await get(`/decisions?from=2026-11-28&to=2026-11-29&limit=1${cursor ? `&cursor=${cursor}` : ''}`, reader)
      ).json() as C.DecisionsPage;
      ids.push(...page.items.filter((d) => d.decisionId.startsWith(run)).map((d) => d.decisionId));
      cursor = page.nextCursor;
    } while (cursor && ids.length < 50);
    expect(ids).toEqual([`${run}d3`, `${run}d2`, `${run}d1`]);
    const stats = (await get('/decisions/stats?from=2026-11-28&to=2026-11-29', reader)).json() as C.DecisionStats;
    expect(stats.days.map((d) => d.day)).toEqual(['2026-11-28', '2026-11-29']);
    expect(stats.total).toBeGreaterThanOrEqual(3);
    expect(stats.shadow.disagreements).toBeGreaterThanOrEqual(1);
    expect(stats.rules.find((r) => r.id === 'velocity')?.fired).toBeGreaterThanOrEqual(1);
    expect((await get('/decisions?from=2026-01-01&to=2026-12-01', reader)).status).toBe(400);
  });

  it("shows days until each Mastercard key expires, from the key monitor's report", async () => {
    const monitor = [...stack.model.functions.values()].find((f) => f.entry === 'functions/keys/monitor-mdes-keys.ts');
    if (!monitor) throw new Error('no key monitor in the template');
    await stack.invoke(monitor.id, {});
    const view = (await get('/keys/expiry', reader)).json() as C.KeyExpiryView;
    expect(view.customers.map((c) => c.customerId)).toEqual(stack.mdesCustomers.map((c) => c.customerId));
    expect(view.customers[0]?.daysToExpiry).toBeGreaterThan(0);
    expect(JSON.stringify(view)).not.toMatch(/PRIVATE KEY|privateKeyPem/);
  });

  it('refuses every console read to a token without tokens:read (403) and to no token (401)', async () => {
    const other = await mint('openid');
    for (const path of [
      `/tokens/${TOKEN}/timeline`,
      `/cards/${CARD}`,
      `/search?tokenId=${TOKEN}`,
      '/decisions',
      '/decisions/stats',
      '/keys/expiry',
      '/me',
    ]) {
      expect([path, (await get(path, other)).status]).toEqual([path, 403]);
      expect([path, (await get(path)).status]).toEqual([path, 401]);
    }
  });
});
