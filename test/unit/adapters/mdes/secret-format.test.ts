import forge from 'node-forge';
import { createPublicKey } from 'node:crypto';
import { credentialsOf } from '../../../../shared/adapters/mdes/key-store';
import { MalformedSecretError } from '../../../../shared/adapters/mdes/errors';
import { keyExpiries, parseMdesSecret, pemLabel, signingKeyPem } from '../../../../shared/adapters/mdes/secret-format';
import { generateRsaKeyPair, issueCertificate } from '../../../../shared/adapters/mdes/x509';

const keys = generateRsaKeyPair();
const notAfter = '2027-11-01T00:00:00.000Z';

function p12(password: string, alias: string): string {
  const cert = issueCertificate({
    subjectPublicKeyPem: keys.publicKeyPem,
    issuerPrivateKeyPem: keys.privateKeyPem,
    commonName: 'test',
    notAfter: new Date(notAfter),
  });
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(keys.privateKeyPem),
    [forge.pki.certificateFromPem(cert)],
    password,
    { friendlyName: alias, algorithm: '3des' },
  );
  return forge.util.encode64(forge.asn1.toDer(asn1).getBytes());
}

const base = { schemaVersion: 1, customerId: 'CID-1', environment: 'mtf', consumerKey: 'ck!1' };

describe('MDES key secret format', () => {
  describe('parseMdesSecret', () => {
    it('accepts the documented PKCS#8 form and lists every key expiry', () => {
      const secret = parseMdesSecret(
        's',
        JSON.stringify({
          ...base,
          signingKey: { keyId: 'sig', privateKeyPem: keys.privateKeyPem, notAfter },
          decryptionKey: { keyId: 'dec', privateKeyPem: keys.privateKeyPem, notAfter: '2027-06-01T00:00:00Z' },
        }),
      );
      expect(keyExpiries(secret)).toEqual([
        { key: 'signing', notAfter },
        { key: 'decryption', notAfter: '2027-06-01T00:00:00Z' },
      ]);
    });

    it.each([
      ['an unknown environment', { ...base, environment: 'staging' }, 'environment'],
      [
        'an unknown field',
        { ...base, extra: 1, signingKey: { keyId: 'a', privateKeyPem: keys.privateKeyPem, notAfter } },
        'extra',
      ],
      [
        'a bad notAfter',
        { ...base, signingKey: { keyId: 'a', privateKeyPem: keys.privateKeyPem, notAfter: 'soon' } },
        'notAfter',
      ],
    ])('refuses %s, naming it and never a value', (_label, value, field) => {
      const error = (() => {
        try {
          parseMdesSecret('s', JSON.stringify(value));
        } catch (e) {
          return e as MalformedSecretError;
        }
      })();
      expect(error).toBeInstanceOf(MalformedSecretError);
      expect(error?.message).toContain(field);
      expect(error?.message).not.toContain('PRIVATE KEY');
    });
  });

  describe('signingKeyPem', () => {
    it('converts a PKCS#12 bundle (alias + password) to the same key as PKCS#8', async () => {
      const secret = parseMdesSecret(
        's',
        JSON.stringify({
          ...base,
          signingKey: {
            keyId: 'sig',
            pkcs12Base64: p12('s3cret', 'mc-key'),
            alias: 'mc-key',
            password: 's3cret',
            notAfter,
          },
        }),
      );
      const pem = await signingKeyPem(secret);
      expect(pemLabel(pem)).toBe('PRIVATE KEY');
      const pub = (k: string) => createPublicKey(k).export({ type: 'spki', format: 'pem' }).toString();
      expect(pub(pem)).toBe(pub(keys.privateKeyPem));
      expect((await credentialsOf(secret)).signingKeyPem).toBe(pem);
    });

    it('refuses a wrong password or alias without quoting the bundle', async () => {
      const bundle = p12('s3cret', 'mc-key');
      const wrong = (password: string, alias: string) =>
        signingKeyPem(
          parseMdesSecret(
            's',
            JSON.stringify({ ...base, signingKey: { keyId: 'sig', pkcs12Base64: bundle, alias, password, notAfter } }),
          ),
        );
      await expect(wrong('nope', 'mc-key')).rejects.toThrow(/does not open/);
      await expect(wrong('s3cret', 'other')).rejects.toThrow(/no key with alias other/);
      await expect(wrong('nope', 'mc-key')).rejects.not.toThrow(bundle.slice(0, 20));
    });
  });
});
