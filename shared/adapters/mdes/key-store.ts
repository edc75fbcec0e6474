import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '../observability/tracer';
import type { CredentialsSource, MdesCredentials } from './credentials';
import { KeysUnavailableError, MalformedSecretError } from './errors';
import { type MdesSecret, parseMdesSecret, signingKeyPem } from './secret-format';

/** Secrets Manager version stages the key store reads. */
export type VersionStage = 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';

/** Maps a validated secret to what the MDES client needs. */
export async function credentialsOf(secret: MdesSecret): Promise<MdesCredentials> {
  return {
    consumerKey: secret.consumerKey,
    signingKeyPem: await signingKeyPem(secret),
    encryptionCertificatePem: secret.encryptionCertificate?.certificatePem,
    encryptionKeyFingerprint: secret.encryptionCertificate?.fingerprint,
    decryptionKeyPem: secret.decryptionKey?.privateKeyPem,
  };
}

export interface KeyStoreOptions {
  secretId: string;
  client?: SecretsManagerClient;
  /** How long a loaded secret is used before it is read again (default 5 min). */
  ttlMs?: number;
  /** After the TTL, how long the last good value still serves while Secrets Manager fails (default 1 h). */
  graceMs?: number;
  now?: () => number;
  /** Told when a stale value is served because Secrets Manager failed (for a metric/log, no secret). */
  onStale?: (info: { secretId: string; ageMs: number; error: string }) => void;
}

interface Cached {
  secret: MdesSecret;
  credentials: MdesCredentials;
  loadedAt: number;
}

/**
 * One customer's Mastercard keys from Secrets Manager (AWSCURRENT), cached per container with a
 * TTL. A Secrets Manager blip is ridden out with the cached value until TTL + grace; concurrent
 * callers share one fetch. Refuses keys past their `notAfter` (Mastercard would refuse them anyway,
 * and the error is clearer here).
 */
export class SecretsManagerKeyStore implements CredentialsSource {
  private readonly client: SecretsManagerClient;
  private cached?: Cached;
  private inflight?: Promise<Cached>;

  constructor(private readonly options: KeyStoreOptions) {
    this.client = options.client ?? traced(new SecretsManagerClient({}));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Reads and validates one version stage, uncached (rotation uses this for AWSPENDING). */
  async load(stage: VersionStage = 'AWSCURRENT'): Promise<{ secret: MdesSecret; versionId?: string }> {
    const out = await this.client.send(
      new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: stage }),
    );
    return { secret: parseMdesSecret(this.options.secretId, out.SecretString), versionId: out.VersionId };
  }

  /** The current credentials (cached). */
  async current(): Promise<MdesCredentials> {
    const entry = await this.entry();
    if (Date.parse(entry.secret.signingKey.notAfter) <= this.now())
      throw new KeysUnavailableError(
        `the signing key of ${entry.secret.customerId} expired at ${entry.secret.signingKey.notAfter}`,
      );
    return entry.credentials;
  }

  /** The current secret (cached), for the expiry monitor. */
  async currentSecret(): Promise<MdesSecret> {
    return (await this.entry()).secret;
  }

  /** Drops the cache (after a rotation, or on a 401 from Mastercard). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async entry(): Promise<Cached> {
    const ttl = this.options.ttlMs ?? 300_000;
    const grace = this.options.graceMs ?? 3_600_000;
    const cached = this.cached;
    if (cached && this.now() - cached.loadedAt < ttl) return cached;
    this.inflight ??= this.load('AWSCURRENT')
      .then(async ({ secret }) => {
        const fresh = { secret, credentials: await credentialsOf(secret), loadedAt: this.now() };
        this.cached = fresh;
        return fresh;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    try {
      return await this.inflight;
    } catch (err) {
      const age = cached ? this.now() - cached.loadedAt : Infinity;
      if (cached && age < ttl + grace) {
        this.options.onStale?.({ secretId: this.options.secretId, ageMs: age, error: (err as Error).name });
        return cached;
      }
      if (err instanceof MalformedSecretError) throw new KeysUnavailableError(err.message, err);
      throw new KeysUnavailableError(`cannot read secret ${this.options.secretId} (${(err as Error).name})`, err);
    }
  }
}
