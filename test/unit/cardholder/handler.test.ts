import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { CARDHOLDER_ROUTES } from '../../../infra/constructs/cardholder';
// Type only (erased): the module itself is required below, with its environment.
import type * as CardholderModule from '../../../functions/cardholder/cardholder';

/** The handler's module builds its clients at import: an environment like the template's, no calls made. */
const ENVIRONMENT = {
  TABLE_NAME: 'tokens',
  PISMO_API_URL: 'https://pismo.example',
  PISMO_CLIENT_ID: 'client',
  PISMO_CLIENT_SECRET_ID: 'secret',
  PISMO_TOKENIZATION_URL: 'https://pismo.example/cards-tokenization',
  MDES_CUSTOMERS: '[]',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

function load(): typeof CardholderModule {
  const saved = process.env;
  process.env = { ...saved, ...ENVIRONMENT };
  try {
    let mod: typeof CardholderModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh import with this environment
      mod = require('../../../functions/cardholder/cardholder');
    });
    if (!mod) throw new Error('not loaded');
    return mod;
  } finally {
    process.env = saved;
  }
}

function event(routeKey: string, claims: Record<string, unknown>): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    routeKey,
    rawPath: '/me/digital-cards',
    headers: {},
    requestContext: { authorizer: { jwt: { claims, scopes: [] } } },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

describe('functions/cardholder/cardholder.ts', () => {
  const mod = load();

  describe('ROUTES', () => {
    it('has exactly one entry per route of infra/constructs/cardholder.ts', () => {
      expect(Object.keys(mod.ROUTES).sort()).toEqual(CARDHOLDER_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    });
  });

  describe('handler', () => {
    const context = { functionName: 'cardholder', awsRequestId: 'r1' } as Context;
    it.each([
      ['no cardholder scope', { sub: '100002000', scope: 'tokens:write' }],
      ['a subject that is not a Pismo account', { sub: 'agent-7', scope: 'cardholder' }],
    ])('answers 403 for a token with %s, before any route runs', async (_label, claims) => {
      const res = await mod.handler(event('GET /me/digital-cards', claims), context);
      expect(res).toMatchObject({ statusCode: 403 });
      expect(JSON.parse(String(res.body))).toMatchObject({ error: 'NotACardholderError' });
    });
  });
});
