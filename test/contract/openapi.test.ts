import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { DECISION_CALL_METHODS } from '../../shared/adapters/pismo/decision-request';
import { TOKEN_OPERATIONS } from '../../shared/customer-service/customer-service';
import { TOKEN_STATUSES } from '../../shared/domain/token-status';
import { build } from '../infra/build-stacks';
import cdkJson from '../../cdk.json';
import { CARDHOLDER_JWT_AUDIENCE_DEFAULT } from '../../infra/context-defaults';

/**
 * docs/api/openapi.yaml describes exactly the routes the CDK app synthesizes, with the scopes the
 * gateway enforces: a route added, removed or re-scoped in infra/ fails here until the document follows.
 */
const DOC_FILE = path.resolve(__dirname, '..', '..', 'docs', 'api', 'openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: Json[];
  responses: Json;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { securitySchemes: Record<string, Json> } & Json;
}

/** The structure this test relies on (a subset of the OpenAPI 3.1 schema), checked with ajv. */
const STRUCTURE = {
  type: 'object',
  required: ['openapi', 'info', 'paths', 'components'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    info: { type: 'object', required: ['title', 'version'] },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: [...METHODS, 'parameters', 'summary', 'description'] },
        patternProperties: {
          [`^(${METHODS.join('|')})$`]: {
            type: 'object',
            required: ['operationId', 'responses', 'security'],
            properties: {
              operationId: { type: 'string' },
              security: {
                type: 'array',
                minItems: 1,
                items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
              },
              responses: {
                type: 'object',
                minProperties: 1,
                propertyNames: { pattern: '^[1-5]\\d\\d$' },
                additionalProperties: {
                  type: 'object',
                  anyOf: [{ required: ['$ref'] }, { required: ['description'] }],
                },
              },
            },
          },
        },
      },
    },
    components: {
      type: 'object',
      required: ['securitySchemes'],
      properties: {
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] } },
          },
        },
      },
    },
  },
};

function loadDoc(): OpenApiDoc {
  return parse(readFileSync(DOC_FILE, 'utf8')) as OpenApiDoc;
}

function operations(doc: OpenApiDoc): { key: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${p}`, path: p, op: item[m] as Operation })),
  );
}

/** Resolves a local `$ref` (`#/a/b`) in the document. */
function resolve(doc: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), doc);
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refsIn(v, found);
    }
  return found;
}

interface TemplateRoute {
  key: string;
  authorizationType: string;
  scopes: string[];
  /** The JWT authorizer's audience (the internal clients' or the issuer's app's). */
  audience?: string;
}

/** The security scheme the document names for each JWT authorizer, by its audience. */
const SCHEME_OF_AUDIENCE: Record<string, string> = {
  [String(cdkJson.context['tokenization:jwtAudience'])]: 'internalJwt',
  [CARDHOLDER_JWT_AUDIENCE_DEFAULT]: 'cardholderJwt',
};

describe('docs/api/openapi.yaml', () => {
  const doc = loadDoc();
  let routes: TemplateRoute[];

  beforeAll(() => {
    const { stateless } = build();
    const template = Template.fromStack(stateless);
    const found = template.findResources('AWS::ApiGatewayV2::Route');
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    routes = Object.values(found).map((r) => {
      const p = (r as { Properties: Json }).Properties;
      const authorizerId = (p.AuthorizerId as { Ref?: string } | undefined)?.Ref;
      const jwt = authorizerId
        ? ((authorizers[authorizerId]?.Properties as Json | undefined)?.JwtConfiguration as
            { Audience?: string[] } | undefined)
        : undefined;
      return {
        key: String(p.RouteKey),
        authorizationType: String(p.AuthorizationType ?? 'NONE'),
        scopes: ((p.AuthorizationScopes as string[] | undefined) ?? []).slice().sort(),
        ...(jwt?.Audience?.[0] ? { audience: jwt.Audience[0] } : {}),
      };
    });
  });

  it('is OpenAPI 3.1 with the structure the checks below rely on', () => {
    const ajv = new Ajv({ allErrors: true });
    const valid = ajv.validate(STRUCTURE, doc);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('has exactly the (method, path) routes of the synthesized template', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(
      operations(doc)
        .map((o) => o.key)
        .sort(),
    ).toEqual(routes.map((r) => r.key).sort());
  });

  it("requires on each route exactly the scopes of the template's JWT authorizer", () => {
    const byKey = new Map(operations(doc).map((o) => [o.key, o.op]));
    // Both JWT authorizers are in use: the internal clients' and the issuer's app's.
    expect(new Set(routes.map((r) => r.audience && SCHEME_OF_AUDIENCE[r.audience]).filter(Boolean))).toEqual(
      new Set(['internalJwt', 'cardholderJwt']),
    );
    for (const route of routes) {
      const security = byKey.get(route.key)?.security ?? [];
      if (route.authorizationType === 'JWT') {
        const scheme = SCHEME_OF_AUDIENCE[route.audience ?? ''] ?? `unknown audience ${route.audience}`;
        expect({ route: route.key, security }).toEqual({ route: route.key, security: [{ [scheme]: route.scopes }] });
      } else {
        // No gateway authorizer: the function verifies Pismo's signed JWT itself.
        expect({ route: route.key, type: route.authorizationType, security }).toEqual({
          route: route.key,
          type: 'NONE',
          security: [{ pismoWebhookJwt: [] }],
        });
      }
    }
  });

  it('declares every scope it uses on the JWT security scheme of its authorizer', () => {
    for (const name of ['internalJwt', 'cardholderJwt']) {
      const scheme = doc.components.securitySchemes[name] as { type: string; 'x-scopes': Json };
      expect(scheme.type).toBe('openIdConnect');
      const declared = new Set(Object.keys(scheme['x-scopes']));
      const used = new Set(
        routes.filter((r) => r.audience && SCHEME_OF_AUDIENCE[r.audience] === name).flatMap((r) => r.scopes),
      );
      expect(used.size).toBeGreaterThan(0);
      expect([...used].filter((s) => !declared.has(s))).toEqual([]);
    }
  });

  it('declares each path template parameter, and every $ref resolves', () => {
    for (const { key, path: p, op } of operations(doc)) {
      const declared = (op.parameters ?? [])
        .map((prm) => (typeof prm.$ref === 'string' ? (resolve(doc, prm.$ref) as Json) : prm))
        .filter((prm) => prm?.in === 'path')
        .map((prm) => String(prm.name))
        .sort();
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      expect({ key, declared }).toEqual({ key, declared: inPath });
    }
    expect(refsIn(doc).filter((ref) => resolve(doc, ref) === undefined)).toEqual([]);
  });

  it('names the values the code accepts: call methods, Customer Service operations, token statuses', () => {
    const schemas = doc.components.schemas as Record<string, Json>;
    const decision = schemas.DecisionRequest?.properties as Record<string, { enum: string[] }>;
    expect(decision.network_call_method?.enum).toEqual([...DECISION_CALL_METHODS]);
    const params = doc.components.parameters as Record<string, { schema: { enum: string[] } }>;
    const ops = Object.entries(TOKEN_OPERATIONS);
    expect(params.ReadOperation?.schema.enum.sort()).toEqual(
      ops
        .filter(([, o]) => !o.write)
        .map(([n]) => n)
        .sort(),
    );
    expect(params.WriteOperation?.schema.enum.sort()).toEqual(
      ops
        .filter(([, o]) => o.write)
        .map(([n]) => n)
        .sort(),
    );
    const state = schemas.TokenState?.properties as Record<string, { enum: string[] }>;
    expect(state.status?.enum).toEqual([...TOKEN_STATUSES]);
  });
});
