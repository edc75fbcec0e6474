import OAuth from 'mastercard-oauth1-signer';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import CircuitBreaker from 'opossum';
import * as z from '../../zod';
import {
  buildRequestBody,
  type CallResult,
  errorsResponseSchema,
  OPERATIONS,
  type OperationName,
  type RequestOf,
  type ResponseOf,
  tokenOfSearch,
} from './contract';
import { type CredentialsSource, type MdesCredentials, publicKeyFingerprint } from './credentials';
import {
  KeysUnavailableError,
  MdesCircuitOpenError,
  type MdesErrorDetail,
  MdesRejectedError,
  MdesUnavailableError,
} from './errors';
import { decryptPayload, ENCRYPTED_VALUE_FIELD, encryptPayload, isEncryptedBody } from './payload-encryption';

/** Mastercard's MDES Customer Service base URLs (MTF: Mastercard Test Facility). */
export const MDES_ENVIRONMENTS = {
  sandbox: 'https://sandbox.api.mastercard.com/mdes/csapi/v2',
  mtf: 'https://mtf.api.mastercard.com/mdes/csapi/v2',
  production: 'https://api.mastercard.com/mdes/csapi/v2',
} as const;
export type MdesEnvironment = keyof typeof MDES_ENVIRONMENTS;

/** One customer's (CID's) connection to MDES. A processor holds one client per customer. */
export interface MdesClientOptions {
  customerId: string;
  /** An environment name, or a base URL (the local simulator). */
  baseUrl: string;
  credentials: CredentialsSource;
  /** JWE payload encryption for Search, Token Activate and Token Update (not available in Sandbox). */
  encryption?: boolean;
  timeoutMs?: number;
  /** Extra attempts for reads and verified writes (default 2). */
  retries?: number;
  /** First backoff step; each retry waits a random time up to base × 2^attempt ("full jitter"). */
  retryBaseMs?: number;
  /** Circuit breaker: open after this share of failures (default 50 %) over at least `breakerVolume` calls. */
  breakerErrorPercentage?: number;
  breakerVolume?: number;
  /** How long the circuit stays open before one trial call (default 30 s). */
  breakerResetMs?: number;
  /** Observability hook: one call per HTTP attempt (never the body). */
  onAttempt?: (attempt: AttemptInfo) => void;
}

/** What one HTTP attempt did (for logs and metrics). */
export interface AttemptInfo {
  customerId: string;
  operation: OperationName;
  attempt: number;
  status: number | 'timeout' | 'network';
  durationMs: number;
  encrypted: boolean;
}

export type { CallResult } from './contract';

function resolveBaseUrl(baseUrl: string): string {
  return (MDES_ENVIRONMENTS as Record<string, string>)[baseUrl] ?? baseUrl.replace(/\/+$/, '');
}

function errorDetails(body: unknown): MdesErrorDetail[] {
  const parsed = errorsResponseSchema.safeParse(body);
  if (!parsed.success) return [];
  return parsed.data.Errors.Error.map((e) => ({
    reasonCode: e.ReasonCode,
    errorCode: e.ErrorCode,
    source: e.Source,
    description: e.Description,
    recoverable: e.Recoverable === 'true',
  }));
}

/**
 * Parsed signing keys by PEM: parsing the PEM costs ~1 ms per call, signing with a KeyObject ~0.3 ms
 * (measured). Bounded: a container sees one key per customer, two during a rotation.
 */
const signingKeys = new Map<string, KeyObject>();
function signingKeyOf(pem: string): KeyObject {
  let key = signingKeys.get(pem);
  if (!key) {
    if (signingKeys.size > 16) signingKeys.clear();
    key = createPrivateKey(pem);
    signingKeys.set(pem, key);
  }
  return key;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The effect a write must have on the token, checked with a Search before a write whose response
 * was lost is retried (a blind retry could, e.g., add a second issuer suspension).
 */
const WRITE_EFFECTS: Partial<Record<OperationName, (token: { status?: string; suspenders: string[] }) => boolean>> = {
  suspend: (t) => t.status === 'S' && t.suspenders.includes('I'),
  unsuspend: (t) => !t.suspenders.includes('I'),
  delete: (t) => t.status === 'D',
  activate: (t) => t.status === 'A',
};

/**
 * Whether an error of a call is MDES failing (counts toward opening the circuit breaker). Not: MDES
 * saying "no" to a request, nor our own keys being unusable (expired, secret unreadable): opening
 * the circuit would not help, and would hide the real cause behind "circuit open".
 */
export function countsAsMdesFailure(err: unknown): boolean {
  return !(err instanceof MdesRejectedError || err instanceof KeysUnavailableError);
}

/**
 * MDES Customer Service client for one customer: validates every request against the contract,
 * signs it (OAuth 1.0a RSA-SHA256 with Mastercard's signer), optionally encrypts it (JWE), and maps
 * `ErrorsResponse` to typed errors. Reads are retried with jittered backoff; writes only after a
 * Search shows the lost write did not happen; a circuit breaker stops calling a failing MDES.
 * It is the Customer Service flow's `MdesCustomerService` port (shared/customer-service/ports.ts),
 * structurally: an adapter never imports a flow.
 */
export class MdesCustomerServiceClient {
  readonly customerId: string;
  private readonly baseUrl: string;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(private readonly options: MdesClientOptions) {
    this.customerId = options.customerId;
    this.baseUrl = resolveBaseUrl(options.baseUrl);
    this.breaker = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
      timeout: false,
      errorThresholdPercentage: options.breakerErrorPercentage ?? 50,
      volumeThreshold: options.breakerVolume ?? 5,
      resetTimeout: options.breakerResetMs ?? 30_000,
      // opossum: a filtered error (returns true) does not count as a failure.
      errorFilter: (err: unknown) => !countsAsMdesFailure(err),
    });
  }

  /** `closed`, `open` or `halfOpen`. */
  get circuitState(): 'closed' | 'open' | 'halfOpen' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'halfOpen' : 'closed';
  }

  /** Validates and wraps an operation's request: what goes on the wire before encryption. */
  static buildBody<N extends OperationName>(name: N, request: RequestOf<N>): Record<string, unknown> | undefined {
    return buildRequestBody(name, request);
  }

  /** Calls one operation; see the class comment for retries. */
  async call<N extends OperationName>(name: N, request: RequestOf<N>): Promise<CallResult<N>> {
    const body = MdesCustomerServiceClient.buildBody(name, request);
    const def = OPERATIONS[name];
    const retries = this.options.retries ?? 2;
    let reloadedKeys = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = (await this.fire(name, body, attempt)) as ResponseOf<N>;
        return { body: response, attempts: attempt };
      } catch (err) {
        // Our key was refused: a rotation may have replaced it. Reload the keys once and try again
        // (safe: a refused request did nothing).
        const source = this.options.credentials as Partial<{ invalidate(): void }>;
        if (err instanceof MdesUnavailableError && err.credentialsRefused && !reloadedKeys && source.invalidate) {
          source.invalidate();
          reloadedKeys = true;
          continue;
        }
        if (!(err instanceof MdesUnavailableError) || !err.retryable || attempt > retries) throw err;
        if (def.retry === 'write') {
          const effect = WRITE_EFFECTS[name];
          const tur = (request as { TokenUniqueReference?: string } | undefined)?.TokenUniqueReference;
          if (!effect || !tur) throw err;
          const token = await this.tokenByTur(tur, request as { AuditInfo: never });
          if (token && effect(token)) {
            const key = `${def.requestKey?.replace(/Request$/, 'Response') ?? ''}`;
            return {
              body: { [key]: { Token: { TokenUniqueReference: tur } } } as ResponseOf<N>,
              attempts: attempt,
              confirmedBySearch: true,
            };
          }
        }
        const base = this.options.retryBaseMs ?? 100;
        await sleep(Math.random() * base * 2 ** (attempt - 1));
      }
    }
  }

  private async tokenByTur(
    tur: string,
    request: { AuditInfo: never },
  ): Promise<{ status?: string; suspenders: string[] } | undefined> {
    const found = await this.call('search', { TokenUniqueReference: tur, AuditInfo: request.AuditInfo });
    const token = tokenOfSearch(found.body, tur);
    return token ? { status: token.CurrentStatusCode, suspenders: token.Suspenders?.Suspender ?? [] } : undefined;
  }

  private async fire(
    name: OperationName,
    body: Record<string, unknown> | undefined,
    attempt: number,
  ): Promise<unknown> {
    try {
      return await this.breaker.fire(() => this.send(name, body, attempt));
    } catch (err) {
      if ((err as { code?: string }).code === 'EOPENBREAKER') throw new MdesCircuitOpenError(name, err);
      throw err;
    }
  }

  private async send(
    name: OperationName,
    body: Record<string, unknown> | undefined,
    attempt: number,
  ): Promise<unknown> {
    const def = OPERATIONS[name];
    const credentials = await this.options.credentials.current();
    const encrypt = Boolean(this.options.encryption && def.encryptable && body);
    const payload = body === undefined ? null : JSON.stringify(encrypt ? await this.encrypt(body, credentials) : body);
    const url = `${this.baseUrl}${def.path}`;
    const authorization = OAuth.getAuthorizationHeader(
      url,
      def.method,
      payload,
      credentials.consumerKey,
      // The signer passes the key to crypto's Sign.sign, which takes a KeyObject as well as a PEM.
      signingKeyOf(credentials.signingKeyPem) as unknown as string,
    );
    const started = performance.now();
    const report = (status: AttemptInfo['status']) =>
      this.options.onAttempt?.({
        customerId: this.customerId,
        operation: name,
        attempt,
        status,
        durationMs: performance.now() - started,
        encrypted: encrypt,
      });
    let res: Response;
    try {
      res = await fetch(url, {
        method: def.method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(payload === null ? {} : { 'content-type': 'application/json' }),
        },
        body: payload,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError';
      report(timeout ? 'timeout' : 'network');
      throw new MdesUnavailableError(name, timeout ? 'timed out' : 'network error', true, [], false, err);
    }
    const text = await res.text();
    report(res.status);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch (err) {
      throw new MdesUnavailableError(
        name,
        `HTTP ${res.status} with a body that is not JSON`,
        res.status >= 500,
        [],
        false,
        err,
      );
    }
    if (isEncryptedBody(parsed) && credentials.decryptionKeyPem)
      parsed = (await decryptPayload(parsed[ENCRYPTED_VALUE_FIELD], credentials.decryptionKeyPem)).payload;
    if (res.ok) {
      const typed = z.safeParse(def.response as z.core.$ZodType, parsed);
      if (!typed.success)
        throw new MdesUnavailableError(name, 'response does not match the contract', false, [], false, typed.error);
      return typed.data;
    }
    const errors = errorDetails(parsed);
    if (res.status === 401 || res.status === 403)
      throw new MdesUnavailableError(name, `our credentials were refused (HTTP ${res.status})`, false, errors, true);
    if (res.status === 429 || res.status >= 500)
      throw new MdesUnavailableError(name, `HTTP ${res.status}`, true, errors);
    throw new MdesRejectedError(name, res.status, errors);
  }

  private async encrypt(body: Record<string, unknown>, credentials: MdesCredentials): Promise<unknown> {
    const cert = credentials.encryptionCertificatePem;
    if (!cert)
      throw new MdesUnavailableError('encrypt', 'encryption is on but no encryption certificate is configured', false);
    const kid = credentials.encryptionKeyFingerprint ?? publicKeyFingerprint(cert);
    return { [ENCRYPTED_VALUE_FIELD]: await encryptPayload(body, cert, kid) };
  }

  // ---- one method per operation (typed sugar over `call`) ----

  search(r: RequestOf<'search'>) {
    return this.call('search', r);
  }
  systemStatus() {
    return this.call('systemStatus', undefined);
  }
  activate(r: RequestOf<'activate'>) {
    return this.call('activate', r);
  }
  activationMethods(r: RequestOf<'activationMethods'>) {
    return this.call('activationMethods', r);
  }
  comments(r: RequestOf<'comments'>) {
    return this.call('comments', r);
  }
  delete(r: RequestOf<'delete'>) {
    return this.call('delete', r);
  }
  resendActivationCode(r: RequestOf<'resendActivationCode'>) {
    return this.call('resendActivationCode', r);
  }
  resetMobilePin(r: RequestOf<'resetMobilePin'>) {
    return this.call('resetMobilePin', r);
  }
  statusHistory(r: RequestOf<'statusHistory'>) {
    return this.call('statusHistory', r);
  }
  suspend(r: RequestOf<'suspend'>) {
    return this.call('suspend', r);
  }
  unsuspend(r: RequestOf<'unsuspend'>) {
    return this.call('unsuspend', r);
  }
  update(r: RequestOf<'update'>) {
    return this.call('update', r);
  }
  transactions(r: RequestOf<'transactions'>) {
    return this.call('transactions', r);
  }
  updateTokenAssurance(r: RequestOf<'updateTokenAssurance'>) {
    return this.call('updateTokenAssurance', r);
  }
  accountHolderMessaging(r: RequestOf<'accountHolderMessaging'>) {
    return this.call('accountHolderMessaging', r);
  }
}
