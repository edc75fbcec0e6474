import OAuth from 'mastercard-oauth1-signer';
import type { MdesCredentials } from './credentials';
import { RegistrarError } from './errors';

/**
 * Where new Mastercard project keys are registered, activated and revoked. The real adapter targets
 * the Mastercard Developers credentials API; its exact paths and payloads are not public, so the
 * contract below is ours (README: unconfirmed) and the local MDES simulator implements it.
 */
export interface CredentialRegistrar {
  /** Submits the CSRs of a new signing key (and response-decryption key); Mastercard answers with its consumer key. */
  requestKeys(input: {
    customerId: string;
    signingCsrPem: string;
    decryptionCsrPem?: string;
  }): Promise<{ consumerKey: string; notAfter: string }>;
  /** Activates the issued key (certificate attached); idempotent. */
  activateKeys(input: { customerId: string; consumerKey: string }): Promise<void>;
  /** Revokes a key; idempotent. */
  revokeKeys(input: { customerId: string; consumerKey: string }): Promise<void>;
}

/**
 * {@link CredentialRegistrar} over HTTP, each call OAuth 1.0a-signed with the customer's current key
 * (Mastercard Developers authenticates API clients the same way). `POST {base}/credentials`,
 * `POST {base}/credentials/{consumerKey}/activate`, `POST {base}/credentials/{consumerKey}/revoke`.
 */
export class HttpCredentialRegistrar implements CredentialRegistrar {
  constructor(
    private readonly baseUrl: string,
    private readonly current: () => Promise<MdesCredentials>,
    private readonly timeoutMs = 10_000,
  ) {}

  private async post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    const payload = JSON.stringify(body);
    const keys = await this.current();
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: OAuth.getAuthorizationHeader(url, 'POST', payload, keys.consumerKey, keys.signingKeyPem),
      },
      body: payload,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok)
      throw new RegistrarError(
        `credentials API ${path.split('/').pop() ?? ''} failed: HTTP ${res.status} ${text.slice(0, 300)}`,
      );
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  async requestKeys(input: { customerId: string; signingCsrPem: string; decryptionCsrPem?: string }) {
    const out = await this.post('/credentials', input);
    if (typeof out.consumerKey !== 'string' || typeof out.notAfter !== 'string')
      throw new RegistrarError('credentials API answered without consumerKey/notAfter');
    return { consumerKey: out.consumerKey, notAfter: out.notAfter };
  }

  async activateKeys(input: { customerId: string; consumerKey: string }): Promise<void> {
    await this.post(`/credentials/${encodeURIComponent(input.consumerKey)}/activate`, { customerId: input.customerId });
  }

  async revokeKeys(input: { customerId: string; consumerKey: string }): Promise<void> {
    await this.post(`/credentials/${encodeURIComponent(input.consumerKey)}/revoke`, { customerId: input.customerId });
  }
}
