/**
 * `GET /console/config.json`: where and how the console signs in. Endpoints given as a path (the
 * local dev issuer, served by the same gateway) are made absolute on the console's own origin.
 */
import type { ConsoleSettings } from '../config';
import type { ConsoleConfig } from './contract';

/** The console's URL: the configured one, else `<origin>/console`. */
export function consoleUrlOf(settings: Pick<ConsoleSettings, 'url'>, origin: string): string {
  return settings.url ?? `${origin}/console`;
}

const absolute = (endpoint: string, origin: string) => (endpoint.startsWith('/') ? `${origin}${endpoint}` : endpoint);

export function consoleConfigOf(settings: ConsoleSettings, origin: string): ConsoleConfig {
  const url = consoleUrlOf(settings, origin);
  return {
    issuer: settings.issuer,
    clientId: settings.clientId,
    authorizationEndpoint: absolute(settings.authorizationEndpoint, origin),
    tokenEndpoint: absolute(settings.tokenEndpoint, origin),
    endSessionEndpoint: absolute(settings.endSessionEndpoint, origin),
    redirectUri: url,
    postLogoutRedirectUri: url,
    scope: settings.scope,
    ...(settings.audience ? { audience: settings.audience } : {}),
    mdesCustomers: settings.mdesCustomers,
    environment: settings.environment,
  };
}

/** The origins the console's scripts may fetch from: its own, plus the token endpoint's when elsewhere. */
export function connectSourcesOf(settings: Pick<ConsoleSettings, 'tokenEndpoint'>): string[] {
  if (settings.tokenEndpoint.startsWith('/')) return ["'self'"];
  return ["'self'", new URL(settings.tokenEndpoint).origin];
}
