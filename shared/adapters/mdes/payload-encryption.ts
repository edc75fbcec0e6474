import { CompactEncrypt, compactDecrypt, importPKCS8, importSPKI, type KeyLike } from 'jose';
import { constants, createDecipheriv, createPublicKey, privateDecrypt, X509Certificate } from 'node:crypto';

/**
 * Mastercard JWE payload encryption (RSA-OAEP-256 + A256GCM, `kid` = key fingerprint) with `jose`,
 * wire-compatible with Mastercard's client-encryption libraries in JWE mode with the whole body
 * (`$`) encrypted into one field. The field name is Mastercard's default, `encryptedValue`; the
 * exact MDES Customer Service encrypted body is not in the 2.0.7 spec (see README, unconfirmed).
 */
export const ENCRYPTED_VALUE_FIELD = 'encryptedValue';

const keys = new Map<string, Promise<KeyLike>>();

function publicKeyOf(pem: string): Promise<KeyLike> {
  let key = keys.get(pem);
  if (!key) {
    const spki = (pem.includes('CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem))
      .export({ type: 'spki', format: 'pem' })
      .toString();
    key = importSPKI(spki, 'RSA-OAEP-256');
    keys.set(pem, key);
  }
  return key;
}

function privateKeyOf(pem: string): Promise<KeyLike> {
  let key = keys.get(pem);
  if (!key) {
    key = importPKCS8(pem, 'RSA-OAEP-256');
    keys.set(pem, key);
  }
  return key;
}

/** Encrypts a JSON payload for the holder of `certificateOrPublicKeyPem`; returns the JWE compact string. */
export async function encryptPayload(
  payload: unknown,
  certificateOrPublicKeyPem: string,
  kid: string,
): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid, cty: 'application/json' })
    .encrypt(await publicKeyOf(certificateOrPublicKeyPem));
}

/**
 * Decrypts a JWE compact string with our private key; returns the parsed JSON payload and the `kid`.
 *
 * Interoperability finding (see the interop test): Mastercard's Node.js client-encryption library
 * writes a 16-byte IV for A256GCM, where RFC 7518 says 96 bits, and `jose` rightly rejects it. Such
 * a JWE is decrypted here with Node's crypto (same algorithms, the IV length aside).
 */
export async function decryptPayload(jwe: string, privateKeyPem: string): Promise<{ payload: unknown; kid?: string }> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, await privateKeyOf(privateKeyPem), {
      keyManagementAlgorithms: ['RSA-OAEP-256'],
      contentEncryptionAlgorithms: ['A256GCM', 'A128GCM', 'A192GCM'],
    });
    return { payload: JSON.parse(new TextDecoder().decode(plaintext)) as unknown, kid: protectedHeader.kid };
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_JWE_INVALID' || !/Initialization Vector length/.test(String(err)))
      throw err;
    return decryptWithLongIv(jwe, privateKeyPem);
  }
}

function decryptWithLongIv(jwe: string, privateKeyPem: string): { payload: unknown; kid?: string } {
  const [header = '', encryptedKey = '', iv = '', ciphertext = '', tag = ''] = jwe.split('.');
  const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as {
    alg?: string;
    enc?: string;
    kid?: string;
  };
  const bits = { A128GCM: 128, A192GCM: 192, A256GCM: 256 }[protectedHeader.enc ?? ''];
  if (protectedHeader.alg !== 'RSA-OAEP-256' || !bits) throw new Error('unsupported JWE algorithms');
  const cek = privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(encryptedKey, 'base64url'),
  );
  const tagBytes = Buffer.from(tag, 'base64url');
  const decipher = createDecipheriv(`aes-${bits}-gcm` as `aes-256-gcm`, cek, Buffer.from(iv, 'base64url'), {
    authTagLength: tagBytes.length,
  });
  decipher.setAAD(Buffer.from(header, 'ascii'));
  decipher.setAuthTag(tagBytes);
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  return { payload: JSON.parse(plaintext.toString('utf8')) as unknown, kid: protectedHeader.kid };
}

/** True when a body is the encrypted form `{ encryptedValue: "<jwe>" }`. */
export function isEncryptedBody(body: unknown): body is { [ENCRYPTED_VALUE_FIELD]: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Record<string, unknown>)[ENCRYPTED_VALUE_FIELD] === 'string'
  );
}
