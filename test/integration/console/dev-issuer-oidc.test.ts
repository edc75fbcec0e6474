/** The dev issuer's OIDC endpoints on their own server, with a clock the test moves: code expiry and refusals. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeJwt } from 'jose';
import { openDevIssuer } from '../../../local/dev-issuer/issuer';
import { DevOidcProvider, s256 } from '../../../local/dev-issuer/oidc';

let server: Server;
let base = '';
let now = Date.parse('2026-12-02T10:00:00.000Z');

beforeAll(async () => {
  const issuer = await openDevIssuer(path.join(mkdtempSync(path.join(tmpdir(), 'oidc-')), 'key.json'), {
    mdes_customers: ['CID-DEMO'],
  });
  const oidc = new DevOidcProvider(issuer, { audience: 'api', now: () => now });
  server = createServer((req, res) => {
    void oidc.handle(req, res, new URL(req.url ?? '/', 'http://x')).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const verifier = () => randomBytes(32).toString('base64url');

async function code(v: string, over: Record<string, string> = {}) {
  const params = {
    response_type: 'code',
    client_id: 'console-local',
    redirect_uri: `${base}/console`,
    scope: 'openid tokens:read tokens:write',
    state: 'st',
    code_challenge: s256(v),
    code_challenge_method: 'S256',
    user: 'dev-supervisor',
    ...over,
  };
  const res = await fetch(`${base}/dev-issuer/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    redirect: 'manual',
  });
  return {
    status: res.status,
    code: new URL(res.headers.get('location') ?? `${base}/`).searchParams.get('code') ?? '',
  };
}

const token = (c: string, v: string, over: Record<string, string> = {}) =>
  fetch(`${base}/dev-issuer/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: c,
      redirect_uri: `${base}/console`,
      client_id: 'console-local',
      code_verifier: v,
      ...over,
    }),
  });

describe('dev issuer OIDC', () => {
  it('issues a short RS256 access token with sub, name, scopes and the customers claim', async () => {
    const v = verifier();
    const res = await token((await code(v)).code, v);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; id_token: string; expires_in: number };
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      sub: 'dev-supervisor',
      name: 'Sam Supervisor',
      aud: 'api',
      scope: 'openid tokens:read tokens:write',
      mdes_customers: ['CID-DEMO'],
      groups: ['supervisors'],
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    expect(decodeJwt(body.id_token).aud).toBe('console-local');
  });

  it('refuses an expired code', async () => {
    const v = verifier();
    const c = (await code(v)).code;
    now += 61_000;
    const res = await token(c, v);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant', error_description: 'code expired' });
  });

  it('refuses another redirect URI or client at the token endpoint, and a plain or missing PKCE challenge', async () => {
    const v = verifier();
    expect((await token((await code(v)).code, v, { redirect_uri: `${base}/console/x` })).status).toBe(400);
    expect((await token((await code(v)).code, v, { client_id: 'other' })).status).toBe(400);
    expect((await code(v, { code_challenge_method: 'plain' })).status).toBe(400);
    expect((await code(v, { redirect_uri: 'https://evil.example/console/' })).status).toBe(400);
    expect((await code(v, { user: 'nobody' })).status).toBe(400);
    expect((await token('x', v, { grant_type: 'password' })).status).toBe(400);
  });
});
