/**
 * Serving the console's files: which file a path names (never outside the asset directory), its
 * content type, how long it may be cached, and the security headers of every answer.
 */

/** Content types of the files the console's build writes. */
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
};

/** Types served as text (and compressed); the others as base64 binary. */
export function isTextual(contentType: string): boolean {
  return /^(text\/|application\/json|image\/svg)/.test(contentType);
}

export function contentTypeOf(file: string): string | undefined {
  return CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1).toLowerCase()];
}

/** esbuild's `[name]-[hash]` names (8 characters of A-Z and 2-7): content-addressed, so cacheable forever. */
export function isHashedAsset(file: string): boolean {
  return /-[A-Z2-7]{8}\.[a-z0-9]+$/.test(file);
}

export type AssetTarget = { kind: 'file'; file: string } | { kind: 'index' } | { kind: 'config' } | { kind: 'none' };

/**
 * What `GET /console/<rest>` serves: `config.json`, a file of the asset directory (a relative path of
 * safe segments only: no `..`, no hidden file, no backslash), or, for a path without an extension (a
 * screen of the single-page app), index.html.
 */
export function assetTargetOf(rest: string | undefined): AssetTarget {
  const path = (rest ?? '').replace(/^\/+/, '');
  if (path === '' || path === 'index.html') return { kind: 'index' };
  if (path === 'config.json') return { kind: 'config' };
  const segments = path.split('/');
  const safe = segments.every((s) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) && !s.includes('..'));
  if (!safe) return { kind: 'none' };
  const last = segments.at(-1) ?? '';
  if (!last.includes('.')) return { kind: 'index' };
  return contentTypeOf(last) ? { kind: 'file', file: segments.join('/') } : { kind: 'none' };
}

/** How long a file may be cached: hashed assets a year (immutable), index and config never, others revalidated. */
export function cacheControlOf(target: AssetTarget): string {
  if (target.kind === 'file' && isHashedAsset(target.file)) return 'public, max-age=31536000, immutable';
  if (target.kind === 'file') return 'no-cache';
  return 'no-store';
}

/**
 * The Content-Security-Policy: scripts, styles, fonts and images from the console's origin only (no
 * inline script or style, no third-party origin, no eval), fetches to its origin and the identity
 * provider's token endpoint, no framing, no plugins, no `<base>`, forms only to itself.
 */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSources.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers of every console answer (files, config, errors). */
export function securityHeaders(connectSources: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(connectSources),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}
