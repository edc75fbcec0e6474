/**
 * The console's shell: sign-in, the navigation, the current screen and the session's life. The
 * session lives in this component's memory. When it expires (its `exp`, or a 401), a sign-in dialog
 * covers the screens and the screens stay mounted underneath (made inert), so whatever the agent
 * typed is still there after signing in again. Sign-out forgets the session and every screen's state.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api } from './api';
import { type ConsoleConfig, endSessionUrl, loadConfig, type Session, signIn } from './auth';
import { hrefOf, parseRoute, type Route } from './router';
import { CardScreen } from './screens/card';
import { DecisionsScreen } from './screens/decisions';
import { DeviceLostScreen } from './screens/device-lost';
import { SearchScreen } from './screens/search';
import { SystemScreen } from './screens/system';
import { TokenScreen } from './screens/token';
import { Ctx, ErrorBox } from './ui';

const NAV: [Route['name'], string][] = [
  ['search', 'Search'],
  ['device-lost', 'Device lost'],
  ['decisions', 'Decisions'],
  ['system', 'System'],
];

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function SignIn(props: {
  config: ConsoleConfig | undefined;
  expired: boolean;
  onSession: (s: Session) => void;
  configError: unknown;
}): VNode {
  const [error, setError] = useState<unknown>();
  const [waiting, setWaiting] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), [props.config]);
  const go = async () => {
    if (!props.config) return;
    setError(undefined);
    setWaiting(true);
    try {
      props.onSession(await signIn(props.config));
    } catch (err) {
      setError(err);
    } finally {
      setWaiting(false);
    }
  };
  const title = props.expired ? 'Your session has expired' : 'Sign in to the Customer Service console';
  return html`<div
    class=${props.expired ? 'signin-dialog' : 'signin'}
    role=${props.expired ? 'dialog' : undefined}
    aria-modal=${props.expired ? 'true' : undefined}
    aria-labelledby="signin-title"
  >
    <div class="signin-box">
      ${props.expired ? html`<h2 id="signin-title">${title}</h2>` : html`<h1 id="signin-title">${title}</h1>`}
      <p>
        ${
          props.expired
            ? 'Sign in again to continue: what you typed is kept.'
            : 'Sign in with your company account. The sign-in page opens in a new window.'
        }
      </p>
      <button type="button" class="primary" ref=${button} onClick=${go} disabled=${!props.config}>
        ${waiting ? 'Waiting for the sign-in window…' : props.expired ? 'Sign in again' : 'Sign in'}
      </button>
      <${ErrorBox} error=${error ?? props.configError} />
    </div>
  </div>`;
}

function Screen(props: { route: Route }): VNode {
  const r = props.route;
  switch (r.name) {
    case 'card':
      return html`<${CardScreen} key=${r.cardId} cardId=${r.cardId} />`;
    case 'token':
      return html`<${TokenScreen} key=${r.tokenId} tokenId=${r.tokenId} />`;
    case 'device-lost':
      return html`<${DeviceLostScreen} cardId=${r.cardId} deviceId=${r.deviceId} />`;
    case 'decisions':
      return html`<${DecisionsScreen} />`;
    case 'system':
      return html`<${SystemScreen} />`;
    default:
      return html`<${SearchScreen} />`;
  }
}

export function App(): VNode {
  const route = useRoute();
  const [config, setConfig] = useState<ConsoleConfig>();
  const [configError, setConfigError] = useState<unknown>();
  const [session, setSession] = useState<Session>();
  const [expired, setExpired] = useState(false);
  const [generation, setGeneration] = useState(0);
  const sessionRef = useRef<Session | undefined>(undefined);
  sessionRef.current = expired ? undefined : session;

  useEffect(() => {
    loadConfig().then(setConfig, setConfigError);
  }, []);

  const api = useMemo(
    () =>
      new Api({
        accessToken: () => {
          const s = sessionRef.current;
          return s && s.expiresAtMs > Date.now() ? s.accessToken : undefined;
        },
        expired: () => setExpired(true),
      }),
    [],
  );

  // The access token's expiry: the dialog appears when it passes (the API would answer 401 anyway).
  useEffect(() => {
    if (!session || expired) return;
    const timer = setTimeout(() => setExpired(true), Math.max(0, session.expiresAtMs - Date.now()));
    return () => clearTimeout(timer);
  }, [session, expired]);

  const onSession = (s: Session) => {
    setSession(s);
    setExpired(false);
    setGeneration((g) => g + 1);
  };

  const signOut = () => {
    const url = config ? endSessionUrl(config) : undefined;
    setSession(undefined);
    setExpired(false);
    sessionRef.current = undefined;
    location.hash = '#/search';
    if (url) location.assign(url);
  };

  if (!session)
    return html`<main id="main">
      <${SignIn} config=${config} expired=${false} onSession=${onSession} configError=${configError} />
    </main>`;

  // The screens keep the (expired) session's view, so nothing they show or hold is unmounted meanwhile.
  const ctx = { api, session, generation };
  return html`<${Ctx.Provider} value=${ctx}>
    <div class="shell" inert=${expired ? true : undefined} aria-hidden=${expired ? 'true' : undefined}>
      <a
        class="skip"
        href="#main"
        onClick=${(e: Event) => {
          e.preventDefault();
          document.getElementById('page-title')?.focus();
        }}
        >Skip to content</a
      >
      <header class="top">
        <p class="brand">Customer Service console</p>
        <nav aria-label="Screens">
          <ul>
            ${NAV.map(
              ([name, label]) =>
                html`<li>
                  <a href=${hrefOf({ name } as Route)} aria-current=${route.name === name ? 'page' : undefined}
                    >${label}</a
                  >
                </li>`,
            )}
          </ul>
        </nav>
        <div class="who">
          <span class="user">${session.userName}</span>
          <span class="role">${session.role === 'read-only' ? 'read-only agent' : session.role}</span>
          <button type="button" onClick=${signOut}>Sign out</button>
        </div>
      </header>
      <main id="main"><${Screen} route=${route} /></main>
    </div>
    ${
      expired
        ? html`<${SignIn} config=${config} expired=${true} onSession=${onSession} configError=${configError} />`
        : null
    }
  <//>`;
}
