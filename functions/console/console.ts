/**
 * The console flow's handler (docs/flows/console.md): serves the Customer Service console from the
 * HTTP API itself (same origin as the API, ADR 0029). `GET /console` and `GET /console/{proxy+}`
 * (no authorizer: the page must load before sign-in; it holds no data) answer index.html, the built
 * files of `public/` (bundled next to this handler) and `config.json` (where to sign in), each with
 * the security headers (CSP without inline script or third-party origin, no framing, HSTS, no
 * referrer) and its cache policy. `GET /me` (scope `tokens:read`) tells the console who signed in.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConsoleConfig } from '../../shared/config';
import { errorResponse } from '../../shared/adapters/http/http-handler';
import { claimsOf } from '../../shared/adapters/http/officer';
import { officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import {
  type AssetTarget,
  assetTargetOf,
  cacheControlOf,
  contentTypeOf,
  isTextual,
  securityHeaders,
} from '../../shared/console/assets';
import { connectSourcesOf, consoleConfigOf } from '../../shared/console/console-config';
import { sessionOf } from '../../shared/console/session';

const settings = loadConsoleConfig();
const obs = createObservability('console');
const claimName = officerCustomersClaim();
/** The console's built files: `public/` beside the handler (the bundle's copy in AWS, the source tree locally). */
const PUBLIC_DIR = path.join(__dirname, 'public');
const HEADERS = securityHeaders(connectSourcesOf(settings));

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;

/** Files read once per container (they change only with a deploy), and their gzip form. */
const files = new Map<string, { body: Buffer; gzipped?: Buffer } | null>();

function readAsset(file: string): { body: Buffer; gzipped?: Buffer } | null {
  if (!files.has(file)) {
    try {
      const body = readFileSync(path.join(PUBLIC_DIR, file));
      const type = contentTypeOf(file) ?? '';
      files.set(file, { body, gzipped: isTextual(type) && body.length > 1024 ? gzipSync(body) : undefined });
    } catch {
      files.set(file, null);
    }
  }
  return files.get(file) ?? null;
}

/**
 * The console's origin as the browser sees it: the Host the request reached (API Gateway routes only
 * its own domains to the API; behind CloudFront set `tokenization:consoleUrl`); http only on loopback.
 */
function originOf(event: Event): string {
  const host = event.headers.host || event.requestContext.domainName || 'localhost';
  const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
  const proto = event.headers['x-forwarded-proto'] ?? (loopback ? 'http' : 'https');
  return `${proto}://${host}`;
}

function text(statusCode: number, body: string, target: AssetTarget = { kind: 'none' }): Result {
  return {
    statusCode,
    headers: { ...HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': cacheControlOf(target) },
    body,
  };
}

function serveFile(event: Event, file: string, target: AssetTarget): Result {
  const asset = readAsset(file);
  if (!asset) return file === 'index.html' ? text(503, 'console not built') : text(404, 'not found');
  const type = contentTypeOf(file) ?? 'application/octet-stream';
  const gzip = asset.gzipped && /\bgzip\b/.test(event.headers['accept-encoding'] ?? '');
  const headers: Record<string, string> = {
    ...HEADERS,
    'content-type': type,
    'cache-control': cacheControlOf(target),
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  };
  if (gzip && asset.gzipped)
    return { statusCode: 200, headers, body: asset.gzipped.toString('base64'), isBase64Encoded: true };
  if (isTextual(type)) return { statusCode: 200, headers, body: asset.body.toString('utf8') };
  return { statusCode: 200, headers, body: asset.body.toString('base64'), isBase64Encoded: true };
}

function json(body: unknown): Result {
  return {
    statusCode: 200,
    headers: { ...HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

async function route(event: Event): Promise<Result> {
  if (event.routeKey === 'GET /me') return json(sessionOf(claimsOf(event), claimName));
  const target: AssetTarget =
    event.routeKey === 'GET /console' ? { kind: 'index' } : assetTargetOf(event.pathParameters?.proxy);
  switch (target.kind) {
    case 'config':
      return json(consoleConfigOf(settings, originOf(event)));
    case 'index':
      return serveFile(event, 'index.html', target);
    case 'file':
      return serveFile(event, target.file, target);
    default:
      return text(404, 'not found');
  }
}

export const handler = middy<Event, Result>()
  .use(injectLambdaContext(obs.logger, { resetKeys: true }))
  .use(logMetrics(obs.metrics))
  .handler(async (event) => {
    obs.metrics.addMetric('Requests', 'Count', 1);
    try {
      return await route(event);
    } catch (err) {
      const res = errorResponse(err, obs);
      return { ...res, headers: { ...HEADERS, ...(res.headers as Record<string, string>) } };
    }
  });
