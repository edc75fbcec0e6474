import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { AppError } from '../domain/errors';

/**
 * Verification of Pismo's signed webhooks: Pismo puts a JWT in `Authorization`, signed with its
 * private key, naming the public key (`kid`) and carrying a SHA-256 hash of the body.
 * Pismo does not publish the claim names, so they are configuration; defaults are documented in
 * the README.
 */
export interface PismoWebhookAuthConfig {
  jwksUrl: string;
  /** Accepted signature algorithms; `none` and HMAC are never accepted. */
  algorithms: string[];
  /** Claim holding the SHA-256 of the raw body (hex, base64 or base64url). */
  bodyHashClaim: string;
  /** Expected `iss`, when configured. */
  issuer?: string;
  /** Expected tenant (org) id and the claim carrying it, when configured. */
  orgId?: string;
  orgClaim: string;
  clockToleranceSeconds: number;
  /** Oldest acceptable `iat`. */
  maxTokenAgeSeconds: number;
  /** Minimum time between two key-set fetches triggered by unknown key ids. */
  jwksCooldownMs: number;
  /** How long fetched keys are trusted before a refetch. */
  jwksCacheMaxAgeMs: number;
}

/** The verified caller. */
export interface PismoWebhookClaims {
  keyId?: string;
  issuer?: string;
  orgId?: string;
  issuedAt?: number;
}

/** 401: the request is not a genuine, intact, fresh Pismo webhook. */
export class UnauthorizedError extends AppError {
  constructor(reason: string) {
    super(reason, 401, true);
  }
}

const ALLOWED_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);

/** Decodes a hash written as hex or base64(url); undefined when it is neither. */
function hashBytes(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return undefined;
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `token claim check failed: ${err.claim} ${err.reason}`;
  if (err instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'signature algorithm not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JOSEError) return `token rejected (${err.code})`;
  return 'token rejected';
}

/**
 * Builds the verifier once per container (the key set is fetched lazily, cached, and refetched at
 * most once per cool-down when an unknown key id shows up). `keySet` replaces the remote key set
 * in tests.
 */
export function createPismoWebhookVerifier(config: PismoWebhookAuthConfig, keySet?: JWTVerifyGetKey) {
  const algorithms = config.algorithms.filter((a) => ALLOWED_ALGORITHMS.has(a));
  if (algorithms.length === 0) throw new Error('no acceptable Pismo JWT algorithm configured');
  const keys =
    keySet ??
    createRemoteJWKSet(new URL(config.jwksUrl), {
      cooldownDuration: config.jwksCooldownMs,
      cacheMaxAge: config.jwksCacheMaxAgeMs,
      timeoutDuration: 2000,
    });

  /** Verifies the Authorization header against the exact body bytes received; throws UnauthorizedError. */
  return async function verify(authorization: string | undefined, rawBody: Buffer): Promise<PismoWebhookClaims> {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) throw new UnauthorizedError('missing Authorization header with the Pismo JWT');
    let payload: JWTPayload;
    let keyId: string | undefined;
    try {
      const verified = await jwtVerify(token, keys, {
        algorithms,
        issuer: config.issuer,
        clockTolerance: config.clockToleranceSeconds,
        maxTokenAge: `${config.maxTokenAgeSeconds}s`,
        requiredClaims: ['iat', 'exp', config.bodyHashClaim],
      });
      payload = verified.payload;
      keyId = verified.protectedHeader.kid;
    } catch (err) {
      throw new UnauthorizedError(reasonOf(err));
    }
    const claimed = payload[config.bodyHashClaim];
    const expected = createHash('sha256').update(rawBody).digest();
    const received = typeof claimed === 'string' ? hashBytes(claimed) : undefined;
    if (!received || received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new UnauthorizedError('body hash does not match the signed hash');
    }
    const org = payload[config.orgClaim];
    if (config.orgId && org !== config.orgId)
      throw new UnauthorizedError(`${config.orgClaim} does not match this tenant`);
    return { keyId, issuer: payload.iss, orgId: typeof org === 'string' ? org : undefined, issuedAt: payload.iat };
  };
}

/** The verifier's type, for handlers and tests. */
export type PismoWebhookVerifier = ReturnType<typeof createPismoWebhookVerifier>;
