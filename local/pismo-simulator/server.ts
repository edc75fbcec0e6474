/**
 * The Pismo stand-in: Pismo's side of the webhooks and the Pismo APIs our functions call. Strict
 * where Pismo is: every webhook is signed the way Pismo signs (JWT in `Authorization`, `kid` header,
 * SHA-256 body hash, org id, issuer, audience = the route, `jti`), with keys published at
 * `/.well-known/jwks.json`; the APIs need an OAuth client-credentials token it issued. Tests can
 * sign deliberately broken tokens (`SignOptions`), rotate keys and change the accounts.
 *
 * Parts: `signing.ts` (keys and JWTs), `apis.ts` (OAuth, cards, accounts), `scenarios.ts` (the
 * anti-fraud webhook's decision scenarios), `cli.ts` (`npm run pismo`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepIdleConnectionsOpen } from '../gateway/http-keep-alive';
import { SIMULATED_CLIENT, seedAccounts, type SimulatedAccount, SimulatedPismoApis } from './apis';
import { loadOrCreateSigningKey, newSigningKey, type PismoSigningKey, signBody, type SignOptions } from './signing';
import { PismoTokenOperationsSimulator } from './token-operations';
import { handleTokenTransfer } from './token-transfer';
import { PismoWalletDataSimulator } from './wallet-data';

export { seedAccounts, SIMULATED_CLIENT, type SimulatedAccount } from './apis';
export {
  loadOrCreateSigningKey,
  newSigningKey,
  type PismoSigningKey,
  SIMULATED_ISSUER,
  SIMULATED_ORG_ID,
  type SignOptions,
} from './signing';

/**
 * A stand-in for Pismo's side of the webhooks: holds signing keys, serves the public key set on
 * loopback (`/.well-known/jwks.json`), and signs request bodies the way Pismo does (JWT in
 * `Authorization`, `kid` header, SHA-256 body hash claim). Serves the simulated Pismo APIs on the
 * same port.
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
  private readonly apis = new SimulatedPismoApis(() => this.accounts);
  /** Told of every webhook before it is sent (the local stack lets the MDES simulator learn new TURs). */
  onSend?: (payload: unknown) => void;
  /** Network-token operations (account tokens, perform/card operations, card tokens): token-operations.ts. */
  readonly tokenOperations = new PismoTokenOperationsSimulator({
    accounts: () => this.accounts,
    client: SIMULATED_CLIENT,
    signHeaders: (url, body) => this.headers(body, { audience: new URL(url).pathname }),
  });
  /** Push provisioning and cards on file (same account tokens): wallet-data.ts. */
  readonly walletData = new PismoWalletDataSimulator(this.tokenOperations);

  private constructor(private current: PismoSigningKey) {
    this.published.push(current);
  }

  /** OAuth tokens issued (to observe token caching). */
  get tokensIssued(): number {
    return this.apis.tokensIssued;
  }

  /** Starts the key-set endpoint; with `keyFile` the signing key persists there (so a CLI can sign too). */
  static async start(keyFile?: string): Promise<PismoSimulator> {
    const sim = new PismoSimulator(keyFile ? await loadOrCreateSigningKey(keyFile) : await newSigningKey());
    sim.server = createServer((req, res) => {
      if (handleTokenTransfer(sim, req, res)) return;
      if (sim.tokenOperations.handle(req, res)) return;
      if (sim.walletData.handle(req, res)) return;
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.url === '/.well-known/jwks.json') {
        sim.jwksFetches++;
        return send(200, { keys: sim.published.map((k) => k.publicJwk) });
      }
      sim.apis.handle(req, send);
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
    return signBody(this.current, body, options);
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
