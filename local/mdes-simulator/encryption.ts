import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateRsaKeyPair, issueCertificate, type PemKeyPair } from '../../shared/adapters/mdes/x509';
import { publicKeyFingerprint } from '../../shared/adapters/mdes/credentials';
import { decryptPayload, encryptPayload } from '../../shared/adapters/mdes/payload-encryption';
import { SimError } from './reply';

/** The operations whose payloads Mastercard can require encrypted (they carry a PAN). */
export const ENCRYPTABLE_PATHS = new Set(['/search', '/token/activate', '/token/update']);

interface SavedKeys {
  encryptionKeys: PemKeyPair;
  encryptionCertificatePem: string;
}

function readSaved(file: string): SavedKeys | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SavedKeys;
  } catch {
    return undefined;
  }
}

/**
 * MDES payload encryption (JWE): Mastercard's own key pair ("client encryption key"), whose
 * certificate clients encrypt requests to, and the encryption of responses to the client's key.
 * A request must name our certificate's fingerprint as its `kid`.
 */
export class PayloadEncryption {
  readonly keys: PemKeyPair;
  readonly certificatePem: string;

  /** With `stateFile`, the key pair is kept there across restarts (created on first use, mode 0600). */
  constructor(stateFile?: string) {
    const saved = stateFile ? readSaved(stateFile) : undefined;
    this.keys = saved?.encryptionKeys ?? generateRsaKeyPair();
    this.certificatePem =
      saved?.encryptionCertificatePem ??
      issueCertificate({
        subjectPublicKeyPem: this.keys.publicKeyPem,
        issuerPrivateKeyPem: this.keys.privateKeyPem,
        commonName: 'MDES Customer Service encryption (local)',
        notAfter: new Date(Date.now() + 365 * 86_400_000),
      });
    if (stateFile && !saved) {
      mkdirSync(dirname(stateFile), { recursive: true });
      const state: SavedKeys = { encryptionKeys: this.keys, encryptionCertificatePem: this.certificatePem };
      writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
    }
  }

  /** The request payload of a JWE body; a 400 `SimError` when it does not decrypt or names another key. */
  async decryptRequest(encryptedValue: string): Promise<Record<string, unknown>> {
    const { payload, kid } = await decryptPayload(encryptedValue, this.keys.privateKeyPem).catch(() => {
      throw new SimError(400, 'DECRYPTION_ERROR', 'the payload could not be decrypted');
    });
    if (kid !== publicKeyFingerprint(this.certificatePem))
      throw new SimError(400, 'INVALID_KEY_FINGERPRINT', 'the JWE kid is not our encryption key fingerprint');
    return payload as Record<string, unknown>;
  }

  /** A response body encrypted to the client's response key. */
  async encryptResponse(result: unknown, responsePublicKeyPem: string): Promise<{ encryptedValue: string }> {
    return {
      encryptedValue: await encryptPayload(result, responsePublicKeyPem, publicKeyFingerprint(responsePublicKeyPem)),
    };
  }
}
