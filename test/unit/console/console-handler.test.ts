import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import { assetTargetOf, cacheControlOf, isHashedAsset } from '../../../shared/console/assets';
import { accessTokenChangesOf } from '../../../shared/console/token-claims';
import { scopesOfGroups } from '../../../shared/console/groups';
import { sessionOf } from '../../../shared/console/session';
import { buildConsole } from '../../../functions/console/web/build';

const ENV = {
  CONSOLE_ISSUER: 'https://dev-issuer.tokenization.local/',
  CONSOLE_CLIENT_ID: 'console-local',
  CONSOLE_AUTHORIZATION_ENDPOINT: '/dev-issuer/authorize',
  CONSOLE_TOKEN_ENDPOINT: '/dev-issuer/token',
  CONSOLE_END_SESSION_ENDPOINT: '/dev-issuer/logout',
  CONSOLE_SCOPE: 'openid tokens:read tokens:write',
  CONSOLE_ENVIRONMENT: 'local',
  CONSOLE_MDES_CUSTOMERS: 'CID-1,CID-2',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

type Handler = (e: APIGatewayProxyEventV2WithJWTAuthorizer, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler;

beforeAll(async () => {
  buildConsole(); // functions/console/public/ is build output (not committed)
  Object.assign(process.env, ENV);
  ({ handler } = (await import('../../../functions/console/console')) as unknown as { handler: Handler });
});
afterAll(() => {
  for (const k of Object.keys(ENV)) delete process.env[k];
});

function event(
  routeKey: string,
  proxy?: string,
  headers: Record<string, string> = {},
  claims?: Record<string, unknown>,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    routeKey,
    rawPath: '',
    headers,
    pathParameters: proxy === undefined ? undefined : { proxy },
    requestContext: {
      domainName: '127.0.0.1:3000',
      http: { method: 'GET' },
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

const call = (e: APIGatewayProxyEventV2WithJWTAuthorizer) => handler(e, {} as Context);
const headersOf = (r: APIGatewayProxyStructuredResultV2) => r.headers as Record<string, string>;

describe('the console handler', () => {
  it('serves index.html at /console and for app screens, never cached, with the security headers', async () => {
    for (const e of [
      event('GET /console'),
      event('GET /console/{proxy+}', ''),
      event('GET /console/{proxy+}', 'cards/123'),
    ]) {
      const res = await call(e);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<html');
      const h = headersOf(res);
      expect(h['content-type']).toBe('text/html; charset=utf-8');
      expect(h['cache-control']).toBe('no-store');
      expect(h['content-security-policy']).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
          "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(h).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'strict-transport-security': 'max-age=63072000; includeSubDomains',
      });
      expect(h['content-security-policy']).not.toMatch(/unsafe|https?:/);
    }
  });

  it('gzips a large textual file when the browser accepts it', async () => {
    const res = await call(event('GET /console', undefined, { 'accept-encoding': 'gzip, br' }));
    const h = headersOf(res);
    if (h['content-encoding'] === 'gzip') {
      expect(res.isBase64Encoded).toBe(true);
      expect(gunzipSync(Buffer.from(res.body ?? '', 'base64')).toString()).toContain('<html');
    } else expect(res.body).toContain('<html'); // the placeholder is small: sent as is
    expect(h.vary).toBe('accept-encoding');
  });

  it('answers config.json with the sign-in settings, endpoints made absolute on the console origin', async () => {
    const res = await call(event('GET /console/{proxy+}', 'config.json'));
    expect(headersOf(res)['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body ?? '')).toEqual({
      issuer: 'https://dev-issuer.tokenization.local/',
      clientId: 'console-local',
      authorizationEndpoint: 'http://127.0.0.1:3000/dev-issuer/authorize',
      tokenEndpoint: 'http://127.0.0.1:3000/dev-issuer/token',
      endSessionEndpoint: 'http://127.0.0.1:3000/dev-issuer/logout',
      redirectUri: 'http://127.0.0.1:3000/console',
      postLogoutRedirectUri: 'http://127.0.0.1:3000/console',
      scope: 'openid tokens:read tokens:write',
      mdesCustomers: ['CID-1', 'CID-2'],
      environment: 'local',
    });
  });

  it('refuses paths outside the asset directory and unknown files with 404, headers included', async () => {
    for (const proxy of [
      '../../package.json',
      '..%2F..%2Fetc',
      '.env',
      'a/../../b.js',
      'x\\y.js',
      'missing-file.js',
      'x.exe',
    ]) {
      const res = await call(event('GET /console/{proxy+}', proxy));
      expect([proxy, res.statusCode]).toEqual([proxy, 404]);
      expect(headersOf(res)['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('GET /me: the signed-in agent from the verified claims', async () => {
    const res = await call(
      event(
        'GET /me',
        undefined,
        {},
        {
          sub: 'agent-7',
          name: 'Ana Souza',
          scope: 'openid tokens:read tokens:write',
          groups: '[agents]',
          mdes_customers: '[CID-1]',
          exp: 1_800_000_000,
        },
      ),
    );
    expect(JSON.parse(res.body ?? '')).toEqual({
      userId: 'agent-7',
      userName: 'Ana Souza',
      scopes: ['openid', 'tokens:read', 'tokens:write'],
      canAct: true,
      role: 'agent',
      groups: ['agents'],
      mdesCustomers: ['CID-1'],
      expiresAt: new Date(1_800_000_000_000).toISOString(),
    });
  });
});

describe('assets', () => {
  it('caches hashed files for a year, others revalidated, index and config never', () => {
    expect(isHashedAsset('app-7XK2QZ4A.js')).toBe(true);
    expect(isHashedAsset('app.js')).toBe(false);
    expect(cacheControlOf(assetTargetOf('assets/app-7XK2QZ4A.js'))).toBe('public, max-age=31536000, immutable');
    expect(cacheControlOf(assetTargetOf('favicon.svg'))).toBe('no-cache');
    expect(cacheControlOf(assetTargetOf('config.json'))).toBe('no-store');
    expect(cacheControlOf(assetTargetOf('tokens/abc'))).toBe('no-store');
  });
});

describe('sign-in claims', () => {
  it('maps groups to scopes (read-only reads; agents and supervisors act)', () => {
    expect(scopesOfGroups(['read-only'])).toEqual(['tokens:read']);
    expect(scopesOfGroups(['agents'])).toEqual(['tokens:read', 'tokens:write']);
    expect(scopesOfGroups(['supervisors', 'read-only'])).toEqual(['tokens:read', 'tokens:write']);
    expect(scopesOfGroups(['admins'])).toEqual([]);
  });

  it("gives Cognito's access token the group's scopes, name and customers, and suppresses the others", () => {
    expect(
      accessTokenChangesOf({
        username: 'u-1',
        userAttributes: { name: 'Rita Read', email: 'rita@example-issuer.com' },
        groups: ['read-only'],
        mdesCustomers: ['CID-1'],
        customersClaim: 'mdes_customers',
      }),
    ).toEqual({
      claimsToAddOrOverride: { name: 'Rita Read', mdes_customers: ['CID-1'] },
      scopesToAdd: ['tokens:read'],
      scopesToSuppress: ['tokens:write'],
    });
    expect(
      accessTokenChangesOf({
        username: 'u-2',
        userAttributes: {},
        groups: [],
        mdesCustomers: [],
        customersClaim: 'mdes_customers',
      }).scopesToSuppress,
    ).toEqual(['tokens:read', 'tokens:write']);
  });

  it('a session without tokens:write is read-only; supervisors say so', () => {
    expect(sessionOf({ sub: 's', scope: 'tokens:read' }, 'c')).toMatchObject({ canAct: false, role: 'read-only' });
    expect(
      sessionOf({ sub: 's', scope: 'tokens:read tokens:write', 'cognito:groups': ['supervisors'] }, 'c'),
    ).toMatchObject({
      canAct: true,
      role: 'supervisor',
    });
  });
});
