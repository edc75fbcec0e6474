import forge from 'node-forge';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** An RSA key pair as PEM: PKCS#8 private, SPKI public. */
export interface PemKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A fresh RSA key pair (Node's native generator: fast; Mastercard asks for 2048 bits or more). */
export function generateRsaKeyPair(bits = 2048): PemKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * A PKCS#10 certificate signing request for a key pair (what Mastercard Developers asks for when a
 * key is added to a project). Node's crypto cannot write CSRs; node-forge can.
 */
export function createCsr(keys: PemKeyPair, commonName: string): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  csr.setSubject([{ name: 'commonName', value: commonName }]);
  csr.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/**
 * Issues an X.509 certificate for a public key, signed by `issuerKeyPem` (self-signed when it is
 * the subject's own key). Used by the local Mastercard stand-in and by tests, never in production
 * (there Mastercard issues the certificates).
 */
export function issueCertificate(options: {
  subjectPublicKeyPem: string;
  issuerPrivateKeyPem: string;
  commonName: string;
  notBefore?: Date;
  notAfter: Date;
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(options.subjectPublicKeyPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notAfter = options.notAfter;
  cert.setSubject([{ name: 'commonName', value: options.commonName }]);
  cert.setIssuer([{ name: 'commonName', value: 'Local Mastercard stand-in' }]);
  cert.sign(forge.pki.privateKeyFromPem(options.issuerPrivateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** The public key (SPKI PEM) inside a CSR, after checking the CSR's own signature. */
export function publicKeyOfCsr(csrPem: string): string {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  if (!csr.verify()) throw new Error('the CSR signature does not verify');
  if (!csr.publicKey) throw new Error('the CSR has no public key');
  return forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey);
}
