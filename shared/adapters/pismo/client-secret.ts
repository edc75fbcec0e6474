import * as z from '../../zod';
import { traced } from '../observability/tracer';

const secretSchema = z.strictObject({ clientSecret: z.string().check(z.minLength(1)) });

/**
 * The Pismo API client secret from Secrets Manager (`{"clientSecret":"…"}`), read on first use and
 * kept for an hour. The SDK client is loaded lazily: the decision webhook only needs it when it looks
 * up a contact, and its cold start stays small.
 */
export function pismoClientSecretFrom(secretId: string, ttlMs = 3_600_000): () => Promise<string> {
  let cached: { value: string; at: number } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < ttlMs) return cached.value;
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const out = await traced(new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: secretId }));
    let json: unknown;
    try {
      json = JSON.parse(out.SecretString ?? '');
    } catch {
      throw new Error(`secret ${secretId} is not JSON`);
    }
    const parsed = z.safeParse(secretSchema, json);
    if (!parsed.success) throw new Error(`secret ${secretId} must be {"clientSecret":"…"}`);
    cached = { value: parsed.data.clientSecret, at: Date.now() };
    return cached.value;
  };
}
