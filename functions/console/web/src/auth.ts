/**
 * Sign-in: OpenID Connect authorization code + PKCE (oauth4webapi) against the issuer the API's JWT
 * authorizer trusts, with the endpoints from `GET /console/config.json`. The sign-in page opens in a
 * pop-up window so this page, and everything typed in it, stays alive: the pop-up comes back to the
 * console's redirect URI with `code` and `state`, hands them to this page over a same-origin
 * BroadcastChannel and closes; this page (which alone knows the PKCE verifier, state and nonce)
 * redeems the code. The tokens live in this module's callers' memory only: never in localStorage,
 * sessionStorage, a cookie or IndexedDB.
 */
import * as oauth from 'oauth4webapi';
import type { ConsoleConfig, ConsoleSession } from '../../../../shared/console/contract';

export type { ConsoleConfig };

/** The signed-in agent: who they are (`GET /me`) and the access token, in memory. */
export interface Session extends ConsoleSession {
  accessToken: string;
  /** Epoch ms. */
  expiresAtMs: number;
}

const CHANNEL = 'console-sign-in';
const CALLBACK = 'console-callback';

/** Reads the console's configuration (same origin, no auth). */
export async function loadConfig(base = '/console'): Promise<ConsoleConfig> {
  const res = await fetch(`${base}/config.json`, { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Error(`The console configuration could not be read (HTTP ${res.status}). Reload the page.`);
  return (await res.json()) as ConsoleConfig;
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
  document.body.textContent = 'Signed in. You can close this window.';
  window.close();
  return true;
}

const isLoopback = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url);

/** Who the token's holder is, from the API (the console only decides what to show; the API decides). */
async function whoAmI(accessToken: string): Promise<ConsoleSession> {
  const res = await fetch('/me', {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!res.ok) throw new Error(`Signed in, but the API refused the session (HTTP ${res.status}). Sign in again.`);
  return (await res.json()) as ConsoleSession;
}

/** Opens the identity provider's sign-in page in a pop-up and resolves with the new session. */
export async function signIn(config: ConsoleConfig): Promise<Session> {
  // Opened first, within the click that asked for it (pop-up blockers allow only that), then pointed at the IdP.
  const popup = window.open('about:blank', 'console-sign-in', 'popup,width=520,height=700');
  if (!popup) throw new Error('The browser blocked the sign-in window: allow pop-ups for this site and try again.');
  const as: oauth.AuthorizationServer = {
    issuer: config.issuer,
    authorization_endpoint: config.authorizationEndpoint,
    token_endpoint: config.tokenEndpoint,
  };
  const client: oauth.Client = { client_id: config.clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(config.authorizationEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (config.audience) url.searchParams.set('audience', config.audience);

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
  // An ID token, when the IdP sends one, must carry our nonce; the access token is what the API checks.
  const hasIdToken = await response
    .clone()
    .json()
    .then((b: { id_token?: unknown }) => typeof b.id_token === 'string')
    .catch(() => false);
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    response,
    hasIdToken ? { expectedNonce: nonce } : undefined,
  );
  const me = await whoAmI(tokens.access_token);
  const fromMe = me.expiresAt ? Date.parse(me.expiresAt) : NaN;
  return {
    ...me,
    accessToken: tokens.access_token,
    expiresAtMs: Number.isFinite(fromMe) ? fromMe : Date.now() + (tokens.expires_in ?? 300) * 1000,
  };
}

/** Where to send the browser to end the identity provider's session too (Cognito's `/logout`). */
export function endSessionUrl(config: ConsoleConfig): string | undefined {
  if (!config.endSessionEndpoint) return undefined;
  const url = new URL(config.endSessionEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri);
  url.searchParams.set('logout_uri', config.postLogoutRedirectUri);
  return url.href;
}
