import { createPublicKey } from 'node:crypto';
import { generateRsaKeyPair } from '../../shared/adapters/mdes/x509';
import { publicKeyFingerprint } from '../../shared/adapters/mdes/credentials';
import type { MdesSecret } from '../../shared/adapters/mdes/secret-format';
import type { LocalSecretsManager } from '../aws/secrets-manager';
import { MdesSimulator } from './server';

const YEAR_MS = 365 * 86_400_000;

/** A fresh secret for a customer, with keys valid for `validForMs`, registered nowhere yet. */
export function newLocalMdesSecret(customerId: string, sim: MdesSimulator, validForMs = YEAR_MS): MdesSecret {
  const signing = generateRsaKeyPair();
  const decryption = generateRsaKeyPair();
  const notAfter = new Date(Date.now() + validForMs).toISOString();
  return {
    schemaVersion: 1,
    customerId,
    environment: 'local',
    consumerKey: MdesSimulator.newConsumerKey(),
    signingKey: { keyId: `sig-${Date.now().toString(36)}`, privateKeyPem: signing.privateKeyPem, notAfter },
    encryptionCertificate: {
      certificatePem: sim.encryptionCertificatePem,
      fingerprint: publicKeyFingerprint(sim.encryptionCertificatePem),
      notAfter,
    },
    decryptionKey: { keyId: `dec-${Date.now().toString(36)}`, privateKeyPem: decryption.privateKeyPem, notAfter },
  };
}

/** Tells the simulator about a secret's keys (what Mastercard Developers would hold for the project). */
export function registerSecretKeys(sim: MdesSimulator, secret: MdesSecret, options: { pending?: boolean } = {}): void {
  if (!('privateKeyPem' in secret.signingKey)) return;
  const pub = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
  sim.registerKey({
    consumerKey: secret.consumerKey,
    signingPublicKeyPem: pub(secret.signingKey.privateKeyPem),
    responsePublicKeyPem: secret.decryptionKey ? pub(secret.decryptionKey.privateKeyPem) : undefined,
    notAfter: new Date(secret.signingKey.notAfter),
    pending: options.pending,
  });
}

/**
 * First start: creates each customer's secret with generated keys. Every start: registers the
 * AWSCURRENT (and any AWSPENDING) keys with the simulator, whose registry lives in memory.
 */
export async function provisionLocalMdesKeys(
  secrets: LocalSecretsManager,
  sim: MdesSimulator,
  customers: { customerId: string; secretId: string }[],
): Promise<void> {
  for (const c of customers) {
    if (!secrets.has(c.secretId)) {
      await secrets.handle('CreateSecret', {
        Name: c.secretId,
        Description: `local MDES keys of ${c.customerId}`,
        SecretString: JSON.stringify(newLocalMdesSecret(c.customerId, sim)),
      });
    }
    for (const stage of ['AWSCURRENT', 'AWSPENDING'] as const) {
      const value = (await secrets
        .handle('GetSecretValue', { SecretId: c.secretId, VersionStage: stage })
        .catch(() => undefined)) as { SecretString?: string } | undefined;
      if (value?.SecretString)
        registerSecretKeys(sim, JSON.parse(value.SecretString) as MdesSecret, { pending: stage === 'AWSPENDING' });
    }
  }
}
