import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { keepIdleConnectionsOpen } from '../gateway/http-keep-alive';
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike, SignJWT } from 'jose';
import { PismoTokenOperationsSimulator } from './token-operations';

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

/** A cardholder as Pismo's accounts API would return them (local data only). */
export interface SimulatedAccount {
  accountId: string;
  cardIds: string[];
  phones: { type: string; country_code: string; area_code: string; number: string; active: boolean }[];
  customers: { email?: string; is_owner: boolean }[];
}

/** The cardholders of the seed events: MDES card 4995608 (phone hint ###7728) and VTS card 5271995. */
export function seedAccounts(): SimulatedAccount[] {
  return [
    {
      accountId: '100001185',
      cardIds: ['4995608'],
      phones: [{ type: 'MOBILE', country_code: '55', area_code: '11', number: '912347728', active: true }],
      customers: [{ email: 'ana.souza@example.com', is_owner: true }],
    },
    {
      accountId: '100002000',
      cardIds: ['5271995', '5272036'],
      phones: [{ type: 'MOBILE', country_code: '55', area_code: '31', number: '988881234', active: true }],
      customers: [{ email: 'daniel.k@example.com', is_owner: true }],
    },
  ];
}

export const SIMULATED_CLIENT = { id: 'local-issuer', secret: 'local-secret' };

export const SIMULATED_ORG_ID = 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6';

/** The simulated Pismo's token issuer (cdk.json's `tokenization:pismoJwtIssuer` for the demo tenant). */
export const SIMULATED_ISSUER = 'https://pismo-simulator.local';

/**
 * The route Pismo would be calling with this body: events carry an `event_id`, decision requests do
 * not (read from the text, so a deliberately malformed body is signed for its route too). Used when
 * the caller names no URL: Pismo always knows which webhook it calls; we only see bytes.
 */
function routeOf(body: string | Buffer): string {
  return /"event_id"\s*:/.test(body.toString()) ? '/pismo/events' : '/pismo/tokenization-decisions';
}

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
  /** Base URL of the simulated Pismo APIs (OAuth, cards, accounts). */
  apiUrl = '';
  /** The accounts the simulated Pismo APIs serve; tests may change them. */
  accounts: SimulatedAccount[] = seedAccounts();
  /** OAuth tokens issued (to observe token caching). */
  tokensIssued = 0;
  private readonly accessTokens = new Set<string>();
  /** Network-token operations (account tokens, perform/card operations, card tokens): token-operations.ts. */
  readonly tokenOperations = new PismoTokenOperationsSimulator({
    accounts: () => this.accounts,
    client: SIMULATED_CLIENT,
    signHeaders: (url, body) => this.headers(body, { audience: new URL(url).pathname }),
  });

  private constructor(private current: PismoSigningKey) {
    this.published.push(current);
  }

  /** Starts the key-set endpoint; with `keyFile` the signing key persists there (so a CLI can sign too). */
  static async start(keyFile?: string): Promise<PismoSimulator> {
    const sim = new PismoSimulator(keyFile ? await loadOrCreateSigningKey(keyFile) : await newSigningKey());
    sim.server = createServer((req, res) => {
      if (sim.tokenOperations.handle(req, res)) return;
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.url === '/.well-known/jwks.json') {
        sim.jwksFetches++;
        return send(200, { keys: sim.published.map((k) => k.publicJwk) });
      }
      if (req.method === 'POST' && req.url === '/passport/v1/oauth2/token') {
        let raw = '';
        req.on('data', (c: Buffer) => {
          raw += c.toString();
        });
        req.on('end', () => {
          const form = new URLSearchParams(raw);
          if (form.get('client_id') !== SIMULATED_CLIENT.id || form.get('client_secret') !== SIMULATED_CLIENT.secret) {
            return send(401, { message: 'invalid client' });
          }
          const token = randomUUID();
          sim.accessTokens.add(token);
          sim.tokensIssued++;
          send(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
        });
        return;
      }
      const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!sim.accessTokens.has(bearer)) return send(401, { message: 'missing or unknown access token' });
      const card = req.url?.match(/^\/cards\/v2\/cards\/([^/]+)$/);
      if (card) {
        const account = sim.accounts.find((a) => a.cardIds.includes(decodeURIComponent(card[1] ?? '')));
        return account
          ? send(200, { id: card[1], account_id: Number(account.accountId) })
          : send(404, { message: 'card not found' });
      }
      const sub = req.url?.match(/^\/accounts\/v1\/accounts\/([^/]+)\/(phones|customers)$/);
      if (sub) {
        const account = sim.accounts.find((a) => a.accountId === decodeURIComponent(sub[1] ?? ''));
        if (!account) return send(404, { message: 'account not found' });
        return send(200, { items: sub[2] === 'phones' ? account.phones : account.customers });
      }
      send(404, { message: `no simulated Pismo API at ${req.url}` });
    });
    keepIdleConnectionsOpen(sim.server);
    await new Promise<void>((resolve) => sim.server?.listen(0, '127.0.0.1', () => resolve()));
    sim.apiUrl = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    sim.jwksUrl = `${sim.apiUrl}/.well-known/jwks.json`;
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
    const jwt = new SignJWT({
      body_hash: options.bodyHash ?? createHash('sha256').update(body).digest('hex'),
      org_id: options.orgId ?? SIMULATED_ORG_ID,
      ...options.extraClaims,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? SIMULATED_ISSUER)
      .setAudience(options.audience ?? routeOf(body))
      .setIssuedAt(now + (options.issuedAtOffset ?? 0))
      .setExpirationTime(now + (options.expiresIn ?? 60));
    if (!options.noJti) jwt.setJti(randomUUID());
    return jwt.sign(key.privateKey);
  }

  /** Headers of a signed JSON webhook. */
  async headers(body: string, options?: SignOptions): Promise<Record<string, string>> {
    return { 'content-type': 'application/json', authorization: `Bearer ${await this.sign(body, options)}` };
  }

  /** POSTs a signed JSON body and returns status and parsed response. */
  /** Told of every webhook before it is sent (the local stack lets the MDES simulator learn new TURs). */
  onSend?: (payload: unknown) => void;

  async send(
    url: string,
    payload: unknown,
    options?: SignOptions,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    this.onSend?.(payload);
    const body = JSON.stringify(payload);
    const signing = { audience: new URL(url).pathname, ...options };
    const res = await fetch(url, { method: 'POST', headers: await this.headers(body, signing), body });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
