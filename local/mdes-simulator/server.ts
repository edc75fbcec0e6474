/**
 * The Mastercard MDES stand-in: a local MDES Customer Service API 2.0.7 (the 15 operations of the
 * spec in `specs/`) plus the Mastercard Developers credentials API that issues, activates and revokes
 * its client keys. Strict where the real one is: every request is validated against the spec's
 * schemas; OAuth 1.0a signatures and body hashes are verified against registered keys (unknown,
 * pending, expired or revoked keys and replayed nonces → 401); JWE payloads must name Mastercard's
 * key; the FAQ's status table and multi-suspender rule decide what an issuer may do to a token;
 * errors have the spec's shape. Faults (latency, error status, no answer) can be injected per operation.
 *
 * This file is the HTTP server and the simulator's public face; the parts are in `oauth.ts` (key
 * registry and signature checks), `registry.ts` (credentials API), `encryption.ts` (JWE),
 * `vault.ts` (tokens and their status rules), `operations.ts` (the 15 operations), `faults.ts`,
 * `reply.ts` (the error shape) and `spec.ts` (the spec as JSON Schema). Around it: `keys.ts` (the
 * local customers' MDES secrets, registered here), `vault-sync.ts` (the vault follows Pismo's events)
 * and `test-clients.ts` (client identities for tests and benches).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isEncryptedBody } from '../../shared/adapters/mdes/payload-encryption';
import type { PemKeyPair } from '../../shared/adapters/mdes/x509';
import { ENCRYPTABLE_PATHS, PayloadEncryption } from './encryption';
import { type Fault, FaultInjector } from './faults';
import { newConsumerKey, OAuthVerifier, type RegisteredKey } from './oauth';
import { executeOperation } from './operations';
import { handleRegistryRequest } from './registry';
import { errorBody, sendJson, SimError } from './reply';
import { specOperations, validateAgainstSpec } from './spec';
import { type SimToken, type StatusCode, TokenVault } from './vault';

export type { Fault } from './faults';
export type { RegisteredKey } from './oauth';
export { DEMO_PAN, IN_PROGRESS_TUR, SEED_TUR, type SimToken, WALLET_SUSPENDED_TUR } from './vault';

/** The base path of the API, as on api.mastercard.com. */
export const MDES_BASE_PATH = '/mdes/csapi/v2';
/** The base path of the simulated Mastercard Developers credentials API. */
export const REGISTRY_BASE_PATH = '/developers';

/** One request as the simulator saw it (for tests and the demo; no PAN). */
export interface SimRequestLog {
  at: string;
  operation: string;
  consumerKey?: string;
  status: number;
  encrypted: boolean;
  userId?: string;
}

/** Operations from the spec itself: method + path → the request schema and its wrapper key. */
const OPERATION_BY_PATH = new Map(
  specOperations().map((o) => [
    `${o.method} ${o.path}`,
    {
      requestSchema: o.requestSchema,
      // The wrapper key is the schema's single property (e.g. SearchRequestSchema → SearchRequest).
      requestKey: o.requestSchema?.replace(/Schema$/, ''),
    },
  ]),
);

/**
 * A local Mastercard MDES Customer Service: the 15 operations of the 2.0.7 spec over a token vault,
 * OAuth 1.0a signature and body-hash verification against registered keys (unknown, expired,
 * revoked → 401), JWE request decryption and response encryption, the FAQ's status rules and
 * multi-suspender logic, the spec's error shape, and per-operation fault injection.
 */
export class MdesSimulator {
  private server?: Server;
  url = '';
  readonly vault = new TokenVault();
  private readonly oauth = new OAuthVerifier();
  /** The registered client keys, by consumer key. */
  readonly keys: Map<string, RegisteredKey> = this.oauth.keys;
  readonly requests: SimRequestLog[] = [];
  private readonly faults = new FaultInjector();
  private readonly encryption: PayloadEncryption;
  /** Mastercard's own encryption key pair ("client encryption key"): clients encrypt requests to it. */
  readonly encryptionKeys: PemKeyPair;
  readonly encryptionCertificatePem: string;
  /** Requires JWE on Search, Token Activate and Token Update (as MTF/production can). */
  requireEncryption = false;
  /** false: accept unsigned requests (only the client-overhead bench turns this off, for its baseline). */
  verifySignatures = true;
  /** Base URL of the simulated Mastercard Developers credentials API (key registration, rotation). */
  registryUrl = '';
  /** Validity of keys the credentials API issues (Mastercard: 12 months). */
  keyValidityMs = 365 * 86_400_000;
  /** Registry faults: refuse new key requests, or refuse to activate them. */
  registryFault?: 'refuse-request' | 'refuse-activation';

  private constructor(stateFile?: string) {
    this.encryption = new PayloadEncryption(stateFile);
    this.encryptionKeys = this.encryption.keys;
    this.encryptionCertificatePem = this.encryption.certificatePem;
    this.vault.seed();
  }

  /**
   * Starts on a free loopback port. `stateFile` keeps Mastercard's encryption key across restarts
   * (the certificate is in the customers' secrets); the vault and key registry start fresh.
   */
  static async start(stateFile?: string): Promise<MdesSimulator> {
    const sim = new MdesSimulator(stateFile);
    sim.server = createServer((req, res) => {
      sim.handle(req, res).catch((err: unknown) => sendJson(res, 500, { message: String(err) }));
    });
    // Idle keep-alive connections outlive fetch's own timeout: no reuse of a closing socket under load.
    sim.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => sim.server?.listen(0, '127.0.0.1', () => resolve()));
    const origin = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    sim.url = `${origin}${MDES_BASE_PATH}`;
    sim.registryUrl = `${origin}${REGISTRY_BASE_PATH}`;
    return sim;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A fresh consumer key id, as Mastercard Developers issues them. */
  static newConsumerKey(): string {
    return newConsumerKey();
  }

  // ---- key registry (the local CredentialRegistrar talks to this) ----

  registerKey(key: Omit<RegisteredKey, 'revoked'> & { revoked?: boolean }): void {
    this.oauth.register(key);
  }

  revokeKey(consumerKey: string): void {
    this.oauth.revoke(consumerKey);
  }

  // ---- faults ----

  /** Injects a fault into an operation (its name, e.g. `suspend`, or path, e.g. `/token/suspend`). */
  injectFault(operation: string, fault: Fault): void {
    this.faults.inject(operation, fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- vault ----

  /** Adds (or replaces) a token in the vault. */
  provision(token: Parameters<TokenVault['provision']>[0]): SimToken {
    return this.vault.provision(token);
  }

  /**
   * Learns the tokens the network created from Pismo's events (MDES tells Pismo after it created the
   * token, so by then the vault has it): TURs in a TC's DE124 or in a resync/status event.
   */
  learnFromPismoEvent(body: unknown): void {
    this.vault.learnFromPismoEvent(body);
  }

  /**
   * Vault-update hook: a status change the network made itself (the wallet or cardholder deleted,
   * suspended or resumed the token; MDES then tells Pismo with a TV), so the vault agrees with the
   * events the local stack receives. Idempotent; unknown TURs are ignored.
   */
  applyNetworkStatus(tur: string, to: StatusCode, initiator = 'W'): void {
    this.vault.applyNetworkStatus(tur, to, initiator);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.url?.startsWith(`${REGISTRY_BASE_PATH}/`))
      return handleRegistryRequest(this.oauth, this, req, res, (req.url ?? '').replace(REGISTRY_BASE_PATH, ''), raw);
    const path = (req.url ?? '').split('?')[0]?.replace(MDES_BASE_PATH, '') ?? '';
    const log: SimRequestLog = { at: new Date().toISOString(), operation: path, status: 0, encrypted: false };
    this.requests.push(log);
    const reply = (status: number, body: unknown) => {
      log.status = status;
      sendJson(res, status, body);
    };
    try {
      const op = OPERATION_BY_PATH.get(`${req.method ?? ''} ${path}`);
      if (!op) throw new SimError(404, 'RESOURCE_NOT_FOUND', `no operation ${req.method ?? ''} ${path}`);
      const key = this.verifySignatures ? this.oauth.authenticate(req, raw) : this.oauth.anyKey(req);
      log.consumerKey = key.consumerKey;
      const fault = this.faults.take(path);
      if (fault?.phase !== 'after' && (await this.faults.apply(fault, res, log))) return;

      let body: Record<string, unknown> = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (isEncryptedBody(body)) {
        log.encrypted = true;
        body = await this.encryption.decryptRequest(body.encryptedValue);
      } else if (this.requireEncryption && ENCRYPTABLE_PATHS.has(path)) {
        throw new SimError(400, 'ENCRYPTION_REQUIRED', 'this API requires an encrypted payload');
      }
      if (op.requestSchema) {
        const errors = validateAgainstSpec(op.requestSchema, body);
        if (errors.length)
          throw new SimError(400, 'INVALID_FIELD_VALUE', errors.join('; '), errors[0]?.split(' ')[0] ?? 'System');
      }
      const request = (op.requestKey ? body[op.requestKey] : undefined) as Record<string, string> | undefined;
      log.userId = (request?.AuditInfo as unknown as Record<string, string> | undefined)?.UserId;
      const result = executeOperation(this.vault, path, request ?? {});
      if (fault?.phase === 'after' && (await this.faults.apply(fault, res, log))) return;
      const out =
        log.encrypted && key.responsePublicKeyPem
          ? await this.encryption.encryptResponse(result, key.responsePublicKeyPem)
          : result;
      reply(200, out);
    } catch (err) {
      if (err instanceof SimError) return reply(err.status, errorBody(err));
      if (err instanceof SyntaxError)
        return reply(400, errorBody(new SimError(400, 'INVALID_JSON', 'the body is not JSON')));
      throw err;
    }
  }
}
