import { timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The secret header CloudFront adds to every request it forwards to the HTTP API (docs/security/edge.md).
 * The origin-verify authorizer on the Pismo routes lets a request through only when it carries one of
 * the accepted values, so a direct call to the `execute-api` endpoint never reaches the webhook functions.
 */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** The JSON key of the value in the Secrets Manager secret (`{"value":"…"}`). */
export const ORIGIN_VERIFY_SECRET_KEY = 'value';

/**
 * True when `presented` equals one of `accepted`, compared in constant time: each candidate is
 * compared in full (no early exit on the first match) and only on equal-length buffers, as
 * `timingSafeEqual` requires; a length mismatch is decided without comparing bytes. Empty values never match.
 */
export function originVerified(presented: string | undefined, accepted: readonly string[]): boolean {
  if (!presented) return false;
  const given = Buffer.from(presented, 'utf8');
  let ok = false;
  for (const value of accepted) {
    const expected = Buffer.from(value, 'utf8');
    if (expected.length === 0 || expected.length !== given.length) continue;
    if (timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/** Accepted header values: the secret's current version and, during a rotation, the previous one. */
export type OriginSecretSource = () => Promise<readonly string[]>;

function valueOf(secretString: string | undefined, secretId: string): string {
  let json: unknown;
  try {
    json = JSON.parse(secretString ?? '');
  } catch {
    throw new Error(`secret ${secretId} is not JSON`);
  }
  const value = (json as Record<string, unknown> | null)?.[ORIGIN_VERIFY_SECRET_KEY];
  if (typeof value !== 'string' || value.length === 0)
    throw new Error(`secret ${secretId} must be {"${ORIGIN_VERIFY_SECRET_KEY}":"…"}`);
  return value;
}

/**
 * Reads the origin secret (stages AWSCURRENT and, when present, AWSPREVIOUS) and keeps it `ttlMs`, so
 * a rotation is picked up within that time while CloudFront still sends the previous value. A missing
 * current version throws (the authorizer then fails closed); a missing previous one is normal.
 */
export function originSecretFrom(client: SecretsManagerClient, secretId: string, ttlMs = 300_000): OriginSecretSource {
  let cached: { values: readonly string[]; at: number } | undefined;
  const read = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> => {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
      return valueOf(out.SecretString, secretId);
    } catch (err) {
      if (stage === 'AWSPREVIOUS' && (err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  };
  return async () => {
    if (cached && Date.now() - cached.at < ttlMs) return cached.values;
    const [current, previous] = await Promise.all([read('AWSCURRENT'), read('AWSPREVIOUS')]);
    const values = [current, previous].filter((v): v is string => v !== undefined);
    cached = { values, at: Date.now() };
    return values;
  };
}
