import { createHash, timingSafeEqual } from 'node:crypto';
import { errors, importJWK, type JWK, type JWTHeaderParameters, type JWTPayload, jwtVerify, type KeyLike } from 'jose';
import { AppError } from '../../domain/errors';

/**
 * Verification of Pismo's signed webhooks. What Pismo documents ("Verifying webhook requests"): a JWT
 * in `Authorization`, signed with a Pismo private key, naming the public key to verify it with, and
 * carrying a SHA-256 hash of the body; unknown key names are resolved by refetching Pismo's key list.
 * Everything else this module checks is our reading, gathered in {@link PISMO_WEBHOOK_UNCONFIRMED}.
 */

/** The two routes Pismo calls; each binds its own audience. */
export type PismoWebhookRoute = 'events' | 'decisions';

/**
 * UNCONFIRMED — every detail of Pismo's webhook token that Pismo does not publish, in one place.
 * Pismo's docs name neither the claims nor the issuer nor an audience; confirm each with Pismo (a
 * sandbox call decoded) before go-live and change it here or by configuration:
 * - `orgClaim`: the claim carrying the tenant (org) id; `org_id` is the name Pismo's event envelopes use.
 * - `bodyHashClaim`: the claim carrying the SHA-256 of the body (hex or base64/base64url accepted).
 * - `replayClaim`: the token's unique id, the standard `jti`; Pismo does not say its tokens carry one,
 *   and a token without it is refused (no replay memory is possible without it).
 * - `audience`: Pismo documents no `aud` nor a route/URL claim; the expected `aud` of each route is
 *   configuration (`tokenization:pismoEventsAudience` / `…DecisionsAudience`), defaulting to the route
 *   path. Pismo's tokens may carry the full URL it calls: then configure that URL.
 * - issuer: no default at all. Pismo publishes no `iss` value, so it is required configuration
 *   (`tokenization:pismoJwtIssuer`), like the tenant id (`tokenization:pismoOrgId`).
 * - the key name is read from the JOSE `kid` header (the conventional place; Pismo says only that the
 *   token "contains the name of a public key").
 */
export const PISMO_WEBHOOK_UNCONFIRMED = {
  orgClaim: 'org_id',
  bodyHashClaim: 'body_hash',
  replayClaim: 'jti',
  audience: { events: '/pismo/events', decisions: '/pismo/tokenization-decisions' },
} as const satisfies { audience: Record<PismoWebhookRoute, string> } & Record<string, unknown>;

export interface PismoWebhookAuthConfig {
  jwksUrl: string;
  /** Accepted signature algorithms; `none` and HMAC are never accepted. */
  algorithms: string[];
  /** Claim holding the SHA-256 of the raw body (hex, base64 or base64url); unconfirmed default. */
  bodyHashClaim?: string;
  /** Expected `iss` (required: a token from another issuer is refused). */
  issuer: string;
  /** Expected tenant (org) id (required) and the claim carrying it (unconfirmed default). */
  orgId: string;
  orgClaim?: string;
  /**
   * The route this verifier serves: its audience is the only one accepted, so a token Pismo signed for
   * one route is refused on the other. Undefined accepts either route's audience (tools, never a handler).
   */
  route?: PismoWebhookRoute;
  /** Expected `aud` per route when not the (unconfirmed) default. */
  audiences?: Partial<Record<PismoWebhookRoute, string>>;
  clockToleranceSeconds: number;
  /** Oldest acceptable `iat`; also caps how long a `jti` must be remembered. */
  maxTokenAgeSeconds: number;
  /** Minimum time between two key-set fetches triggered by unknown key ids. */
  jwksCooldownMs: number;
  /** How long fetched keys are trusted before a refetch. */
  jwksCacheMaxAgeMs: number;
}

/** The verified caller. */
export interface PismoWebhookClaims {
  keyId: string;
  issuer: string;
  orgId: string;
  issuedAt: number;
  /** SHA-256 (hex) of the token's `jti`: the replay-memory key (the raw `jti` is never kept). */
  replayKey: string;
  /** Epoch seconds after which this token can no longer be accepted: how long to remember its `jti`. */
  acceptedUntil: number;
}

/** 401: the request is not a genuine, intact, fresh Pismo webhook for this tenant and route. */
export class UnauthorizedError extends AppError {
  constructor(reason: string) {
    super(reason, 'unauthenticated', { expose: true });
  }
}

const ALLOWED_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);
const JWKS_FETCH_TIMEOUT_MS = 2000;

/** Decodes a hash written as hex or base64(url); undefined when it is neither. */
function hashBytes(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return undefined;
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `token claim check failed: ${err.claim} ${err.reason}`;
  if (err instanceof errors.JOSEAlgNotAllowed) return 'signature algorithm not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof errors.JOSEError) return `token rejected (${err.code})`;
  return 'token rejected';
}

/**
 * Pismo's public keys, each imported once per (`kid`, algorithm) and kept as a KeyLike: the warm path
 * is one Map lookup. The key list is fetched lazily, trusted for `maxAgeMs`, and refetched on an
 * unknown `kid` at most once per `cooldownMs` (one fetch shared by concurrent callers).
 */
function createKeyCache(url: string, cooldownMs: number, maxAgeMs: number) {
  let jwks = new Map<string, JWK>();
  let imported = new Map<string, KeyLike>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;

  async function load(): Promise<void> {
    attemptedAt = Date.now();
    const res = await fetch(url, { signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new UnauthorizedError(`Pismo key set unavailable (HTTP ${res.status})`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new UnauthorizedError('Pismo key set malformed');
    const next = new Map<string, JWK>();
    for (const k of body.keys as JWK[])
      if (typeof k?.kid === 'string' && (!k.use || k.use === 'sig')) next.set(k.kid, k);
    // Keep imported keys whose JWK did not change: a refetch does not re-import the whole set.
    const kept = new Map<string, KeyLike>();
    for (const [id, key] of imported) {
      const kid = id.slice(0, id.lastIndexOf('\u0000'));
      if (JSON.stringify(next.get(kid)) === JSON.stringify(jwks.get(kid))) kept.set(id, key);
    }
    jwks = next;
    imported = kept;
    fetchedAt = Date.now();
  }

  function reload(): Promise<void> {
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return async function keyFor(header: JWTHeaderParameters): Promise<KeyLike> {
    const { kid, alg } = header;
    if (typeof kid !== 'string' || !kid) throw new UnauthorizedError('token names no signing key (kid)');
    const id = `${kid}\u0000${alg}`;
    const age = Date.now() - fetchedAt;
    if (age < maxAgeMs) {
      const key = imported.get(id);
      if (key) return key;
    }
    try {
      // An unknown kid (rotation) refetches at most once per cool-down, counted from the last attempt.
      if (age >= maxAgeMs || (!jwks.has(kid) && Date.now() - attemptedAt >= cooldownMs)) await reload();
    } catch (err) {
      if (err instanceof UnauthorizedError) throw err;
      throw new UnauthorizedError('Pismo key set unavailable');
    }
    const jwk = jwks.get(kid);
    if (!jwk) throw new UnauthorizedError('unknown signing key');
    if (jwk.alg && jwk.alg !== alg) throw new UnauthorizedError('signature algorithm does not match the key');
    let key = imported.get(id);
    if (!key) {
      try {
        key = (await importJWK(jwk, alg)) as KeyLike;
      } catch {
        throw new UnauthorizedError('signing key unusable for the token algorithm');
      }
      imported.set(id, key);
    }
    return key;
  };
}

/**
 * Builds the verifier once per container, for one route (its audience). Checks, in order: signature
 * with a published Pismo key (algorithm allow-list), `iss`, `aud`, `exp`/`iat` (skew, maximum age),
 * the presence of `jti`, the tenant claim, then the body hash over the exact bytes received. Replay
 * memory (the `jti` seen before) is the caller's: see `replayKey`.
 */
export function createPismoWebhookVerifier(config: PismoWebhookAuthConfig) {
  const algorithms = config.algorithms.filter((a) => ALLOWED_ALGORITHMS.has(a));
  if (algorithms.length === 0) throw new Error('no acceptable Pismo JWT algorithm configured');
  if (!config.orgId) throw new Error('the Pismo tenant (org id) is required');
  if (!config.issuer) throw new Error('the Pismo token issuer is required');
  const u = PISMO_WEBHOOK_UNCONFIRMED;
  const orgClaim = config.orgClaim || u.orgClaim;
  const bodyHashClaim = config.bodyHashClaim || u.bodyHashClaim;
  const { replayClaim } = u;
  const audienceOf = (r: PismoWebhookRoute) => config.audiences?.[r] || u.audience[r];
  const audience = config.route ? audienceOf(config.route) : [audienceOf('events'), audienceOf('decisions')];
  const keyFor = createKeyCache(config.jwksUrl, config.jwksCooldownMs, config.jwksCacheMaxAgeMs);
  const options = {
    algorithms,
    issuer: config.issuer,
    audience,
    clockTolerance: config.clockToleranceSeconds,
    maxTokenAge: config.maxTokenAgeSeconds,
    requiredClaims: ['iat', 'exp', replayClaim, orgClaim, bodyHashClaim],
  };

  /** Verifies the Authorization header against the exact body bytes received; throws UnauthorizedError. */
  return async function verify(authorization: string | undefined, rawBody: Buffer): Promise<PismoWebhookClaims> {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) throw new UnauthorizedError('missing Authorization header with the Pismo JWT');
    let payload: JWTPayload;
    let keyId: string;
    try {
      const verified = await jwtVerify(token, keyFor, options);
      payload = verified.payload;
      keyId = verified.protectedHeader.kid ?? '';
    } catch (err) {
      if (err instanceof UnauthorizedError) throw err;
      throw new UnauthorizedError(reasonOf(err));
    }
    const org = payload[orgClaim];
    if (org !== config.orgId) throw new UnauthorizedError(`${orgClaim} does not match this tenant`);
    const jti = payload[replayClaim];
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256)
      throw new UnauthorizedError(`${replayClaim} must be a string of 1-256 characters`);
    const claimed = payload[bodyHashClaim];
    const expected = createHash('sha256').update(rawBody).digest();
    const received = typeof claimed === 'string' ? hashBytes(claimed) : undefined;
    if (!received || received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new UnauthorizedError('body hash does not match the signed hash');
    }
    // jose checked both as numbers; a token stops being acceptable at exp or at iat + max age.
    const issuedAt = payload.iat as number;
    const acceptedUntil =
      Math.min(payload.exp as number, issuedAt + config.maxTokenAgeSeconds) + config.clockToleranceSeconds;
    return {
      keyId,
      issuer: config.issuer,
      orgId: config.orgId,
      issuedAt,
      replayKey: createHash('sha256').update(jti).digest('hex'),
      acceptedUntil,
    };
  };
}

/** The verifier's type, for handlers and tests. */
export type PismoWebhookVerifier = ReturnType<typeof createPismoWebhookVerifier>;
