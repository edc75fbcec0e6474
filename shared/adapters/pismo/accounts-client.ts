import { AppError } from '../../domain/errors';

/** Where to reach a cardholder; values are PII and never logged. */
export interface ContactDirectory {
  /** Active mobile phone in E.164, or undefined. */
  mobilePhone(ref: { accountId?: string; cardId: string }): Promise<string | undefined>;
  email(ref: { accountId?: string; cardId: string }): Promise<string | undefined>;
}

/** Pismo did not answer usefully (retryable). */
export class ContactLookupFailed extends AppError {
  constructor(reason: string) {
    super(`contact lookup failed: ${reason}`, 'unavailable');
  }
}

export interface PismoAccountsConfig {
  baseUrl: string;
  clientId: string;
  /** The secret, or how to get it (Secrets Manager, read on first use). */
  clientSecret: string | (() => Promise<string>);
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

/**
 * Pismo Accounts API client with OAuth client credentials (token cached until shortly before it
 * expires). Endpoint paths and field names beyond `/accounts/v1/accounts/{id}/phones` are our
 * reading of Pismo's docs and are marked unconfirmed in the README.
 */
export class PismoAccountsClient implements ContactDirectory {
  private token?: { value: string; expiresAt: number };
  /** The token request under way: concurrent lookups at a cold start or an expiry share one. */
  private tokenRequest?: Promise<string>;
  /**
   * Card → account lookups under way, by card id. The decision asks for the phone and the email of
   * one card at once; without this each made its own `/cards` call. Nothing is kept once answered.
   */
  private readonly accountRequests = new Map<string, Promise<string | undefined>>();

  constructor(private readonly config: PismoAccountsConfig) {}

  private accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 30_000) return Promise.resolve(this.token.value);
    this.tokenRequest ??= this.requestToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async requestToken(): Promise<string> {
    const res = await this.fetch('/passport/v1/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.config.clientId,
        client_secret:
          typeof this.config.clientSecret === 'string' ? this.config.clientSecret : await this.config.clientSecret(),
      }).toString(),
    });
    const accessToken = typeof res.access_token === 'string' ? res.access_token : undefined;
    if (!accessToken) throw new ContactLookupFailed('no access token');
    this.token = { value: accessToken, expiresAt: Date.now() + Number(res.expires_in ?? 300) * 1000 };
    return accessToken;
  }

  private async fetch(path: string, init: RequestInit = {}): Promise<Json> {
    let res: Response;
    try {
      res = await fetch(`${this.config.baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 2000),
      });
    } catch (err) {
      throw new ContactLookupFailed(err instanceof Error ? err.name : 'network error');
    }
    if (res.status === 404) return {};
    if (!res.ok) throw new ContactLookupFailed(`HTTP ${res.status}`);
    return (await res.json()) as Json;
  }

  private async get(path: string): Promise<Json> {
    return this.fetch(path, { headers: { authorization: `Bearer ${await this.accessToken()}` } });
  }

  /** The account of a card (given, else Pismo's cards API); undefined for an unknown card. */
  accountOf(ref: { accountId?: string; cardId: string }): Promise<string | undefined> {
    if (ref.accountId) return Promise.resolve(ref.accountId);
    let request = this.accountRequests.get(ref.cardId);
    if (!request) {
      request = this.get(`/cards/v2/cards/${encodeURIComponent(ref.cardId)}`)
        .then((card) => (card.account_id === undefined ? undefined : String(card.account_id)))
        .finally(() => this.accountRequests.delete(ref.cardId));
      this.accountRequests.set(ref.cardId, request);
    }
    return request;
  }

  async mobilePhone(ref: { accountId?: string; cardId: string }): Promise<string | undefined> {
    const accountId = await this.accountOf(ref);
    if (!accountId) return undefined;
    const out = await this.get(`/accounts/v1/accounts/${encodeURIComponent(accountId)}/phones`);
    const items = (Array.isArray(out.items) ? out.items : []) as Json[];
    const mobile = items.find((p) => String(p.type).toUpperCase() === 'MOBILE' && p.active !== false);
    if (!mobile) return undefined;
    const e164 =
      `+${String(mobile.country_code ?? '')}${String(mobile.area_code ?? '')}${String(mobile.number ?? '')}`.replace(
        /[^+\d]/g,
        '',
      );
    return /^\+\d{8,15}$/.test(e164) ? e164 : undefined;
  }

  async email(ref: { accountId?: string; cardId: string }): Promise<string | undefined> {
    const accountId = await this.accountOf(ref);
    if (!accountId) return undefined;
    const out = await this.get(`/accounts/v1/accounts/${encodeURIComponent(accountId)}/customers`);
    const items = (Array.isArray(out.items) ? out.items : []) as Json[];
    const owner = items.find((c) => c.is_owner !== false && typeof c.email === 'string');
    return typeof owner?.email === 'string' ? owner.email : undefined;
  }
}
