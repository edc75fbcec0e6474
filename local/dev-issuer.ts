import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, type KeyLike, SignJWT } from 'jose';

/** The issuer name the local stack puts into the template's JWT authorizer. */
export const DEV_ISSUER = 'https://dev-issuer.tokenization.local/';

/** A local OIDC-like issuer: one ES256 key, persisted so tokens survive restarts. Never for production. */
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
  verify(token: string, audience: string[]): Promise<Record<string, unknown>>;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}

async function loadOrCreateKey(file: string): Promise<StoredKey> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const stored: StoredKey = { kid: `dev-${Date.now().toString(36)}`, privateJwk: await exportJWK(privateKey) };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  return stored;
}

/**
 * Opens (or creates) the dev issuer whose key lives in `file`. `defaultClaims` go into every token
 * (the local stack: the officer may act for every configured MDES customer).
 */
export async function openDevIssuer(file: string, defaultClaims: Record<string, unknown> = {}): Promise<DevIssuer> {
  const stored = await loadOrCreateKey(file);
  const privateKey = (await importJWK(stored.privateJwk, 'ES256')) as KeyLike;
  const { d: _d, ...publicJwk } = stored.privateJwk;
  const publicKey = (await importJWK(publicJwk, 'ES256')) as KeyLike;
  return {
    issuer: DEV_ISSUER,
    mint: ({ sub = 'dev-user', name = 'Dev User', scope, audience, ttlSeconds = 3600, claims = {} }) =>
      new SignJWT({ ...defaultClaims, ...claims, scope, name })
        .setProtectedHeader({ alg: 'ES256', kid: stored.kid, typ: 'JWT' })
        .setIssuer(DEV_ISSUER)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey),
    verify: async (token, audience) => {
      const { payload } = await jwtVerify(token, publicKey, { issuer: DEV_ISSUER, audience, algorithms: ['ES256'] });
      return payload as Record<string, unknown>;
    },
  };
}
