/**
 * local/dev-issuer: the identity provider stand-in. It mints the officers' and agents' JWTs the local
 * gateway's authorizer verifies (`npm run dev-token`): RS256 with `exp`, as a deployed HTTP API
 * authorizer requires, from one key kept in `.local/` (0600). Never for production.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike, SignJWT } from 'jose';

/** The issuer name the local stack puts into the template's JWT authorizer. */
export const DEV_ISSUER = 'https://dev-issuer.tokenization.local/';

/**
 * RS256, because API Gateway HTTP API JWT authorizers accept RSA signatures only: a token the dev
 * issuer mints must be one a real authorizer could accept.
 */
const DEV_ISSUER_ALG = 'RS256';

/** A local OIDC-like issuer: one RSA key, persisted so tokens survive restarts. Never for production. */
export interface DevIssuer {
  issuer: string;
  mint(claims: {
    sub?: string;
    name?: string;
    scope: string;
    audience: string;
    ttlSeconds?: number;
    /** Extra claims (e.g. the MDES customers an officer may act for), over the issuer's defaults. */
    claims?: Record<string, unknown>;
  }): Promise<string>;
  /** The public key set, as an IdP serves it at its `jwks_uri` (what the gateway's authorizer verifies with). */
  jwks(): { keys: JWK[] };
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}

async function loadOrCreateKey(file: string): Promise<StoredKey> {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
    // Keys written before the issuer moved to RS256 were EC: replace them (old tokens stop working).
    if (stored.privateJwk.kty === 'RSA') return stored;
  }
  const { privateKey } = await generateKeyPair(DEV_ISSUER_ALG, { extractable: true, modulusLength: 2048 });
  const stored: StoredKey = {
    kid: `dev-${Date.now().toString(36)}`,
    privateJwk: { ...(await exportJWK(privateKey)), alg: DEV_ISSUER_ALG },
  };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  return stored;
}

/**
 * Opens (or creates) the dev issuer whose key lives in `file`. `defaultClaims` go into every token
 * (the local stack: the officer may act for every configured MDES customer).
 */
export async function openDevIssuer(file: string, defaultClaims: Record<string, unknown> = {}): Promise<DevIssuer> {
  const stored = await loadOrCreateKey(file);
  const privateKey = (await importJWK(stored.privateJwk, DEV_ISSUER_ALG)) as KeyLike;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = stored.privateJwk;
  return {
    issuer: DEV_ISSUER,
    mint: ({ sub = 'dev-user', name = 'Dev User', scope, audience, ttlSeconds = 3600, claims = {} }) =>
      new SignJWT({ ...defaultClaims, ...claims, scope, name })
        .setProtectedHeader({ alg: DEV_ISSUER_ALG, kid: stored.kid, typ: 'JWT' })
        .setIssuer(DEV_ISSUER)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey),
    jwks: () => ({ keys: [{ ...publicJwk, kid: stored.kid, use: 'sig' }] }),
  };
}
