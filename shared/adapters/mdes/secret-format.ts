import type forge from 'node-forge';
import { createPrivateKey } from 'node:crypto';
import * as z from '../../zod';
import { MalformedSecretError } from './errors';

/**
 * The JSON stored in each customer's Secrets Manager secret (one secret per customer / CID). Key
 * material only ever lives here and in memory; this file never logs values (zod issues carry paths
 * and messages, not inputs).
 */
const iso = z.iso.datetime({ offset: true });
/** The label of a PEM block (`PRIVATE KEY` for PKCS#8, `CERTIFICATE`, `RSA PRIVATE KEY`…), if any. */
export function pemLabel(text: string): string | undefined {
  return /^-{5}BEGIN ([A-Z0-9 ]+)-{5}/.exec(text)?.[1];
}
const pemOf = (label: string, what: string) =>
  z.string().check(
    z.maxLength(20_000),
    z.refine((text) => pemLabel(text) === label, `must be a ${what} PEM`),
  );
const pkcs8 = pemOf('PRIVATE KEY', 'PKCS#8 private key');

/** The OAuth signing key: PKCS#8 PEM, or PKCS#12 (base64) + alias + password, converted at load. */
export const signingKeySchema = z.union([
  z.strictObject({ keyId: z.string().check(z.minLength(1)), privateKeyPem: pkcs8, notAfter: iso }),
  z.strictObject({
    keyId: z.string().check(z.minLength(1)),
    pkcs12Base64: z.string().check(z.minLength(16), z.maxLength(40_000)),
    alias: z.string().check(z.minLength(1)),
    password: z.string(),
    notAfter: iso,
  }),
]);

export const mdesSecretSchema = z.strictObject({
  schemaVersion: z.literal(1),
  customerId: z.string().check(z.minLength(1), z.maxLength(64)),
  environment: z.enum(['sandbox', 'mtf', 'production', 'local']),
  consumerKey: z.string().check(z.minLength(1), z.maxLength(200)),
  signingKey: signingKeySchema,
  /** Mastercard's client-encryption certificate: we encrypt requests to it. */
  encryptionCertificate: z.optional(
    z.strictObject({
      certificatePem: pemOf('CERTIFICATE', 'X.509 certificate'),
      fingerprint: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 fingerprint'))),
      notAfter: iso,
    }),
  ),
  /** Our Mastercard-encryption private key: decrypts Mastercard's responses. */
  decryptionKey: z.optional(
    z.strictObject({ keyId: z.string().check(z.minLength(1)), privateKeyPem: pkcs8, notAfter: iso }),
  ),
  /**
   * Set by a rotation on the version it creates: the key it replaces, revoked at Mastercard once
   * `revokeAfter` has passed (the grace period lets running containers finish with the old key).
   */
  rotatedFrom: z.optional(
    z.strictObject({ consumerKey: z.string().check(z.minLength(1)), rotatedAt: iso, revokeAfter: iso }),
  ),
});

export type MdesSecret = z.infer<typeof mdesSecretSchema>;

/** Parses and validates a secret string. */
export function parseMdesSecret(secretId: string, text: string | undefined): MdesSecret {
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch (err) {
    throw new MalformedSecretError(secretId, ['the secret string is not JSON'], err);
  }
  const parsed = z.safeParse(mdesSecretSchema, json);
  if (!parsed.success)
    throw new MalformedSecretError(
      secretId,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  return parsed.data;
}

/**
 * The signing key as PKCS#8 PEM, converting a PKCS#12 bundle if that is what the secret holds
 * (node-forge is loaded only then: it is a third of a function bundle).
 */
export async function signingKeyPem(secret: MdesSecret): Promise<string> {
  const key = secret.signingKey;
  if ('privateKeyPem' in key) return key.privateKeyPem;
  const { default: forge } = await import('node-forge');
  let bag: { key?: forge.pki.PrivateKey } | undefined;
  try {
    const p12 = forge.pkcs12.pkcs12FromAsn1(
      forge.asn1.fromDer(forge.util.decode64(key.pkcs12Base64)),
      false,
      key.password,
    );
    bag =
      p12.getBags({ friendlyName: key.alias, bagType: forge.pki.oids.pkcs8ShroudedKeyBag }).friendlyName?.[0] ??
      p12.getBags({ friendlyName: key.alias, bagType: forge.pki.oids.keyBag }).friendlyName?.[0];
  } catch {
    // forge's messages may quote the input: say only what is wrong.
    throw new MalformedSecretError(secret.customerId, [
      'signingKey: the PKCS#12 bundle does not open with this password',
    ]);
  }
  if (!bag?.key) throw new MalformedSecretError(secret.customerId, [`signingKey: no key with alias ${key.alias}`]);
  const rsaPem = forge.pki.privateKeyToPem(bag.key);
  return createPrivateKey(rsaPem).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The earliest `notAfter` among the secret's keys, per key (for the expiry monitor). */
export function keyExpiries(secret: MdesSecret): { key: string; notAfter: string }[] {
  return [
    { key: 'signing', notAfter: secret.signingKey.notAfter },
    ...(secret.encryptionCertificate ? [{ key: 'encryption', notAfter: secret.encryptionCertificate.notAfter }] : []),
    ...(secret.decryptionKey ? [{ key: 'decryption', notAfter: secret.decryptionKey.notAfter }] : []),
  ];
}
