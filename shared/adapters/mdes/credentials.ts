import { createHash, createPublicKey, X509Certificate } from 'node:crypto';

/**
 * What the MDES client needs to call Mastercard for one customer (CID). Key material lives only in
 * memory; it is never logged (the key store redacts it, see `shared/keys`).
 */
export interface MdesCredentials {
  /** OAuth 1.0a consumer key of the Mastercard Developers project. */
  consumerKey: string;
  /** PKCS#8 PEM private key that signs requests. */
  signingKeyPem: string;
  /** Mastercard's "client encryption" certificate (X.509 PEM): encrypts our requests. */
  encryptionCertificatePem?: string;
  /** Its public key fingerprint (JWE `kid`); computed from the certificate when absent. */
  encryptionKeyFingerprint?: string;
  /** Our "Mastercard encryption" private key (PKCS#8 PEM): decrypts Mastercard's responses. */
  decryptionKeyPem?: string;
}

/** Where a client gets its credentials on each call (the key store caches; rotation swaps them). */
export interface CredentialsSource {
  current(): Promise<MdesCredentials>;
}

/** Fixed credentials (tests, benches, tools). */
export class StaticCredentials implements CredentialsSource {
  constructor(private readonly credentials: MdesCredentials) {}
  current(): Promise<MdesCredentials> {
    return Promise.resolve(this.credentials);
  }
}

/**
 * Mastercard's public key fingerprint: SHA-256 of the DER SubjectPublicKeyInfo, hex (the default of
 * Mastercard's client-encryption libraries). Accepts a certificate or a public/private key PEM.
 */
export function publicKeyFingerprint(pem: string): string {
  const key = pem.includes('CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}
