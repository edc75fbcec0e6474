import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike, SignJWT } from 'jose';

export const SIMULATED_ORG_ID = 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6';

/** The simulated Pismo's token issuer (cdk.json's `tokenization:pismoJwtIssuer` for the demo tenant). */
export const SIMULATED_ISSUER = 'https://pismo-simulator.local';

/** Options for one signed request, to produce valid and deliberately broken tokens. */
export interface SignOptions {
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Issued-at offset in seconds from now (positive: in the future). */
  issuedAtOffset?: number;
  /** Sign with a key the key set does not (yet) list. */
  key?: PismoSigningKey;
  /** Override the body hash claim (e.g. a hash of other bytes). */
  bodyHash?: string;
  orgId?: string;
  /** The `iss` to sign; by default the simulated Pismo's. */
  issuer?: string;
  /** The `aud` to sign; by default the route the body is for (`send` uses the URL's path). */
  audience?: string;
  /** Leave the `jti` out (a token with no replay id). */
  noJti?: boolean;
  extraClaims?: Record<string, unknown>;
}

/** One Pismo signing key. */
export interface PismoSigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicJwk: JWK;
}

/** Generates a signing key (RSA by default, as Pismo's are). */
export async function newSigningKey(alg: 'RS256' | 'ES256' = 'RS256'): Promise<PismoSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `pismo-sim-${randomUUID().slice(0, 8)}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** Loads the signing key persisted in `file`, creating it on first use. Local use only. */
export async function loadOrCreateSigningKey(file: string): Promise<PismoSigningKey> {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as {
      kid: string;
      alg: 'RS256';
      privateJwk: JWK;
      publicJwk: JWK;
    };
    return {
      kid: stored.kid,
      alg: stored.alg,
      privateKey: (await importJWK(stored.privateJwk, stored.alg)) as KeyLike,
      publicJwk: stored.publicJwk,
    };
  }
  const key = await newSigningKey();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      kid: key.kid,
      alg: key.alg,
      privateJwk: await exportJWK(key.privateKey),
      publicJwk: key.publicJwk,
    }),
    { mode: 0o600 },
  );
  return key;
}

/**
 * The route Pismo would be calling with this body: events carry an `event_id`, decision requests do
 * not (read from the text, so a deliberately malformed body is signed for its route too). Used when
 * the caller names no URL: Pismo always knows which webhook it calls; we only see bytes.
 */
function routeOf(body: string | Buffer): string {
  return /"event_id"\s*:/.test(body.toString()) ? '/pismo/events' : '/pismo/tokenization-decisions';
}

/**
 * The JWT Pismo would send for these exact body bytes, signed with `key` (unless `options.key`):
 * `kid` header, SHA-256 body hash and org id claims, issuer, audience, a 60 s lifetime and a `jti`.
 */
export async function signBody(
  key: PismoSigningKey,
  body: string | Buffer,
  options: SignOptions = {},
): Promise<string> {
  const signingKey = options.key ?? key;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    body_hash: options.bodyHash ?? createHash('sha256').update(body).digest('hex'),
    org_id: options.orgId ?? SIMULATED_ORG_ID,
    ...options.extraClaims,
  })
    .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? SIMULATED_ISSUER)
    .setAudience(options.audience ?? routeOf(body))
    .setIssuedAt(now + (options.issuedAtOffset ?? 0))
    .setExpirationTime(now + (options.expiresIn ?? 60));
  if (!options.noJti) jwt.setJti(randomUUID());
  return jwt.sign(signingKey.privateKey);
}
