/**
 * local/gateway: API Gateway HTTP API and the Lambda runtime. This file serves the template's routes
 * on loopback and builds payload-v2 events as API Gateway does; its JWT authorizer is as strict as the
 * deployed one (RSA signatures, `exp` required, issuer, audience, scopes), and what API Gateway itself
 * refuses (payloads over 10 MB, malformed percent-encoding, invalid UTF-8) never reaches a function.
 * `lambda-runtime.ts` runs the template's handlers in process with their environment and timeout.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { DevIssuer } from '../dev-issuer/issuer';
import { keepIdleConnectionsOpen } from './http-keep-alive';
import type { LocalRoute } from '../model/model';

/** API Gateway HTTP APIs accept payloads up to 10 MB. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

type Invoke = (functionId: string, event: unknown) => Promise<unknown>;

interface CompiledRoute extends LocalRoute {
  pattern: RegExp;
  params: string[];
}

function compile(route: LocalRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = segment.match(/^\{(\w+)(\+?)\}$/);
      if (!m?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(m[1]);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), params };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const TEXTUAL = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/**
 * What an API Gateway HTTP API JWT authorizer accepts: RSA signatures only, and `exp` is required
 * (AWS docs, "Controlling access to HTTP APIs with JWT authorizers"). The local authorizer refuses the
 * rest, so nothing works locally that a deployed authorizer would refuse.
 */
export const JWT_AUTHORIZER_RULES = {
  algorithms: ['RS256', 'RS384', 'RS512'],
  requiredClaims: ['exp'],
} as const;

/** Thrown for a request API Gateway itself answers 400 (the function is never invoked). */
class BadRequest extends Error {}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a path parameter; a malformed `%` escape is the client's error, as API Gateway treats it. */
function decodePathParameter(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequest('malformed percent-encoding in the path');
  }
}

/** Decodes a textual body; invalid UTF-8 is refused rather than replaced with U+FFFD (a lossy copy). */
function decodeText(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new BadRequest('body is not valid UTF-8');
  }
}

/**
 * The local HTTP API: serves the template's routes on loopback, emulates the JWT authorizer
 * (issuer, audience, scopes) with the dev issuer, and builds payload-v2 events exactly as API
 * Gateway HTTP APIs do for Lambda proxy integrations.
 */
export class LocalGateway {
  private readonly routes: CompiledRoute[];
  private server?: Server;
  private keySet?: ReturnType<typeof createLocalJWKSet>;
  url = '';
  /** Sees each request's route and textual body just before the function does (the stand-ins learn from it). */
  onRequest?: (routeKey: string, body: string | undefined) => void;
  /** Answers requests that are not the template's (the dev issuer's `/dev-issuer/…`); true when it did. */
  localRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

  constructor(
    routes: LocalRoute[],
    private readonly invoke: Invoke,
    private readonly issuer: DevIssuer,
  ) {
    this.routes = routes.map(compile);
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) =>
        err instanceof BadRequest
          ? send(res, 400, JSON.stringify({ message: 'Bad Request' }))
          : send(res, 500, JSON.stringify({ message: 'Internal Server Error' })),
      );
    });
    keepIdleConnectionsOpen(this.server);
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * The JWT authorizer: signature against the issuer's key set (RSA only), `iss`, `exp` required and
   * in the future, `nbf`/`iat` not in the future, and `aud` (or `client_id`) one of the audiences.
   */
  private async authorize(raw: string, issuer: string, audience: string[]): Promise<Record<string, unknown>> {
    // The key set is imported once per gateway, as a deployed authorizer caches the issuer's JWKS.
    this.keySet ??= createLocalJWKSet(this.issuer.jwks());
    const { payload } = await jwtVerify(raw, this.keySet, {
      issuer,
      algorithms: [...JWT_AUTHORIZER_RULES.algorithms],
      requiredClaims: [...JWT_AUTHORIZER_RULES.requiredClaims],
    });
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) throw new Error('iat in the future');
    const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    const clientId = (payload as { client_id?: unknown }).client_id;
    if (!audience.some((a) => aud.includes(a) || a === clientId)) throw new Error('audience mismatch');
    return payload as Record<string, unknown>;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (this.localRoutes && (await this.localRoutes(req, res, url))) return;
    const method = (req.method ?? 'GET').toUpperCase();
    let route: CompiledRoute | undefined;
    let match: RegExpMatchArray | null = null;
    for (const r of this.routes) {
      if (r.method !== method && r.method !== 'ANY') continue;
      match = url.pathname.match(r.pattern);
      if (match) {
        route = r;
        break;
      }
    }
    if (!route || !match) return send(res, 404, JSON.stringify({ message: 'Not Found' }));

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    }

    let jwtContext: { jwt: { claims: Record<string, unknown>; scopes: string[] } } | undefined;
    if (route.auth.type === 'JWT') {
      const raw = headers.authorization?.replace(/^Bearer\s+/i, '');
      if (!raw) return send(res, 401, JSON.stringify({ message: 'Unauthorized' }), { 'www-authenticate': 'Bearer' });
      let claims: Record<string, unknown>;
      try {
        if (route.auth.issuer !== this.issuer.issuer) throw new Error('issuer mismatch');
        claims = await this.authorize(raw, route.auth.issuer, route.auth.audience);
      } catch {
        return send(res, 401, JSON.stringify({ message: 'Unauthorized' }), { 'www-authenticate': 'Bearer' });
      }
      const granted =
        typeof claims.scope === 'string'
          ? claims.scope.split(' ')
          : Array.isArray(claims.scp)
            ? claims.scp.map(String)
            : [];
      if (route.auth.scopes.length && !route.auth.scopes.some((s) => granted.includes(s))) {
        return send(res, 403, JSON.stringify({ message: 'Forbidden' }));
      }
      jwtContext = { jwt: { claims, scopes: granted } };
    }

    const body = await readBody(req);
    if (body === 'too-large') return send(res, 413, JSON.stringify({ message: 'Request Entity Too Large' }));
    const textual = TEXTUAL.test(headers['content-type'] ?? 'application/json');
    const pathParameters = Object.fromEntries(
      route.params.map((p, i) => [p, decodePathParameter(match?.[i + 1] ?? '')]),
    );
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const now = new Date();
    const requestContext: APIGatewayProxyEventV2['requestContext'] = {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    };
    const event = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: route.params.length ? pathParameters : undefined,
      requestContext: { ...requestContext, ...(jwtContext ? { authorizer: jwtContext } : {}) },
      body: body.length ? (textual ? decodeText(body) : body.toString('base64')) : undefined,
      isBase64Encoded: body.length > 0 && !textual,
    };

    let result: APIGatewayProxyStructuredResultV2;
    this.onRequest?.(route.routeKey, event.isBase64Encoded ? undefined : event.body);
    try {
      result = (await this.invoke(route.functionId, event)) as APIGatewayProxyStructuredResultV2;
    } catch (err) {
      const status = err instanceof Error && err.name === 'LocalLambdaTimeout' ? 503 : 500;
      return send(
        res,
        status,
        JSON.stringify({ message: status === 503 ? 'Service Unavailable' : 'Internal Server Error' }),
      );
    }
    const out = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
    res.writeHead(result.statusCode ?? 200, {
      ...(result.headers as Record<string, string>),
      'apigw-requestid': requestContext.requestId,
    });
    res.end(out);
  }
}
