import OAuth from 'mastercard-oauth1-signer';
import { createHash, randomUUID, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { generateRsaKeyPair, issueCertificate, type PemKeyPair, publicKeyOfCsr } from '../../shared/adapters/mdes/x509';
import { OPERATION_NAMES, OPERATIONS, SEARCH_CRITERIA } from '../../shared/adapters/mdes/contract';
import { publicKeyFingerprint } from '../../shared/adapters/mdes/credentials';
import { decryptPayload, encryptPayload, isEncryptedBody } from '../../shared/adapters/mdes/payload-encryption';
import { specOperations, validateAgainstSpec } from './spec';

/** The base path of the API, as on api.mastercard.com. */
export const MDES_BASE_PATH = '/mdes/csapi/v2';
/** The base path of the simulated Mastercard Developers credentials API. */
export const REGISTRY_BASE_PATH = '/developers';

/** The demo cardholder's card (card 4995608 of the seed events); a Mastercard test PAN. */
export const DEMO_PAN = '5454545454545454';
/** The Token Unique Reference of the seed's MDES TC event (token 17556 and the demo's yellow paths). */
export const SEED_TUR = 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e';
/**
 * A demo-card token the wallet suspended (multi-suspender demo). Hex after the prefix, as real TURs:
 * a long run of digits would look like a card number and the API refuses those in a path.
 */
export const WALLET_SUSPENDED_TUR = 'DSHRMC00002593395a1e7c0d9b2f4e6a8c3d1b7f0e9a2c4d';
/** A demo-card token still being provisioned (yellow path). */
export const IN_PROGRESS_TUR = 'DSHRMC0000259339b7c2e4a9d1f3c5e7a0b2d4f6e8c1a3b5';

type StatusCode = 'U' | 'A' | 'S' | 'D';

interface SimStatus {
  StatusCode: StatusCode;
  StatusDescription: string;
  StatusDateTime: string;
  Initiator: string;
  ReasonCode?: string;
  CommentId?: string;
  AuditInfo?: Record<string, string>;
}

/** One token in the simulated vault. The simulator is Mastercard: it may hold the PAN. */
export interface SimToken {
  tur: string;
  accountPan: string;
  tokenNumber: string;
  status: StatusCode;
  suspenders: Set<string>;
  history: SimStatus[];
  comments: { CommentId: string; CommentText: string; CommentDateTime: string; AuditInfo: Record<string, string> }[];
  transactions: Record<string, string>[];
  walletId: string;
  tokenRequestorId: string;
  paymentAppInstanceId: string;
  deviceName: string;
  assuranceLevel: number;
  productConfigurationId?: string;
  expirationDate: string;
  messages: Record<string, string>[];
  /** MDES StorageTechnology: D, P, H (server: card on file), E, S, V. */
  storageTechnology: string;
}

/** A client key registered with a consumer key (what Mastercard Developers holds for a project). */
export interface RegisteredKey {
  consumerKey: string;
  signingPublicKeyPem: string;
  /** Our public key Mastercard encrypts responses with (when encryption is on). */
  responsePublicKeyPem?: string;
  notAfter: Date;
  revoked: boolean;
  /** Set when a rotation registered it and the certificate is not yet activated. */
  pending?: boolean;
}

/** A fault injected into an operation. */
export interface Fault {
  kind: 'latency' | 'status' | 'timeout';
  ms?: number;
  status?: number;
  /** `after`: the operation is applied, then the response fails (a lost response). */
  phase?: 'before' | 'after';
  /** How many requests it hits (default: every one). */
  times?: number;
}

/** One request as the simulator saw it (for tests and the demo; no PAN). */
export interface SimRequestLog {
  at: string;
  operation: string;
  consumerKey?: string;
  status: number;
  encrypted: boolean;
  userId?: string;
}

const DESCRIPTIONS: Record<StatusCode, string> = { U: 'Unmapped', A: 'Active', S: 'Suspended', D: 'Deleted' };

class SimError extends Error {
  constructor(
    readonly status: number,
    readonly reasonCode: string,
    readonly description: string,
    readonly source = 'System',
    readonly recoverable = false,
  ) {
    super(description);
  }
}

function errorBody(e: SimError) {
  return {
    Errors: {
      Error: [
        {
          Source: e.source,
          ReasonCode: e.reasonCode,
          Description: e.description,
          Recoverable: String(e.recoverable),
        },
      ],
    },
  };
}

function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header?.startsWith('OAuth ')) return undefined;
  const params = new Map<string, string>();
  for (const m of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) params.set(m[1] ?? '', m[2] ?? '');
  return params;
}

/** The signer's own base-string helpers (public in the package, not in its type declarations). */
const signer = OAuth as unknown as {
  getSignatureBaseString(method: string, baseUri: string, paramString: string): string;
  getBaseUriString(uri: string): string;
  toOAuthParamString(query: Map<string, Set<string>>, oauth: Map<string, string>): string;
  extractQueryParams(uri: string): Map<string, Set<string>>;
};

function readSaved(file: string): { encryptionKeys: PemKeyPair; encryptionCertificatePem: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { encryptionKeys: PemKeyPair; encryptionCertificatePem: string };
  } catch {
    return undefined;
  }
}

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

/**
 * A local Mastercard MDES Customer Service: the 15 operations of the 2.0.7 spec over a token vault,
 * OAuth 1.0a signature and body-hash verification against registered keys (unknown, expired,
 * revoked → 401), JWE request decryption and response encryption, the FAQ's status rules and
 * multi-suspender logic, the spec's error shape, and per-operation fault injection.
 */
export class MdesSimulator {
  private server?: Server;
  url = '';
  readonly vault = new Map<string, SimToken>();
  readonly keys = new Map<string, RegisteredKey>();
  readonly requests: SimRequestLog[] = [];
  private readonly faults = new Map<string, Fault>();
  private readonly nonces = new Set<string>();
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
  private commentSeq = 1000;

  private constructor(stateFile?: string) {
    const saved = stateFile ? readSaved(stateFile) : undefined;
    this.encryptionKeys = saved?.encryptionKeys ?? generateRsaKeyPair();
    this.encryptionCertificatePem =
      saved?.encryptionCertificatePem ??
      issueCertificate({
        subjectPublicKeyPem: this.encryptionKeys.publicKeyPem,
        issuerPrivateKeyPem: this.encryptionKeys.privateKeyPem,
        commonName: 'MDES Customer Service encryption (local)',
        notAfter: new Date(Date.now() + 365 * 86_400_000),
      });
    if (stateFile && !saved) {
      mkdirSync(dirname(stateFile), { recursive: true });
      writeFileSync(
        stateFile,
        JSON.stringify({
          encryptionKeys: this.encryptionKeys,
          encryptionCertificatePem: this.encryptionCertificatePem,
        }),
        { mode: 0o600 },
      );
    }
    this.seed();
  }

  /**
   * Starts on a free loopback port. `stateFile` keeps Mastercard's encryption key across restarts
   * (the certificate is in the customers' secrets); the vault and key registry start fresh.
   */
  static async start(stateFile?: string): Promise<MdesSimulator> {
    const sim = new MdesSimulator(stateFile);
    sim.server = createServer((req, res) => {
      sim.handle(req, res).catch((err: unknown) => sim.send(res, 500, { message: String(err) }));
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

  // ---- key registry (the local CredentialRegistrar talks to this) ----

  registerKey(key: Omit<RegisteredKey, 'revoked'> & { revoked?: boolean }): void {
    this.keys.set(key.consumerKey, { revoked: false, ...key });
  }

  revokeKey(consumerKey: string): void {
    const key = this.keys.get(consumerKey);
    if (key) key.revoked = true;
  }

  /** Injects a fault into an operation (its name, e.g. `suspend`, or path, e.g. `/token/suspend`). */
  injectFault(operation: string, fault: Fault): void {
    this.faults.set(operation.startsWith('/') ? operation : (OP_PATHS[operation] ?? operation), fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- vault ----

  /** Adds (or replaces) a token in the vault. */
  provision(token: {
    tur: string;
    accountPan?: string;
    status?: StatusCode;
    suspenders?: string[];
    storageTechnology?: string;
    walletId?: string;
  }): SimToken {
    const n = this.vault.size + 1;
    const t: SimToken = {
      tur: token.tur,
      accountPan: token.accountPan ?? DEMO_PAN,
      tokenNumber: `5204${String(7000000000 + n * 7919).padStart(12, '0')}`.slice(0, 16),
      status: token.status ?? 'A',
      suspenders: new Set(token.suspenders ?? (token.status === 'S' ? ['W'] : [])),
      history: [
        {
          StatusCode: token.status === 'U' ? 'U' : 'A',
          StatusDescription: DESCRIPTIONS[token.status === 'U' ? 'U' : 'A'],
          StatusDateTime: daysAgo(40),
          Initiator: 'W',
        },
      ],
      comments: [],
      transactions: [
        {
          TransactionDateTime: daysAgo(2),
          TransactionAmount: '23.90',
          CurrencyCode: '986',
          TransactionStatusCode: 'COMP',
          TransactionTypeCode: '00',
          TransactionTypeDescription: 'Purchase',
          MerchantName: 'PADARIA REAL',
          MerchantCategoryCode: '5462',
          POSEntryMode: '07',
        },
        {
          TransactionDateTime: daysAgo(12),
          TransactionAmount: '129.00',
          CurrencyCode: '986',
          TransactionStatusCode: 'AUTH',
          TransactionTypeCode: '00',
          TransactionTypeDescription: 'Purchase',
          MerchantName: 'LOJA CENTRO',
          MerchantCategoryCode: '5311',
          POSEntryMode: '07',
        },
        {
          TransactionDateTime: daysAgo(45),
          TransactionAmount: '8.50',
          CurrencyCode: '986',
          TransactionStatusCode: 'COMP',
          TransactionTypeCode: '00',
          TransactionTypeDescription: 'Purchase',
          MerchantName: 'CAFE ANTIGO',
          MerchantCategoryCode: '5814',
          POSEntryMode: '07',
        },
      ],
      walletId: token.walletId ?? '103',
      tokenRequestorId: '50110030273',
      paymentAppInstanceId: `pai-${token.tur.slice(-12)}`,
      deviceName: 'Demo Phone',
      assuranceLevel: 1,
      expirationDate: '1229',
      messages: [],
      storageTechnology: token.storageTechnology ?? 'V',
    };
    if (t.status === 'S')
      t.history.push({
        StatusCode: 'S',
        StatusDescription: 'Suspended',
        StatusDateTime: daysAgo(3),
        Initiator: 'W',
        ReasonCode: 'L',
      });
    this.vault.set(t.tur, t);
    return t;
  }

  /** The seed scenarios: the demo card's active token (seed TC), a wallet-suspended one, and one in progress. */
  private seed(): void {
    this.provision({ tur: SEED_TUR, status: 'A' });
    this.provision({ tur: WALLET_SUSPENDED_TUR, status: 'S', suspenders: ['W'] });
    this.provision({ tur: IN_PROGRESS_TUR, status: 'U' });
  }

  /**
   * Learns the tokens the network created from Pismo's events (MDES tells Pismo after it created the
   * token, so by then the vault has it): TURs in a TC's DE124 or in a resync/status event.
   */
  learnFromPismoEvent(body: unknown): void {
    const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
    if (!data) return;
    const nd = data.network_data as Record<string, Record<string, Record<string, Record<string, unknown>>>> | undefined;
    const tc = nd?.de124_member_defined_data?.mdes_data?.tokenization_complete;
    const tur = (tc?.sf10_token_unique_ref ?? data.token_unique_reference) as string | undefined;
    if (typeof tur !== 'string' || tur.length < 9) return;
    const existing = this.vault.get(tur);
    const status: StatusCode = tc ? 'A' : String(data.token_status ?? '').toUpperCase() === 'ACTIVE' ? 'A' : 'U';
    if (!existing) this.provision({ tur, status });
    else if (tc && existing.status === 'U') this.transition(existing, 'A', 'W');
  }

  /**
   * Vault-update hook: a status change the network made itself (the wallet or cardholder deleted,
   * suspended or resumed the token; MDES then tells Pismo with a TV), so the vault agrees with the
   * events the local stack receives. Idempotent; unknown TURs are ignored.
   */
  applyNetworkStatus(tur: string, to: StatusCode, initiator = 'W'): void {
    const t = this.vault.get(tur);
    if (!t || t.status === to) return;
    if (to === 'S') t.suspenders.add(initiator);
    if (to === 'A' || to === 'D') t.suspenders.clear();
    this.transition(t, to, initiator);
  }

  private transition(
    t: SimToken,
    to: StatusCode,
    initiator: string,
    reason?: string,
    audit?: Record<string, string>,
    commentId?: string,
  ) {
    t.status = to;
    t.history.push({
      StatusCode: to,
      StatusDescription: DESCRIPTIONS[to],
      StatusDateTime: new Date().toISOString(),
      Initiator: initiator,
      ...(reason ? { ReasonCode: reason } : {}),
      ...(commentId ? { CommentId: commentId } : {}),
      ...(audit ? { AuditInfo: audit } : {}),
    });
  }

  // ---- HTTP ----

  private send(res: ServerResponse, status: number, body: unknown) {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.url?.startsWith(`${REGISTRY_BASE_PATH}/`)) return this.handleRegistry(req, res, raw);
    const path = (req.url ?? '').split('?')[0]?.replace(MDES_BASE_PATH, '') ?? '';
    const log: SimRequestLog = { at: new Date().toISOString(), operation: path, status: 0, encrypted: false };
    this.requests.push(log);
    const reply = (status: number, body: unknown) => {
      log.status = status;
      this.send(res, status, body);
    };
    try {
      const op = OPERATION_BY_PATH.get(`${req.method ?? ''} ${path}`);
      if (!op) throw new SimError(404, 'RESOURCE_NOT_FOUND', `no operation ${req.method ?? ''} ${path}`);
      const key = this.verifySignatures ? this.authenticate(req, raw) : this.anyKey(req);
      log.consumerKey = key.consumerKey;
      const fault = this.takeFault(path);
      if (fault?.phase !== 'after' && (await this.applyFault(fault, res, log))) return;

      let body: Record<string, unknown> = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (isEncryptedBody(body)) {
        log.encrypted = true;
        const { payload, kid } = await decryptPayload(body.encryptedValue, this.encryptionKeys.privateKeyPem).catch(
          () => {
            throw new SimError(400, 'DECRYPTION_ERROR', 'the payload could not be decrypted');
          },
        );
        if (kid !== publicKeyFingerprint(this.encryptionCertificatePem))
          throw new SimError(400, 'INVALID_KEY_FINGERPRINT', 'the JWE kid is not our encryption key fingerprint');
        body = payload as Record<string, unknown>;
      } else if (this.requireEncryption && ENCRYPTABLE.has(path)) {
        throw new SimError(400, 'ENCRYPTION_REQUIRED', 'this API requires an encrypted payload');
      }
      if (op.requestSchema) {
        const errors = validateAgainstSpec(op.requestSchema, body);
        if (errors.length)
          throw new SimError(400, 'INVALID_FIELD_VALUE', errors.join('; '), errors[0]?.split(' ')[0] ?? 'System');
      }
      const request = (op.requestKey ? body[op.requestKey] : undefined) as Record<string, string> | undefined;
      log.userId = (request?.AuditInfo as unknown as Record<string, string> | undefined)?.UserId;
      const result = this.execute(path, request ?? {});
      if (fault?.phase === 'after' && (await this.applyFault(fault, res, log))) return;
      const out =
        log.encrypted && key.responsePublicKeyPem
          ? {
              encryptedValue: await encryptPayload(
                result,
                key.responsePublicKeyPem,
                publicKeyFingerprint(key.responsePublicKeyPem),
              ),
            }
          : result;
      reply(200, out);
    } catch (err) {
      if (err instanceof SimError) return reply(err.status, errorBody(err));
      if (err instanceof SyntaxError)
        return reply(400, errorBody(new SimError(400, 'INVALID_JSON', 'the body is not JSON')));
      throw err;
    }
  }

  /** The credentials API: request (CSR → pending key), activate, revoke; signed with a current key. */
  private async handleRegistry(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const path = (req.url ?? '').replace(REGISTRY_BASE_PATH, '');
    try {
      this.authenticate(req, raw);
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, string>;
      if (req.method === 'POST' && path === '/credentials') {
        if (this.registryFault === 'refuse-request')
          throw new SimError(400, 'KEY_REQUEST_REFUSED', 'the project cannot take another key (injected)');
        const consumerKey = MdesSimulator.newConsumerKey();
        const notAfter = new Date(Date.now() + this.keyValidityMs);
        let signingPublicKeyPem: string;
        let responsePublicKeyPem: string | undefined;
        try {
          signingPublicKeyPem = publicKeyOfCsr(body.signingCsrPem ?? '');
          responsePublicKeyPem = body.decryptionCsrPem ? publicKeyOfCsr(body.decryptionCsrPem) : undefined;
        } catch {
          throw new SimError(400, 'INVALID_CSR', 'the CSR does not parse or its signature does not verify');
        }
        this.registerKey({ consumerKey, signingPublicKeyPem, responsePublicKeyPem, notAfter, pending: true });
        return this.send(res, 201, { consumerKey, notAfter: notAfter.toISOString(), status: 'PENDING' });
      }
      const m = /^\/credentials\/([^/]+)\/(activate|revoke)$/.exec(path);
      const key = m ? this.keys.get(decodeURIComponent(m[1] ?? '')) : undefined;
      if (!m || !key) throw new SimError(404, 'RESOURCE_NOT_FOUND', 'no such key');
      if (m[2] === 'activate') {
        if (this.registryFault === 'refuse-activation')
          throw new SimError(400, 'KEY_ACTIVATION_REFUSED', 'Mastercard did not issue the certificate (injected)');
        if (key.revoked) throw new SimError(400, 'KEY_REVOKED', 'a revoked key cannot be activated');
        key.pending = false;
      } else key.revoked = true;
      this.send(res, 200, { consumerKey: key.consumerKey, status: key.revoked ? 'REVOKED' : 'ACTIVE' });
    } catch (err) {
      if (err instanceof SimError) return this.send(res, err.status, errorBody(err));
      throw err;
    }
  }

  private takeFault(path: string): Fault | undefined {
    const fault = this.faults.get(path);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.delete(path);
    }
    return fault;
  }

  /** Applies a fault; true when the response was taken over (an error or a hang). */
  private async applyFault(fault: Fault | undefined, res: ServerResponse, log: SimRequestLog): Promise<boolean> {
    if (!fault) return false;
    if (fault.kind === 'latency') {
      await new Promise((r) => setTimeout(r, fault.ms ?? 100));
      return false;
    }
    if (fault.kind === 'timeout') {
      log.status = 0; // never answers; the client's timeout fires
      return true;
    }
    const status = fault.status ?? 500;
    log.status = status;
    this.send(
      res,
      status,
      errorBody(
        new SimError(status, status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'SYSTEM_ERROR', 'injected fault', 'System', true),
      ),
    );
    return true;
  }

  /** Without verification: the key named in the header if any, else a placeholder. */
  private anyKey(req: IncomingMessage): RegisteredKey {
    const named = this.keys.get(parseOAuthHeader(req.headers.authorization)?.get('oauth_consumer_key') ?? '');
    return named ?? { consumerKey: 'unsigned', signingPublicKeyPem: '', notAfter: new Date(8.64e15), revoked: false };
  }

  private authenticate(req: IncomingMessage, raw: string): RegisteredKey {
    const unauthorized = (why: string) => new SimError(401, 'AUTHENTICATION_FAILED', why);
    const params = parseOAuthHeader(req.headers.authorization);
    if (!params) throw unauthorized('missing OAuth 1.0a Authorization header');
    const consumerKey = params.get('oauth_consumer_key') ?? '';
    const key = this.keys.get(consumerKey);
    if (!key) throw unauthorized('unknown consumer key');
    if (key.revoked) throw unauthorized('the key was revoked');
    if (key.pending) throw unauthorized('the key is not activated yet');
    if (key.notAfter.getTime() < Date.now()) throw unauthorized('the key expired');
    const bodyHash = createHash('sha256').update(raw, 'utf8').digest('base64');
    const sent = Buffer.from(params.get('oauth_body_hash') ?? '');
    if (sent.length !== bodyHash.length || !timingSafeEqual(sent, Buffer.from(bodyHash)))
      throw unauthorized('oauth_body_hash does not match the body');
    const ts = Number(params.get('oauth_timestamp'));
    if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > 300)
      throw unauthorized('oauth_timestamp out of range');
    const nonce = `${consumerKey}:${params.get('oauth_nonce') ?? ''}:${ts}`;
    if (this.nonces.has(nonce)) throw unauthorized('replayed oauth_nonce');
    const signature = decodeURIComponent(params.get('oauth_signature') ?? '');
    const oauthParams = new Map([...params].filter(([k]) => k !== 'oauth_signature'));
    const url = `http://${req.headers.host ?? ''}${req.url ?? ''}`;
    const sbs = signer.getSignatureBaseString(
      req.method ?? 'GET',
      signer.getBaseUriString(url),
      signer.toOAuthParamString(signer.extractQueryParams(url), oauthParams),
    );
    const ok = verifySignature(
      'RSA-SHA256',
      Buffer.from(sbs),
      key.signingPublicKeyPem,
      Buffer.from(signature, 'base64'),
    );
    if (!ok) throw unauthorized('the signature does not verify with the registered key');
    this.nonces.add(nonce);
    return key;
  }

  private token(tur: string | undefined): SimToken {
    const t = tur ? this.vault.get(tur) : undefined;
    if (!t)
      throw new SimError(404, 'TOKEN_NOT_FOUND', 'no token with this TokenUniqueReference', 'TokenUniqueReference');
    return t;
  }

  private requireStatus(t: SimToken, allowed: StatusCode[], op: string): void {
    if (!allowed.includes(t.status))
      throw new SimError(
        400,
        'INVALID_TOKEN_STATUS',
        `${op} is not allowed in status ${DESCRIPTIONS[t.status]}`,
        'TokenUniqueReference',
      );
  }

  private comment(t: SimToken, text: string | undefined, audit: Record<string, string>): string | undefined {
    if (!text) return undefined;
    const id = String(++this.commentSeq);
    t.comments.push({ CommentId: id, CommentText: text, CommentDateTime: new Date().toISOString(), AuditInfo: audit });
    return id;
  }

  private view(t: SimToken) {
    return {
      TokenUniqueReference: t.tur,
      PrimaryAccountNumberUniqueReference: `FSHRMC${createHash('sha256').update(t.accountPan).digest('hex').slice(0, 42)}`,
      TokenSuffix: t.tokenNumber.slice(-4),
      ExpirationDate: t.expirationDate,
      CurrentStatusCode: t.status,
      CurrentStatusDescription: DESCRIPTIONS[t.status],
      CurrentStatusDateTime: t.history.at(-1)?.StatusDateTime,
      ProvisioningStatusCode: t.status === 'U' ? 'A' : 'S',
      TokenRequestorId: t.tokenRequestorId,
      WalletId: t.walletId,
      PaymentAppInstanceId: t.paymentAppInstanceId,
      TokenType: 'C',
      StorageTechnology: t.storageTechnology,
      TokenAssuranceLevel: String(t.assuranceLevel),
      ...(t.comments.length ? { LastCommentId: t.comments.at(-1)?.CommentId } : {}),
      ...(t.suspenders.size ? { Suspenders: { Suspender: [...t.suspenders] } } : {}),
      Device: { DeviceName: t.deviceName, DeviceType: '09' },
      TokenDeletedFromConsumerApp: 'false',
    };
  }

  private execute(path: string, r: Record<string, string>): unknown {
    const audit = (r.AuditInfo ?? {}) as unknown as Record<string, string>;
    const simple = (key: string, t: SimToken, commentId?: string) => ({
      [key]: { Token: { TokenUniqueReference: t.tur, ...(commentId ? { CommentId: commentId } : {}) } },
    });
    switch (path) {
      case '/systemstatus':
        return {
          SystemStatusResponse: {
            CommentText: 'MDES is operating normally',
            LastStatusDateTime: new Date().toISOString(),
          },
        };
      case '/search': {
        const criteria = SEARCH_CRITERIA.filter((k) => r[k] !== undefined);
        if (criteria.length !== 1)
          throw new SimError(
            400,
            'INVALID_FIELD_VALUE',
            'exactly one search criterion is allowed',
            criteria[1] ?? 'SearchRequest',
          );
        const all = [...this.vault.values()];
        const found = all
          .filter((t) =>
            r.AccountPan
              ? t.accountPan === r.AccountPan
              : r.TokenUniqueReference
                ? t.tur === r.TokenUniqueReference
                : r.Token
                  ? t.tokenNumber === r.Token
                  : r.PaymentAppInstanceId
                    ? t.paymentAppInstanceId === r.PaymentAppInstanceId
                    : r.CommentId
                      ? t.comments.some((c) => c.CommentId === r.CommentId)
                      : false,
          )
          .filter((t) => r.ExcludeDeletedIndicator !== 'true' || t.status !== 'D')
          // The FAQ: device-based tokens are any storage technology except H (server).
          .filter((t) => r.IncludeDeviceTokenOnly !== 'true' || t.storageTechnology !== 'H');
        const byPan = new Map<string, SimToken[]>();
        for (const t of found) byPan.set(t.accountPan, [...(byPan.get(t.accountPan) ?? []), t]);
        return {
          SearchResponse: {
            Accounts: {
              Account: [...byPan].map(([pan, tokens]) => ({
                AccountPanSuffix: pan.slice(-4),
                ExpirationDate: tokens[0]?.expirationDate,
                Tokens: { Token: tokens.map((t) => this.view(t)) },
              })),
            },
          },
        };
      }
      case '/token/activate': {
        const t = r.TokenUniqueReference
          ? this.token(r.TokenUniqueReference)
          : [...this.vault.values()].find(
              (x) => x.accountPan === r.AccountPan && x.paymentAppInstanceId === r.PaymentAppInstanceId,
            );
        if (!t) throw new SimError(404, 'TOKEN_NOT_FOUND', 'no token for this AccountPan and PaymentAppInstanceId');
        this.requireStatus(t, ['U'], 'Token Activate');
        const c = this.comment(t, r.CommentText, audit);
        this.transition(t, 'A', 'I', r.ReasonCode, audit, c);
        return simple('TokenActivateResponse', t, c);
      }
      case '/token/activationmethods': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['U'], 'Token Activation Methods');
        return {
          TokenActivationMethodsResponse: {
            ActivationMethods: {
              ActivationMethod: [
                {
                  ActivationMethodId: '1',
                  ActivationMethodType: 'SMS',
                  ActivationMethodValue: '(###) ###-7728',
                  ResendIndicator: 'true',
                },
                {
                  ActivationMethodId: '2',
                  ActivationMethodType: 'EMA',
                  ActivationMethodValue: 'a***@e***.com',
                  ResendIndicator: 'true',
                },
                {
                  ActivationMethodId: '3',
                  ActivationMethodType: 'CLC',
                  ActivationMethodValue: '0800-555-0199',
                  ResendIndicator: 'false',
                },
              ],
            },
          },
        };
      }
      case '/token/comments': {
        const t = this.token(r.TokenUniqueReference);
        return { TokenCommentsResponse: { Comments: { Comment: t.comments } } };
      }
      case '/token/delete': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['U', 'A', 'S'], 'Token Delete');
        const c = this.comment(t, r.CommentText, audit);
        t.suspenders.clear();
        this.transition(t, 'D', 'I', r.ReasonCode, audit, c);
        return simple('TokenDeleteResponse', t, c);
      }
      case '/token/resendactivationcode': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['U'], 'Token Resend Activation Code');
        if (!['1', '2'].includes(r.ActivationMethodId ?? ''))
          throw new SimError(
            400,
            'INVALID_FIELD_VALUE',
            'no resendable activation method with this id',
            'ActivationMethodId',
          );
        return { TokenResendActivationCodeResponse: { Token: { TokenUniqueReference: t.tur } } };
      }
      case '/token/resetmobilepin': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['A', 'S'], 'Token Reset Mobile PIN');
        return simple('TokenResetMobilePinResponse', t, this.comment(t, r.CommentText, audit));
      }
      case '/token/statushistory': {
        const t = this.token(r.TokenUniqueReference);
        return { TokenStatusHistoryResponse: { Statuses: { Status: t.history } } };
      }
      case '/token/suspend': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['A', 'S'], 'Token Suspend');
        const c = this.comment(t, r.CommentText, audit);
        t.suspenders.add('I');
        this.transition(t, 'S', 'I', r.ReasonCode, audit, c);
        return simple('TokenSuspendResponse', t, c);
      }
      case '/token/unsuspend': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['S'], 'Token Unsuspend');
        // Apple Pay special case of the spec: the issuer may override a cardholder's suspension.
        const override = !t.suspenders.has('I') && t.suspenders.has('C') && t.walletId === '103';
        if (!t.suspenders.has('I') && !override)
          throw new SimError(
            400,
            'INVALID_SUSPENDER',
            'the issuer has not suspended this token',
            'TokenUniqueReference',
          );
        const c = this.comment(t, r.CommentText, audit);
        t.suspenders.delete(override ? 'C' : 'I');
        // Multiple suspenders: the token stays suspended until every suspender has unsuspended it.
        this.transition(t, t.suspenders.size ? 'S' : 'A', 'I', r.ReasonCode, audit, c);
        return simple('TokenUnsuspendResponse', t, c);
      }
      case '/token/update': {
        const targets = r.TokenUniqueReference
          ? [this.token(r.TokenUniqueReference)]
          : [...this.vault.values()].filter((t) => t.accountPan === r.CurrentAccountPan && t.status !== 'D');
        if (!targets.length)
          throw new SimError(404, 'TOKEN_NOT_FOUND', 'no token for this CurrentAccountPan', 'CurrentAccountPan');
        const mapping = r.NewAccountPan ?? r.ExpirationDate ?? r.AccountPanSequenceNumber;
        if (mapping && r.IssuerProductConfigurationId)
          throw new SimError(
            400,
            'INVALID_FIELD_VALUE',
            'PAN mapping and product configuration are mutually exclusive',
            'IssuerProductConfigurationId',
          );
        const out = targets.map((t) => {
          this.requireStatus(t, ['A', 'S'], 'Token Update');
          if (r.NewAccountPan) t.accountPan = r.NewAccountPan;
          if (r.ExpirationDate) t.expirationDate = r.ExpirationDate;
          if (r.IssuerProductConfigurationId) t.productConfigurationId = r.IssuerProductConfigurationId;
          return { TokenUniqueReference: t.tur, CommentId: this.comment(t, r.CommentText, audit) };
        });
        return { TokenUpdateResponse: { Tokens: { Token: out } } };
      }
      case '/transactions': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['A', 'S', 'D'], 'Transactions');
        const since = Date.now() - 30 * 86_400_000;
        return {
          TransactionsResponse: {
            Transactions: {
              Transaction: t.transactions.filter((x) => Date.parse(x.TransactionDateTime ?? '') >= since),
            },
          },
        };
      }
      case '/updatetokenassurance': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['A', 'S'], 'Update Token Assurance');
        t.assuranceLevel = Math.min(t.assuranceLevel + 1, 9);
        return simple('UpdateTokenAssuranceResponse', t, this.comment(t, r.CommentText, audit));
      }
      case '/accountholdermessaging': {
        const t = this.token(r.TokenUniqueReference);
        this.requireStatus(t, ['A', 'S'], 'Account Holder Messaging');
        t.messages.push({ ...r, AuditInfo: audit.UserId ?? '' } as Record<string, string>);
        return { AccountHolderMessagingResponse: { Token: { TokenUniqueReference: t.tur } } };
      }
      default:
        throw new SimError(404, 'RESOURCE_NOT_FOUND', `no operation ${path}`);
    }
  }

  /** A fresh consumer key id, as Mastercard Developers issues them. */
  static newConsumerKey(): string {
    return `${randomUUID().replace(/-/g, '').slice(0, 24)}!${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  }
}

const OP_PATHS: Record<string, string> = Object.fromEntries(OPERATION_NAMES.map((n) => [n, OPERATIONS[n].path]));

const ENCRYPTABLE = new Set(['/search', '/token/activate', '/token/update']);

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
