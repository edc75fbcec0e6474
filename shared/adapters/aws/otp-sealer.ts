import type * as KmsSdk from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { OtpBinding, OtpSealer } from '../../domain/challenge';
import { AppError } from '../../domain/errors';
import { traced } from '../observability/tracer';

/** KMS refused or failed to seal/open a code; retryable (Step Functions Retry matches the name). */
export class OtpSealUnavailable extends AppError {
  constructor(reason: string) {
    super(`code sealing unavailable: ${reason}`, 'unavailable');
  }
}

/** KMS encryption context: a sealed code opens only for the challenge and token it was sealed for. */
function context(binding: OtpBinding): Record<string, string> {
  return { challengeId: binding.challengeId, tokenId: binding.tokenId };
}

/**
 * Seals ID&V codes with AWS KMS (Encrypt/Decrypt with a customer-managed key; a code is a few bytes,
 * far under KMS's 4 KiB plaintext limit, so no data key is needed). The encryption context binds each
 * ciphertext to its challenge and token, and the key policy/IAM grant lets the ingestion functions only
 * seal and the delivery step only open. The SDK loads on first use, so functions that never seal do
 * not pay for it at cold start.
 */
export class KmsOtpSealer implements OtpSealer {
  private sdk?: Promise<{ client: KMSClient; mod: typeof KmsSdk }>;

  constructor(
    private readonly keyId: string,
    private readonly client?: KMSClient,
  ) {}

  private load() {
    this.sdk ??= import('@aws-sdk/client-kms').then((mod) => ({
      mod,
      client: this.client ?? traced(new mod.KMSClient({})),
    }));
    return this.sdk;
  }

  async seal(code: string, binding: OtpBinding): Promise<string> {
    const { client, mod } = await this.load();
    try {
      const out = await client.send(
        new mod.EncryptCommand({
          KeyId: this.keyId,
          Plaintext: Buffer.from(code, 'utf8'),
          EncryptionContext: context(binding),
        }),
      );
      if (!out.CiphertextBlob) throw new Error('no ciphertext');
      return Buffer.from(out.CiphertextBlob).toString('base64');
    } catch (err) {
      throw new OtpSealUnavailable((err as Error).name ?? 'Error');
    }
  }

  async open(sealed: string, binding: OtpBinding): Promise<string> {
    const { client, mod } = await this.load();
    try {
      const out = await client.send(
        new mod.DecryptCommand({
          KeyId: this.keyId,
          CiphertextBlob: Buffer.from(sealed, 'base64'),
          EncryptionContext: context(binding),
        }),
      );
      if (!out.Plaintext) throw new Error('no plaintext');
      return Buffer.from(out.Plaintext).toString('utf8');
    } catch (err) {
      throw new OtpSealUnavailable((err as Error).name ?? 'Error');
    }
  }
}
