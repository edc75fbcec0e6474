import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkStatusRule, type CsTokenStatus } from '../../shared/domain/status-rules';
import type { TokenStatus } from '../../shared/domain/token-status';
import { checkVisaStatusRule, type VisaTokenAction } from '../../shared/domain/visa-status-rules';

/**
 * A local Pismo "Card issuing - Tokenization" API for network-token operations: account tokens
 * (OAuth client credentials with `uid`, short-lived, 401 once expired), "Perform token operation",
 * "Card token operation", "Get card tokens", over its own token store; the status rules of each
 * network (Visa: `visa-status-rules.ts`, Mastercard: the MDES FAQ table); fault injection; and, after
 * applying an operation, the `cards-tokenization` `patch` event Pismo would emit, delivered to a
 * callback (a function or a URL). Paths and field names follow the adapter's unconfirmed reading
 * (`shared/adapters/pismo/token-operations.ts`).
 */

/** Pismo's token status words (`patch` and `token_resync` events). */
export type PismoTokenStatus = 'INACTIVE' | 'ACTIVE' | 'SUSPENDED' | 'DEACTIVATED' | 'FAILED';

/** A network token the simulated Pismo knows. */
export interface SimNetworkToken {
  tokenId: string;
  cardId: string;
  accountId: string;
  network: 'vts' | 'mdes';
  status: PismoTokenStatus;
  tokenUniqueReference: string;
  panUniqueReference: string;
  tokenRequestor: string;
  tokenType: string;
  /** A Visa device waiting for the issuer's binding approval. */
  pendingDeviceBinding?: string;
  boundDevices: string[];
  /** Operations applied, oldest first (no reason text, no code). */
  history: { operation: string; status: PismoTokenStatus; operatorId?: string }[];
}

/** A fault injected into one route. */
export interface TokenOpsFault {
  /**
   * `status`: answer this HTTP status with `{error_code, message}`; `latency`: wait `ms` first;
   * `timeout`: never answer; `drop`: apply the operation, then cut the connection (a lost response).
   */
  kind: 'status' | 'latency' | 'timeout' | 'drop';
  status?: number;
  errorCode?: string;
  message?: string;
  ms?: number;
  /** `after`: the operation is applied, then the status is answered (a write whose answer is lost). */
  phase?: 'before' | 'after';
  /** How many requests it hits (default: every one). */
  times?: number;
}

export type TokenOpsRoute = 'accountToken' | 'tokenOperation' | 'cardOperation' | 'cardTokens';

/** One request as the simulator saw it (no body, no token). */
export interface TokenOpsRequestLog {
  at: string;
  route: TokenOpsRoute;
  status: number;
  cardId?: string;
  tokenId?: string;
  operationType?: string;
}

/** Where the resulting events go: a function, or a URL they are POSTed to. */
export type EventCallback = ((event: PismoTokenEvent) => void | Promise<void>) | string;

/** A `cards-tokenization` `patch` event, as documented (event type `patch`, schema version 1). */
export interface PismoTokenEvent {
  event_id: string;
  domain: 'cards-tokenization';
  event_type: 'patch';
  schema_version: 1;
  org_id: string;
  cid: string;
  timestamp: string;
  data: { account_id: number; card_id: number; token_id: number; patch: { status: PismoTokenStatus } };
}

export interface TokenOperationsSimulatorOptions {
  /** The accounts and their cards (account tokens are issued for these account ids only). */
  accounts?: () => readonly { accountId: string; cardIds: readonly string[] }[];
  client?: { id: string; secret: string };
  /** Lifetime of account tokens (default 60 s: Pismo's "expire quickly"). */
  tokenLifetimeSeconds?: number;
  onEvent?: EventCallback;
  /** Headers for a URL delivery (e.g. the Pismo webhook signature of the body). */
  signHeaders?: (url: string, body: string) => Promise<Record<string, string>>;
  orgId?: string;
  /** Tokens to start with (default: {@link seedNetworkTokens}). */
  tokens?: SimNetworkToken[];
}

export const TOKEN_OPS_BASE_PATH = '/cards-tokenization';
export const ACCOUNT_TOKEN_PATH = '/passport/v2/oauth/token';

const OPERATION_TYPES = new Set([
  'DELETE',
  'SUSPEND',
  'RESUME',
  'CALL_CENTER_ACTIVATION',
  'CARDHOLDER_STEPUP_APP_TO_APP',
  'TOKEN_DEVICE_BIDING_APPROVE',
  'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER',
  'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP',
]);
const CARD_OPERATION_TYPES = new Set(['SUSPEND', 'RESUME', 'DELETE']);
const DEVICE_BINDING = new Set([
  'TOKEN_DEVICE_BIDING_APPROVE',
  'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER',
  'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP',
]);

/** The network tokens of the seed events: MDES 17556 (card 4995608), VTS 17579 and 17580 (card 5271995). */
export function seedNetworkTokens(): SimNetworkToken[] {
  const base = { boundDevices: [], history: [], tokenRequestor: '40010030273', tokenType: 'HCE' };
  return [
    {
      ...base,
      tokenId: '17556',
      cardId: '4995608',
      accountId: '100001185',
      network: 'mdes',
      status: 'ACTIVE',
      tokenUniqueReference: 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e',
      panUniqueReference: 'FSHRMC00002593398d3715eb2b0b4189b07e0853c37fe073',
      tokenRequestor: '50120834693',
    },
    {
      ...base,
      tokenId: '17579',
      cardId: '5271995',
      accountId: '100002000',
      network: 'vts',
      status: 'INACTIVE',
      tokenUniqueReference: 'DNITHE000000000000017579',
      panUniqueReference: 'V-00000000089935214',
    },
    {
      ...base,
      tokenId: '17580',
      cardId: '5271995',
      accountId: '100002000',
      network: 'vts',
      status: 'ACTIVE',
      tokenUniqueReference: 'DNITHE000000000000017580',
      panUniqueReference: 'V-00000000089935214',
    },
  ];
}

class SimError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const OUR_STATUS: Record<PismoTokenStatus, TokenStatus> = {
  INACTIVE: 'pending_idv',
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  DEACTIVATED: 'deleted',
  FAILED: 'failed',
};
const CS_STATUS: Record<PismoTokenStatus, CsTokenStatus | undefined> = {
  INACTIVE: 'IN_PROGRESS',
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  DEACTIVATED: 'DELETED',
  FAILED: undefined,
};

/** The status an operation leaves. */
const RESULT: Record<string, PismoTokenStatus | 'same'> = {
  SUSPEND: 'SUSPENDED',
  RESUME: 'ACTIVE',
  DELETE: 'DEACTIVATED',
  CALL_CENTER_ACTIVATION: 'ACTIVE',
  CARDHOLDER_STEPUP_APP_TO_APP: 'ACTIVE',
  TOKEN_DEVICE_BIDING_APPROVE: 'same',
  TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER: 'same',
  TOKEN_DEVICE_BINDING_APPROVE_BANK_APP: 'same',
};

/** Refuses an operation the token's network or status does not allow (throws SimError 422). */
function checkRules(token: SimNetworkToken, operation: string): void {
  if (token.network === 'mdes') {
    if (DEVICE_BINDING.has(operation))
      throw new SimError(422, 'OPERATION_NOT_SUPPORTED', `${operation} is for Visa tokens only`);
    const cs = CS_STATUS[token.status];
    const op = ({ SUSPEND: 'suspend', RESUME: 'unsuspend', DELETE: 'delete' } as const)[operation] ?? 'activate';
    const verdict = cs ? checkStatusRule(op, cs) : { allowed: false as const, rule: `token status ${token.status}` };
    if (!verdict.allowed) throw new SimError(422, 'INVALID_TOKEN_STATUS', verdict.rule);
    return;
  }
  if (operation === 'CARDHOLDER_STEPUP_APP_TO_APP')
    throw new SimError(422, 'OPERATION_NOT_SUPPORTED', 'Visa App2App activation uses CALL_CENTER_ACTIVATION');
  const action: VisaTokenAction = DEVICE_BINDING.has(operation)
    ? 'approveDeviceBinding'
    : (({ SUSPEND: 'suspend', RESUME: 'resume', DELETE: 'delete' } as const)[operation] ?? 'activate');
  const verdict = checkVisaStatusRule(action, OUR_STATUS[token.status]);
  if (!verdict.allowed) throw new SimError(422, 'INVALID_TOKEN_STATUS', verdict.rule);
  if (action === 'approveDeviceBinding' && !token.pendingDeviceBinding)
    throw new SimError(422, 'NO_PENDING_DEVICE_BINDING', 'the token has no device waiting for binding approval');
}

/** A Pismo-style error body. */
const errorBody = (e: SimError) => ({ error_code: e.errorCode, message: e.message });

export class PismoTokenOperationsSimulator {
  readonly tokens = new Map<string, SimNetworkToken>();
  readonly requests: TokenOpsRequestLog[] = [];
  /** Events produced, in order, and whether their delivery succeeded. */
  readonly events: { event: PismoTokenEvent; delivered: boolean | 'pending'; error?: string }[] = [];
  /** `no-content` (Pismo's documented 200 "No Content") or `per-token` results on card operations. */
  cardOperationResponse: 'no-content' | 'per-token' = 'no-content';
  onEvent?: EventCallback;
  tokenLifetimeSeconds: number;
  /** Account tokens issued (to observe caching). */
  accountTokensIssued = 0;
  private readonly accessTokens = new Map<string, { accountId: string; expiresAt: number }>();
  private readonly faults = new Map<TokenOpsRoute, TokenOpsFault>();
  private server?: Server;
  url = '';

  constructor(private readonly options: TokenOperationsSimulatorOptions = {}) {
    this.onEvent = options.onEvent;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 60;
    for (const t of options.tokens ?? seedNetworkTokens()) this.tokens.set(t.tokenId, t);
  }

  /** Runs on its own loopback port (the PismoSimulator also serves it, on its `apiUrl`). */
  static async start(options?: TokenOperationsSimulatorOptions): Promise<PismoTokenOperationsSimulator> {
    const sim = new PismoTokenOperationsSimulator(options);
    sim.server = createServer((req, res) => {
      if (!sim.handle(req, res)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: 'NOT_FOUND', message: `no route ${req.url}` }));
      }
    });
    await new Promise<void>((resolve) => sim.server?.listen(0, '127.0.0.1', () => resolve()));
    sim.url = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    return sim;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Adds (or replaces) a token; returns it. */
  provision(token: Partial<SimNetworkToken> & Pick<SimNetworkToken, 'tokenId' | 'cardId' | 'accountId'>) {
    const t: SimNetworkToken = {
      network: 'vts',
      status: 'ACTIVE',
      tokenUniqueReference: `DNITHE${token.tokenId.padStart(18, '0')}`,
      panUniqueReference: `V-${token.cardId.padStart(17, '0')}`,
      tokenRequestor: '40010030273',
      tokenType: 'HCE',
      boundDevices: [],
      history: [],
      ...token,
    };
    this.tokens.set(t.tokenId, t);
    return t;
  }

  /** Makes every account token issued so far expired (the next call with one gets a 401). */
  expireAccountTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }

  injectFault(route: TokenOpsRoute, fault: TokenOpsFault): void {
    this.faults.set(route, { ...fault });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  requestsTo(route: TokenOpsRoute): number {
    return this.requests.filter((r) => r.route === route).length;
  }

  /** Serves the request when it is one of ours (true), else leaves it (false). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0] ?? '';
    let route: TokenOpsRoute | undefined;
    let m: RegExpMatchArray | null = null;
    if (req.method === 'POST' && path === ACCOUNT_TOKEN_PATH) route = 'accountToken';
    else if ((m = path.match(/^\/cards-tokenization\/v1\/cards\/([^/]+)\/network-tokens\/([^/]+)$/)))
      route = req.method === 'POST' ? 'tokenOperation' : undefined;
    else if ((m = path.match(/^\/cards-tokenization\/v1\/cards\/([^/]+)\/network-tokens$/)))
      route = req.method === 'POST' ? 'cardOperation' : req.method === 'GET' ? 'cardTokens' : undefined;
    if (!route) return false;
    const log: TokenOpsRequestLog = { at: new Date().toISOString(), route, status: 0 };
    if (m) {
      log.cardId = decodeURIComponent(m[1] ?? '');
      if (route === 'tokenOperation') log.tokenId = decodeURIComponent(m[2] ?? '');
    }
    this.requests.push(log);
    this.serve(route, req, res, log).catch((err: unknown) => {
      if (!res.headersSent) this.reply(res, log, 500, { error_code: 'SIMULATOR_ERROR', message: String(err) });
    });
    return true;
  }

  private reply(res: ServerResponse, log: TokenOpsRequestLog, status: number, body?: unknown): void {
    log.status = status;
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private takeFault(route: TokenOpsRoute): TokenOpsFault | undefined {
    const fault = this.faults.get(route);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.delete(route);
    }
    return fault;
  }

  /** Applies a fault; true when it took the response over. */
  private async applyFault(fault: TokenOpsFault, res: ServerResponse, log: TokenOpsRequestLog): Promise<boolean> {
    if (fault.kind === 'latency') {
      await new Promise((r) => setTimeout(r, fault.ms ?? 100));
      return false;
    }
    if (fault.kind === 'timeout') return true; // never answers; the client's timeout fires
    if (fault.kind === 'drop') {
      log.status = -1;
      res.socket?.destroy();
      return true;
    }
    const status = fault.status ?? 500;
    this.reply(res, log, status, {
      error_code: fault.errorCode ?? (status === 429 ? 'TOO_MANY_REQUESTS' : 'INTERNAL_ERROR'),
      message: fault.message ?? 'injected fault',
    });
    return true;
  }

  private async serve(
    route: TokenOpsRoute,
    req: IncomingMessage,
    res: ServerResponse,
    log: TokenOpsRequestLog,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const fault = this.takeFault(route);
    // A dropped response and an `after` status happen once the operation is applied.
    const late = fault && (fault.kind === 'drop' || fault.phase === 'after');
    if (fault && !late && (await this.applyFault(fault, res, log))) return;
    let result: { status: number; body?: unknown };
    try {
      if (route === 'accountToken') result = this.issueAccountToken(raw);
      else {
        const accountId = this.authenticate(req);
        const cardId = log.cardId ?? '';
        this.checkCard(accountId, cardId);
        if (route === 'cardTokens') result = this.listTokens(cardId);
        else {
          const body = this.parseBody(raw);
          log.operationType = typeof body.operation_type === 'string' ? body.operation_type : undefined;
          result =
            route === 'tokenOperation'
              ? this.tokenOperation(cardId, log.tokenId ?? '', body)
              : this.cardOperation(cardId, body);
        }
      }
    } catch (err) {
      if (!(err instanceof SimError)) throw err;
      result = { status: err.status, body: errorBody(err) };
    }
    if (late && (await this.applyFault(fault, res, log))) return;
    this.reply(res, log, result.status, result.body);
  }

  private issueAccountToken(raw: string): { status: number; body: unknown } {
    const form = new URLSearchParams(raw);
    const client = this.options.client ?? { id: 'local-issuer', secret: 'local-secret' };
    if (form.get('grant_type') !== 'client_credentials')
      throw new SimError(400, 'INVALID_GRANT_TYPE', 'grant_type must be client_credentials');
    if (form.get('client_id') !== client.id || form.get('client_secret') !== client.secret)
      throw new SimError(401, 'INVALID_CLIENT', 'invalid client credentials');
    const accountId = form.get('uid') ?? '';
    if (!this.accountIds().has(accountId)) throw new SimError(400, 'INVALID_ACCOUNT', 'unknown account (uid)');
    const token = randomUUID();
    this.accessTokens.set(token, { accountId, expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    this.accountTokensIssued++;
    return {
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds },
    };
  }

  private accountIds(): Set<string> {
    const ids = new Set((this.options.accounts?.() ?? []).map((a) => a.accountId));
    for (const t of this.tokens.values()) ids.add(t.accountId);
    return ids;
  }

  /** The account of a request's account token (throws a 401 error otherwise); also used by wallet-data.ts. */
  authenticate(req: IncomingMessage): string {
    const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const held = this.accessTokens.get(bearer);
    if (!held) throw new SimError(401, 'UNAUTHORIZED', 'missing or unknown account token');
    if (held.expiresAt <= Date.now()) throw new SimError(401, 'UNAUTHORIZED', 'account token expired');
    return held.accountId;
  }

  /** The card must belong to the token's account. */
  checkCard(accountId: string, cardId: string): void {
    const account = this.options.accounts?.().find((a) => a.accountId === accountId);
    const owns =
      account?.cardIds.includes(cardId) ||
      [...this.tokens.values()].some((t) => t.cardId === cardId && t.accountId === accountId);
    if (!owns) throw new SimError(404, 'CARD_NOT_FOUND', 'card not found for this account');
  }

  private parseBody(raw: string): Record<string, unknown> {
    try {
      const body = JSON.parse(raw) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw new SimError(400, 'INVALID_BODY', 'the body must be a JSON object');
  }

  private validate(body: Record<string, unknown>, types: Set<string>, reasonMax: number, operatorMax?: number) {
    const type = body.operation_type;
    if (typeof type !== 'string' || !types.has(type))
      throw new SimError(400, 'INVALID_OPERATION_TYPE', 'operation_type is missing or not supported');
    const reason = body.operation_reason;
    if (typeof reason !== 'string' || reason.length === 0 || reason.length > reasonMax)
      throw new SimError(400, 'INVALID_OPERATION_REASON', `operation_reason must be 1-${reasonMax} characters`);
    const operator = body.operator_id;
    if (operator !== undefined && (typeof operator !== 'string' || (operatorMax && operator.length > operatorMax)))
      throw new SimError(
        400,
        'INVALID_OPERATOR_ID',
        `operator_id must be a string of at most ${operatorMax} characters`,
      );
    return { type, operator: operator as string | undefined };
  }

  private listTokens(cardId: string): { status: number; body: unknown } {
    const tokens = [...this.tokens.values()]
      .filter((t) => t.cardId === cardId)
      .map((t) => ({
        token: {
          token_id: Number(t.tokenId),
          network: t.network,
          status: t.status,
          token_unique_reference: t.tokenUniqueReference,
          pan_unique_reference: t.panUniqueReference,
          token_requestor: t.tokenRequestor,
          token_type: t.tokenType,
          device_bindings: t.boundDevices.length,
        },
      }));
    return { status: 200, body: { tokens } };
  }

  private tokenOperation(cardId: string, tokenId: string, body: Record<string, unknown>) {
    const { type, operator } = this.validate(body, OPERATION_TYPES, 254, 16);
    const code = body.activation_code;
    if (type === 'CALL_CENTER_ACTIVATION' && (typeof code !== 'string' || code.length === 0 || code.length > 8))
      throw new SimError(400, 'INVALID_ACTIVATION_CODE', 'activation_code (at most 8 characters) is required');
    const token = this.tokens.get(tokenId);
    if (!token || token.cardId !== cardId) throw new SimError(404, 'TOKEN_NOT_FOUND', 'token not found for this card');
    checkRules(token, type);
    this.apply(token, type, operator);
    return { status: 200, body: { token_id: Number(token.tokenId), status: token.status } };
  }

  private cardOperation(cardId: string, body: Record<string, unknown>) {
    const { type, operator } = this.validate(body, CARD_OPERATION_TYPES, 255);
    const results = [...this.tokens.values()]
      .filter((t) => t.cardId === cardId && t.status !== 'DEACTIVATED')
      .map((t) => {
        try {
          checkRules(t, type);
          this.apply(t, type, operator);
          return { token_id: Number(t.tokenId), status: t.status, result: 'SUCCESS' };
        } catch (err) {
          if (!(err instanceof SimError)) throw err;
          return { token_id: Number(t.tokenId), status: t.status, result: 'FAILED', ...errorBody(err) };
        }
      });
    return this.cardOperationResponse === 'per-token' ? { status: 200, body: { tokens: results } } : { status: 200 };
  }

  private apply(token: SimNetworkToken, operation: string, operatorId: string | undefined): void {
    const next = RESULT[operation] ?? 'same';
    if (DEVICE_BINDING.has(operation) && token.pendingDeviceBinding) {
      token.boundDevices.push(token.pendingDeviceBinding);
      token.pendingDeviceBinding = undefined;
    }
    if (next !== 'same') token.status = next;
    token.history.push({ operation, status: token.status, ...(operatorId ? { operatorId } : {}) });
    this.emit(token);
  }

  /** The `patch` event of the token's new status, delivered in the background. */
  private emit(token: SimNetworkToken): void {
    const event: PismoTokenEvent = {
      event_id: randomUUID(),
      domain: 'cards-tokenization',
      event_type: 'patch',
      schema_version: 1,
      org_id: this.options.orgId ?? 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6',
      cid: randomUUID(),
      timestamp: new Date().toISOString(),
      data: {
        account_id: Number(token.accountId),
        card_id: Number(token.cardId),
        token_id: Number(token.tokenId),
        patch: { status: token.status },
      },
    };
    const entry: (typeof this.events)[number] = { event, delivered: 'pending' };
    this.events.push(entry);
    const target = this.onEvent;
    if (!target) {
      entry.delivered = false;
      entry.error = 'no callback configured';
      return;
    }
    void this.deliver(target, event).then(
      () => {
        entry.delivered = true;
      },
      (err: unknown) => {
        entry.delivered = false;
        entry.error = err instanceof Error ? err.message : String(err);
      },
    );
  }

  private async deliver(target: EventCallback, event: PismoTokenEvent): Promise<void> {
    if (typeof target === 'function') return target(event);
    const body = JSON.stringify(event);
    const headers = {
      'content-type': 'application/json',
      ...(this.options.signHeaders ? await this.options.signHeaders(target, body) : {}),
    };
    const res = await fetch(target, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
    await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  }
}
