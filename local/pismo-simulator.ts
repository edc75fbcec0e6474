import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike, SignJWT } from 'jose';

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

export const SIMULATED_ORG_ID = 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6';

/**
 * A stand-in for Pismo's side of the webhooks: holds signing keys, serves the public key set on
 * loopback (`/.well-known/jwks.json`), and signs request bodies the way Pismo does (JWT in
 * `Authorization`, `kid` header, SHA-256 body hash claim).
 */
export class PismoSimulator {
  private server?: Server;
  private readonly published: PismoSigningKey[] = [];
  jwksUrl = '';
  /** Key-set requests served (to observe caching and refetch-on-unknown-key). */
  jwksFetches = 0;

  private constructor(private current: PismoSigningKey) {
    this.published.push(current);
  }

  /** Starts the key-set endpoint; with `keyFile` the signing key persists there (so a CLI can sign too). */
  static async start(keyFile?: string): Promise<PismoSimulator> {
    const sim = new PismoSimulator(keyFile ? await loadOrCreateSigningKey(keyFile) : await newSigningKey());
    sim.server = createServer((req, res) => {
      if (req.url === '/.well-known/jwks.json') {
        sim.jwksFetches++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: sim.published.map((k) => k.publicJwk) }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => sim.server?.listen(0, '127.0.0.1', () => resolve()));
    sim.jwksUrl = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return sim;
  }

  /** Publishes `key` and signs with it from now on (the previous key stays published). */
  rotateTo(key: PismoSigningKey): void {
    this.published.push(key);
    this.current = key;
  }

  /** The JWT Pismo would send for these exact body bytes. */
  async sign(body: string | Buffer, options: SignOptions = {}): Promise<string> {
    const key = options.key ?? this.current;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      body_hash: options.bodyHash ?? createHash('sha256').update(body).digest('hex'),
      org_id: options.orgId ?? SIMULATED_ORG_ID,
      ...options.extraClaims,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuedAt(now + (options.issuedAtOffset ?? 0))
      .setExpirationTime(now + (options.expiresIn ?? 60))
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  /** Headers of a signed JSON webhook. */
  async headers(body: string, options?: SignOptions): Promise<Record<string, string>> {
    return { 'content-type': 'application/json', authorization: `Bearer ${await this.sign(body, options)}` };
  }

  /** POSTs a signed JSON body and returns status and parsed response. */
  async send(
    url: string,
    payload: unknown,
    options?: SignOptions,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = JSON.stringify(payload);
    const res = await fetch(url, { method: 'POST', headers: await this.headers(body, options), body });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
