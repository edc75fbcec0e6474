/**
 * Flow "keys": the Mastercard key lifecycle. Primary course:
 *
 * 1. Secrets Manager starts a rotation of a customer's key secret on schedule (functions/keys/).
 * 2. createSecret: new key pairs and CSRs; the registrar returns the new consumer key (AWSPENDING).
 * 3. setSecret: the registrar activates the new key.
 * 4. testSecret: a signed MDES System Status with the pending key must succeed.
 * 5. finishSecret: the new version becomes AWSCURRENT; the old key is kept for a grace period.
 * 6. Daily, the expiry monitor (expiry-monitor.ts) publishes days to expiry (alarms at 45 and 14 days)
 *    and revokes the rotated-out key once its grace is over.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type Clock, systemClock } from '../domain/clock';
import type { MdesCredentials } from '../adapters/mdes/credentials';
import type { MdesCustomer } from '../adapters/mdes/customers';
import { credentialsOf } from '../adapters/mdes/key-store';
import type { CredentialRegistrar } from '../adapters/mdes/registrar';
import { type MdesSecret, parseMdesSecret } from '../adapters/mdes/secret-format';
import type { PemKeyPair } from '../adapters/mdes/x509';

/** The four steps Secrets Manager asks a rotation function to run, in order. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The event Secrets Manager sends the rotation function. */
export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: RotationStep;
}

export interface RotationDeps {
  secrets: SecretsManagerClient;
  customers: readonly MdesCustomer[];
  /** The registrar of a customer (it signs with the customer's current key). */
  registrar: (customer: MdesCustomer) => CredentialRegistrar;
  /** A signed MDES System Status call with these credentials; throws unless it succeeds. */
  verify: (customer: MdesCustomer, credentials: MdesCredentials) => Promise<void>;
  /** How long the replaced key stays valid after the new one is promoted. */
  graceMs: number;
  now?: Clock;
  newKeyPair?: () => PemKeyPair;
}

/** A rotation step cannot proceed; Secrets Manager marks the rotation failed and AWSCURRENT stays. */
export class RotationError extends Error {
  override readonly name = 'RotationError';
}

async function secretAt(deps: RotationDeps, secretId: string, stage: string, versionId?: string): Promise<MdesSecret> {
  const out = await deps.secrets.send(
    new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }),
  );
  return parseMdesSecret(secretId, out.SecretString);
}

/**
 * Runs one step of a Mastercard key rotation, idempotently (Secrets Manager retries steps):
 *
 * - `createSecret`: new RSA key pairs (signing, response decryption) and CSRs; the registrar returns
 *   the new consumer key; stored as AWSPENDING with `rotatedFrom` (the key to revoke after grace).
 * - `setSecret`: activate the new key with the registrar (Mastercard issues the certificate).
 * - `testSecret`: a signed MDES System Status with the **pending** key must succeed.
 * - `finishSecret`: AWSCURRENT moves to the new version (the old one becomes AWSPREVIOUS). The old
 *   key is revoked later, by the expiry monitor, once `rotatedFrom.revokeAfter` has passed.
 *
 * A failure at any step leaves AWSCURRENT as it was: the service keeps working on the old key.
 */
export async function runRotationStep(event: RotationEvent, deps: RotationDeps): Promise<string> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const described = await deps.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  const customer = deps.customers.find((c) => c.secretId === described.ARN || c.secretId === described.Name);
  if (!customer) throw new RotationError(`secret ${secretId} belongs to no configured MDES customer`);
  const stages = described.VersionIdsToStages?.[token];
  if (!stages) throw new RotationError(`version ${token} of ${secretId} is not part of a rotation`);
  if (stages.includes('AWSCURRENT')) return `${step}: version already current, nothing to do`;
  if (!stages.includes('AWSPENDING')) throw new RotationError(`version ${token} is not AWSPENDING`);
  const now = (deps.now ?? systemClock)();

  switch (step) {
    case 'createSecret': {
      try {
        await secretAt(deps, secretId, 'AWSPENDING', token);
        return 'createSecret: pending version already created';
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
      const current = await secretAt(deps, secretId, 'AWSCURRENT');
      // node-forge (CSRs) is loaded only by this step.
      const { createCsr, generateRsaKeyPair } = await import('../adapters/mdes/x509');
      const keyPair = deps.newKeyPair ?? (() => generateRsaKeyPair());
      const signing = keyPair();
      const decryption = keyPair();
      const label = `${current.customerId} ${now.toISOString().slice(0, 10)}`;
      const issued = await deps.registrar(customer).requestKeys({
        customerId: current.customerId,
        signingCsrPem: createCsr(signing, `MDES signing ${label}`),
        decryptionCsrPem: createCsr(decryption, `MDES response decryption ${label}`),
      });
      const pending: MdesSecret = {
        ...current,
        consumerKey: issued.consumerKey,
        signingKey: {
          keyId: `sig-${token.slice(0, 8)}`,
          privateKeyPem: signing.privateKeyPem,
          notAfter: issued.notAfter,
        },
        decryptionKey: {
          keyId: `dec-${token.slice(0, 8)}`,
          privateKeyPem: decryption.privateKeyPem,
          notAfter: issued.notAfter,
        },
        rotatedFrom: {
          consumerKey: current.consumerKey,
          rotatedAt: now.toISOString(),
          revokeAfter: new Date(now.getTime() + deps.graceMs).toISOString(),
        },
      };
      await deps.secrets.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: JSON.stringify(pending),
          VersionStages: ['AWSPENDING'],
        }),
      );
      return `createSecret: new key ${issued.consumerKey.slice(0, 6)}… requested, stored as AWSPENDING`;
    }
    case 'setSecret': {
      const pending = await secretAt(deps, secretId, 'AWSPENDING', token);
      await deps.registrar(customer).activateKeys({ customerId: pending.customerId, consumerKey: pending.consumerKey });
      return 'setSecret: new key activated';
    }
    case 'testSecret': {
      const pending = await secretAt(deps, secretId, 'AWSPENDING', token);
      try {
        await deps.verify(customer, await credentialsOf(pending));
      } catch (err) {
        throw new RotationError(
          `testSecret: MDES System Status with the pending key failed: ${(err as Error).message}`,
        );
      }
      return 'testSecret: signed System Status with the pending key succeeded';
    }
    case 'finishSecret': {
      const currentVersion = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) =>
        s.includes('AWSCURRENT'),
      )?.[0];
      await deps.secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          RemoveFromVersionId: currentVersion,
        }),
      );
      await deps.secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: token,
        }),
      );
      return 'finishSecret: new key is AWSCURRENT, the old one AWSPREVIOUS until revoked after the grace period';
    }
    default:
      throw new RotationError(`unknown rotation step ${String(step)}`);
  }
}
