import OAuth from 'mastercard-oauth1-signer';
import { createHash, randomUUID, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SimError } from './reply';

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

/** A fresh consumer key id, as Mastercard Developers issues them. */
export function newConsumerKey(): string {
  return `${randomUUID().replace(/-/g, '').slice(0, 24)}!${randomUUID().replace(/-/g, '').slice(0, 24)}`;
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

/**
 * Mastercard's OAuth 1.0a check of every call: the consumer key must be registered, activated, not
 * revoked and not expired; the body hash must match the body; the timestamp must be within 5
 * minutes; a nonce is accepted once; the RSA-SHA256 signature must verify with the registered key.
 * Each failure is a 401 `AUTHENTICATION_FAILED` naming the reason.
 */
export class OAuthVerifier {
  /** The key registry, by consumer key. */
  readonly keys = new Map<string, RegisteredKey>();
  /** Nonces already used (consumer key, nonce and timestamp): a replayed request is refused. */
  private readonly nonces = new Set<string>();

  register(key: Omit<RegisteredKey, 'revoked'> & { revoked?: boolean }): void {
    this.keys.set(key.consumerKey, { revoked: false, ...key });
  }

  revoke(consumerKey: string): void {
    const key = this.keys.get(consumerKey);
    if (key) key.revoked = true;
  }

  /** The registered key that signed this request; throws a 401 `SimError` otherwise. */
  authenticate(req: IncomingMessage, raw: string): RegisteredKey {
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

  /** Without verification: the key named in the header if any, else a placeholder. */
  anyKey(req: IncomingMessage): RegisteredKey {
    const named = this.keys.get(parseOAuthHeader(req.headers.authorization)?.get('oauth_consumer_key') ?? '');
    return named ?? { consumerKey: 'unsigned', signingPublicKeyPem: '', notAfter: new Date(8.64e15), revoked: false };
  }
}
