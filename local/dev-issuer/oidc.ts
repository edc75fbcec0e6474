/**
 * The dev issuer's OpenID Connect endpoints, served by the local gateway under `/dev-issuer/` (never
 * in AWS): the console signs in locally exactly as against a real identity provider, with authorization
 * code + PKCE (S256 only), and test users of each kind (read-only, agent, supervisor).
 *
 * - `GET /dev-issuer/authorize?response_type=code&client_id&redirect_uri&scope&state&nonce&code_challenge&code_challenge_method=S256`:
 *   a sign-in page (no script) listing the test users; choosing one (`POST`, same parameters + `user`)
 *   redirects to `redirect_uri?code&state&iss`.
 * - `POST /dev-issuer/token` (form: `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id`,
 *   `code_verifier`): the access token (RS256, the API's audience, the user's scopes, `sub`, `name`,
 *   the MDES customers claim; 15 minutes) and an ID token. A code is single-use and lives 60 s; a wrong
 *   verifier, client or redirect URI is `invalid_grant`.
 * - `GET /dev-issuer/logout?client_id&post_logout_redirect_uri` (or `logout_uri`): back to the console.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scopesOfGroups, type ConsoleGroup } from '../../shared/console/groups';
import type { DevIssuer } from './issuer';

/** The console's client id at the dev issuer (the local stack's `tokenization:consoleClientId`). */
export const DEV_CONSOLE_CLIENT_ID = 'console-local';

/** Paths of the endpoints, as the local stack's console context names them. */
export const DEV_OIDC_PATHS = {
  authorize: '/dev-issuer/authorize',
  token: '/dev-issuer/token',
  logout: '/dev-issuer/logout',
} as const;

export interface DevUser {
  sub: string;
  name: string;
  groups: ConsoleGroup[];
  description: string;
}

/** The test users of the sign-in page: one of each kind. */
export const DEV_USERS: readonly DevUser[] = [
  { sub: 'dev-reader', name: 'Rita Reader', groups: ['read-only'], description: 'read-only agent' },
  { sub: 'dev-agent', name: 'Ana Agent', groups: ['agents'], description: 'agent who may act' },
  { sub: 'dev-supervisor', name: 'Sam Supervisor', groups: ['supervisors'], description: 'supervisor' },
];

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce?: string;
  user: DevUser;
  expiresAt: number;
}

export interface DevOidcOptions {
  /** The API's audience (the access tokens'). */
  audience: string;
  clientId?: string;
  accessTokenTtlSeconds?: number;
  codeTtlMs?: number;
  now?: () => number;
}

const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** S256: base64url(SHA-256(verifier)). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class DevOidcProvider {
  private readonly codes = new Map<string, PendingCode>();
  private readonly clientId: string;
  private readonly now: () => number;

  constructor(
    private readonly issuer: DevIssuer,
    private readonly options: DevOidcOptions,
  ) {
    this.clientId = options.clientId ?? DEV_CONSOLE_CLIENT_ID;
    this.now = options.now ?? Date.now;
  }

  /** Answers a `/dev-issuer/…` request; false for any other path (the gateway's routes). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith('/dev-issuer/')) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    if (url.pathname === DEV_OIDC_PATHS.authorize && method === 'GET')
      this.authorizePage(res, url.searchParams, origin);
    else if (url.pathname === DEV_OIDC_PATHS.authorize && method === 'POST')
      this.signIn(res, await readForm(req), origin);
    else if (url.pathname === DEV_OIDC_PATHS.token && method === 'POST') await this.token(res, await readForm(req));
    else if (url.pathname === DEV_OIDC_PATHS.logout && method === 'GET') this.logout(res, url.searchParams, origin);
    else this.send(res, 404, 'application/json', JSON.stringify({ error: 'not_found' }));
    return true;
  }

  private send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      ...headers,
    });
    res.end(body);
  }

  /** The authorization request's problem, if any (a redirect URI must be the console on this origin). */
  private requestProblem(p: URLSearchParams, origin: string): string | undefined {
    if (p.get('response_type') !== 'code') return 'response_type must be code';
    if (p.get('client_id') !== this.clientId) return 'unknown client_id';
    const redirect = p.get('redirect_uri') ?? '';
    let target: URL;
    try {
      target = new URL(redirect);
    } catch {
      return 'redirect_uri must be an absolute URL';
    }
    if (target.origin !== origin || !target.pathname.startsWith('/console')) return 'redirect_uri is not the console';
    if (p.get('code_challenge_method') !== 'S256') return 'code_challenge_method must be S256 (PKCE)';
    if (!PKCE_CHALLENGE.test(p.get('code_challenge') ?? '')) return 'code_challenge must be a base64url SHA-256';
    return undefined;
  }

  private authorizePage(res: ServerResponse, p: URLSearchParams, origin: string): void {
    const problem = this.requestProblem(p, origin);
    if (problem) return this.send(res, 400, 'text/plain; charset=utf-8', `invalid authorization request: ${problem}`);
    const hidden = [
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'nonce',
      'code_challenge',
      'code_challenge_method',
    ]
      .filter((k) => p.has(k))
      .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(p.get(k) ?? '')}">`)
      .join('');
    const buttons = DEV_USERS.map(
      (u) =>
        `<li><button type="submit" name="user" value="${u.sub}">${escapeHtml(u.name)}</button> ${escapeHtml(u.description)} (${scopesOfGroups(u.groups).join(' ')})</li>`,
    ).join('');
    this.send(
      res,
      200,
      'text/html; charset=utf-8',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev issuer · sign in</title></head>` +
        `<body><main><h1>Sign in (local dev issuer)</h1><p>Test users, for the local stack only.</p>` +
        `<form method="post" action="${DEV_OIDC_PATHS.authorize}">${hidden}<ul>${buttons}</ul></form></main></body></html>`,
    );
  }

  private signIn(res: ServerResponse, form: URLSearchParams, origin: string): void {
    const problem = this.requestProblem(form, origin);
    const user = DEV_USERS.find((u) => u.sub === form.get('user'));
    if (problem || !user)
      return this.send(res, 400, 'text/plain; charset=utf-8', `invalid sign-in: ${problem ?? 'unknown user'}`);
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, {
      clientId: this.clientId,
      redirectUri: form.get('redirect_uri') ?? '',
      codeChallenge: form.get('code_challenge') ?? '',
      scope: form.get('scope') ?? '',
      nonce: form.get('nonce') ?? undefined,
      user,
      expiresAt: this.now() + (this.options.codeTtlMs ?? 60_000),
    });
    const target = new URL(form.get('redirect_uri') ?? '');
    target.searchParams.set('code', code);
    if (form.has('state')) target.searchParams.set('state', form.get('state') ?? '');
    target.searchParams.set('iss', this.issuer.issuer);
    this.send(res, 302, 'text/plain; charset=utf-8', '', { location: target.toString() });
  }

  private async token(res: ServerResponse, form: URLSearchParams): Promise<void> {
    const fail = (error: string, description: string) =>
      this.send(res, 400, 'application/json', JSON.stringify({ error, error_description: description }));
    if (form.get('grant_type') !== 'authorization_code')
      return fail('unsupported_grant_type', 'only authorization_code');
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    // Single use: the code is spent by this request, whatever its outcome.
    this.codes.delete(code);
    if (!pending) return fail('invalid_grant', 'unknown or used code');
    if (pending.expiresAt <= this.now()) return fail('invalid_grant', 'code expired');
    if (form.get('client_id') !== pending.clientId) return fail('invalid_grant', 'client_id does not match');
    if (form.get('redirect_uri') !== pending.redirectUri) return fail('invalid_grant', 'redirect_uri does not match');
    const verifier = form.get('code_verifier') ?? '';
    if (!PKCE_VERIFIER.test(verifier) || s256(verifier) !== pending.codeChallenge)
      return fail('invalid_grant', 'code_verifier does not match the code_challenge');
    const requested = pending.scope.split(' ').filter(Boolean);
    const apiScopes = scopesOfGroups(pending.user.groups).filter(
      (s) => !requested.some((r) => r.startsWith('tokens:')) || requested.includes(s),
    );
    const scope = [...(requested.includes('openid') ? ['openid'] : []), ...apiScopes].join(' ');
    const ttl = this.options.accessTokenTtlSeconds ?? 900;
    const user = pending.user;
    const accessToken = await this.issuer.mint({
      sub: user.sub,
      name: user.name,
      scope,
      audience: this.options.audience,
      ttlSeconds: ttl,
      claims: { client_id: pending.clientId, groups: user.groups },
    });
    const idToken = await this.issuer.mint({
      sub: user.sub,
      name: user.name,
      scope,
      audience: pending.clientId,
      ttlSeconds: ttl,
      claims: { ...(pending.nonce ? { nonce: pending.nonce } : {}), groups: user.groups },
    });
    this.send(
      res,
      200,
      'application/json',
      JSON.stringify({ access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: ttl, scope }),
      { pragma: 'no-cache' },
    );
  }

  private logout(res: ServerResponse, p: URLSearchParams, origin: string): void {
    const back = p.get('post_logout_redirect_uri') ?? p.get('logout_uri') ?? '';
    let target: URL | undefined;
    try {
      target = new URL(back);
    } catch {
      target = undefined;
    }
    if (target && target.origin === origin && target.pathname.startsWith('/console'))
      return this.send(res, 302, 'text/plain; charset=utf-8', '', { location: target.toString() });
    this.send(res, 200, 'text/html; charset=utf-8', '<!doctype html><title>Signed out</title><p>Signed out.</p>');
  }
}
