import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A KMS error as the JSON 1.1 protocol returns it (`__type` + message). */
export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const VERSION = 1;

/** Canonical additional data: the encryption context, keys sorted, so ordering never matters. */
function aad(context: unknown): Buffer {
  const ctx = (context ?? {}) as Record<string, string>;
  return Buffer.from(
    JSON.stringify(
      Object.keys(ctx)
        .sort()
        .map((k) => [k, ctx[k]]),
    ),
  );
}

/**
 * Loopback stand-in for AWS KMS Encrypt/Decrypt (JSON 1.1, `TrentService.*`), so the real SDK client
 * is used locally. Like KMS: the ciphertext names its key, and decrypting with any other encryption
 * context fails (AES-256-GCM with the context as additional data). Keys live in memory: a code sealed
 * before a restart of the local stack no longer opens, as a code sealed under a deleted key would not.
 */
export class LocalKms {
  private readonly keys = new Map<string, Buffer>();

  private key(keyId: string): Buffer {
    let key = this.keys.get(keyId);
    if (!key) this.keys.set(keyId, (key = randomBytes(32)));
    return key;
  }

  handle(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    if (operation === 'Encrypt') return this.encrypt(input);
    if (operation === 'Decrypt') return this.decrypt(input);
    throw new KmsError('UnsupportedOperationException', `the local KMS has no ${operation}`);
  }

  private encrypt(input: Record<string, unknown>) {
    const keyId = String(input.KeyId ?? '');
    if (!keyId) throw new KmsError('ValidationException', 'KeyId is required');
    const plaintext = Buffer.from(String(input.Plaintext ?? ''), 'base64');
    if (plaintext.length === 0 || plaintext.length > 4096)
      throw new KmsError('ValidationException', 'Plaintext must be 1-4096 bytes');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(keyId), iv).setAAD(aad(input.EncryptionContext));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(keyId);
    const blob = Buffer.concat([
      Buffer.from([VERSION, id.length >> 8, id.length & 255]),
      id,
      iv,
      cipher.getAuthTag(),
      body,
    ]);
    return { CiphertextBlob: blob.toString('base64'), KeyId: keyId, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  }

  private decrypt(input: Record<string, unknown>) {
    const blob = Buffer.from(String(input.CiphertextBlob ?? ''), 'base64');
    const invalid = () => new KmsError('InvalidCiphertextException', 'the ciphertext or its context is invalid');
    if (blob.length < 3 || blob[0] !== VERSION) throw invalid();
    const idLength = ((blob[1] ?? 0) << 8) | (blob[2] ?? 0);
    const keyId = blob.subarray(3, 3 + idLength).toString();
    const key = this.keys.get(keyId);
    if (!key || (input.KeyId !== undefined && input.KeyId !== keyId)) throw invalid();
    const at = 3 + idLength;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(at, at + 12))
        .setAAD(aad(input.EncryptionContext))
        .setAuthTag(blob.subarray(at + 12, at + 28));
      const plaintext = Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]);
      return { Plaintext: plaintext.toString('base64'), KeyId: keyId, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    } catch {
      throw invalid();
    }
  }
}
