/**
 * Sign-in: OpenID Connect authorization code + PKCE (oauth4webapi) against the issuer the API's JWT
 * authorizer trusts, with the endpoints from `GET /console/config.json`. The sign-in page opens in a
 * pop-up window so this page, and everything typed in it, stays alive: the pop-up comes back to
 * `/console?code=…&state=…`, hands the answer to this page over a same-origin BroadcastChannel and
 * closes; this page (which alone knows the PKCE verifier and state) redeems the code. The tokens live
 * in this module's memory only: never in localStorage, sessionStorage, a cookie or IndexedDB.
 */
import * as oauth from 'oauth4webapi';

/** `GET /console/config.json`: camelCase, or the OIDC discovery names. */
export interface ConsoleConfig {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scope: string;
  redirectUri: string;
  endSessionEndpoint?: string;
}

/** The signed-in agent, as the console shows them and decides which buttons to offer. */
export interface Session {
  accessToken: string;
  expiresAt: number;
  userId: string;
  name: string;
  scopes: string[];
  /** May act on tokens (scope `tokens:write`). */
  canAct: boolean;
  role: 'read-only agent' | 'agent' | 'supervisor';
}

const CHANNEL = 'console-sign-in';
const CALLBACK = 'console-callback';

const pick = (o: Record<string, unknown>, ...names: string[]): string | undefined => {
  for (const n of names) if (typeof o[n] === 'string' && o[n]) return o[n] as string;
  return undefined;
};

/** Reads the console's configuration (same origin). */
export async function loadConfig(base = '/console'): Promise<ConsoleConfig> {
  const res = await fetch(`${base}/config.json`, { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Error(`The console configuration could not be read (HTTP ${res.status}).`);
  const raw = (await res.json()) as Record<string, unknown>;
  const oidc = (raw.oidc && typeof raw.oidc === 'object' ? raw.oidc : raw) as Record<string, unknown>;
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new Error(`The console configuration has no ${what}.`);
    return v;
  };
  return {
    issuer: need(pick(oidc, 'issuer'), 'issuer'),
    authorizationEndpoint: need(pick(oidc, 'authorizationEndpoint', 'authorization_endpoint'), 'authorization endpoint'),
    tokenEndpoint: need(pick(oidc, 'tokenEndpoint', 'token_endpoint'), 'token endpoint'),
    clientId: need(pick(oidc, 'clientId', 'client_id'), 'client id'),
    scope: pick(oidc, 'scope', 'scopes') ?? 'openid',
    redirectUri: pick(oidc, 'redirectUri', 'redirect_uri') ?? `${location.origin}${base}`,
    endSessionEndpoint: pick(oidc, 'endSessionEndpoint', 'end_session_endpoint', 'logoutEndpoint'),
  };
}

/**
 * In the pop-up, back from the identity provider: hands the answer to the console page and closes.
 * Returns true when this page is such a callback (the app must not start in it).
 */
export function completeSignInCallback(): boolean {
  const params = new URLSearchParams(location.search);
  if (!params.has('state') || !(params.has('code') || params.has('error'))) return false;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ type: CALLBACK, search: location.search });
  channel.close();
  // The code is single-use and bound to the verifier; keep it out of this window's history anyway.
  history.replaceState(null, '', location.pathname);
  window.close();
  document.body.textContent = 'Signed in. You can close this window.';
  return true;
}

const isLoopback = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url);

function decodeClaims(jwt: string): Record<string, unknown> {
  try {
    const part = jwt.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The agent's kind from the access token's scopes (the API decides; this only chooses what to show). */
export function sessionFromToken(accessToken: string, expiresIn: number | undefined, now = Date.now()): Session {
  const claims = decodeClaims(accessToken);
  const scopeClaim = typeof claims.scope === 'string' ? claims.scope : '';
  const scopes = scopeClaim.split(' ').filter(Boolean);
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : [];
  const canAct = scopes.some((s) => s === 'tokens:write' || s.endsWith('/tokens:write'));
  const supervisor =
    groups.some((g) => /supervisor/i.test(g)) || scopes.some((s) => /supervis|tokens:admin|audit:read/.test(s));
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  return {
    accessToken,
    expiresAt: exp ?? now + (expiresIn ?? 300) * 1000,
    userId: typeof claims.sub === 'string' ? claims.sub : 'unknown',
    name:
      (typeof claims.name === 'string' && claims.name) ||
      (typeof claims.username === 'string' && claims.username) ||
      (typeof claims.sub === 'string' ? claims.sub : 'agent'),
    scopes,
    canAct,
    role: supervisor ? 'supervisor' : canAct ? 'agent' : 'read-only agent',
  };
}

/** Opens the identity provider's sign-in page in a pop-up and resolves with the new session. */
export async function signIn(config: ConsoleConfig): Promise<Session> {
  const as: oauth.AuthorizationServer = {
    issuer: config.issuer,
    authorization_endpoint: config.authorizationEndpoint,
    token_endpoint: config.tokenEndpoint,
  };
  const client: oauth.Client = { client_id: config.clientId };
  // Opened first, within the click that asked for it (pop-up blockers allow only that), then pointed at the IdP.
  const popup = window.open('about:blank', 'console-sign-in', 'popup,width=520,height=680');
  if (!popup) throw new Error('The browser blocked the sign-in window: allow pop-ups for this site and try again.');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(config.authorizationEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);

  const channel = new BroadcastChannel(CHANNEL);
  const answer = new Promise<string>((resolve) => {
    channel.onmessage = (e: MessageEvent) => {
      const data = e.data as { type?: string; search?: string } | null;
      if (data?.type === CALLBACK && typeof data.search === 'string') resolve(data.search);
    };
  });
  popup.location.href = url.href;
  let search: string;
  try {
    search = await answer;
  } finally {
    channel.close();
  }
  const params = oauth.validateAuthResponse(as, client, new URLSearchParams(search), state);
  const insecure = isLoopback(config.tokenEndpoint) ? { [oauth.allowInsecureRequests]: true } : {};
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    config.redirectUri,
    verifier,
    insecure,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  return sessionFromToken(tokens.access_token, tokens.expires_in);
}

/** Where to send the browser to end the identity provider's session too (Cognito's `/logout`). */
export function endSessionUrl(config: ConsoleConfig): string | undefined {
  if (!config.endSessionEndpoint) return undefined;
  const url = new URL(config.endSessionEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('logout_uri', config.redirectUri);
  return url.href;
}
