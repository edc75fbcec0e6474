import type { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { originSecretFrom, originVerified } from '../../../shared/edge/origin-verify';

const SECRET = 'k3Y9x2VqPz8LmN4bR7tW1cF6hJ0sD5gA';

describe('origin verification', () => {
  it('accepts exactly one of the accepted values', () => {
    expect(originVerified(SECRET, [SECRET])).toBe(true);
    expect(originVerified(SECRET, ['previous-value-of-other-length', SECRET])).toBe(true);
  });

  it('refuses a missing, empty, shorter, longer or different value', () => {
    expect(originVerified(undefined, [SECRET])).toBe(false);
    expect(originVerified('', [SECRET])).toBe(false);
    expect(originVerified(SECRET.slice(0, -1), [SECRET])).toBe(false);
    expect(originVerified(`${SECRET}x`, [SECRET])).toBe(false);
    expect(originVerified(`${SECRET.slice(0, -1)}B`, [SECRET])).toBe(false);
    expect(originVerified(SECRET.toLowerCase(), [SECRET])).toBe(false);
  });

  it('never matches an empty accepted value, nor anything when nothing is accepted', () => {
    expect(originVerified('', [''])).toBe(false);
    expect(originVerified(SECRET, [])).toBe(false);
  });

  it('compares multi-byte values by their bytes (equal-length strings, different byte lengths)', () => {
    expect(originVerified('é', ['e'])).toBe(false);
    expect(originVerified('ée', ['ée'])).toBe(true);
  });
});

type Send = (command: GetSecretValueCommand) => Promise<{ SecretString?: string }>;

function client(send: Send): { client: SecretsManagerClient; calls: string[] } {
  const calls: string[] = [];
  const fake = {
    send: (command: GetSecretValueCommand) => {
      calls.push(String(command.input.VersionStage));
      return send(command);
    },
  } as unknown as SecretsManagerClient;
  return { client: fake, calls };
}

const notFound = () => Object.assign(new Error('no such version'), { name: 'ResourceNotFoundException' });

describe('origin secret source', () => {
  it('accepts the current and the previous value during a rotation, and keeps them for the TTL', async () => {
    const { client: c, calls } = client((cmd) =>
      Promise.resolve({
        SecretString: JSON.stringify({ value: cmd.input.VersionStage === 'AWSCURRENT' ? 'new' : 'old' }),
      }),
    );
    const source = originSecretFrom(c, 'card-tokenization/dev/origin-verify', 60_000);
    await expect(source()).resolves.toEqual(['new', 'old']);
    await source();
    expect(calls.sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  it('re-reads after the TTL', async () => {
    const { client: c, calls } = client(() => Promise.resolve({ SecretString: '{"value":"v"}' }));
    const source = originSecretFrom(c, 'id', 0);
    await source();
    await source();
    expect(calls).toHaveLength(4);
  });

  it('works without a previous version (before the first rotation)', async () => {
    const { client: c } = client((cmd) =>
      cmd.input.VersionStage === 'AWSPREVIOUS'
        ? Promise.reject(notFound())
        : Promise.resolve({ SecretString: '{"value":"v"}' }),
    );
    await expect(originSecretFrom(c, 'id')()).resolves.toEqual(['v']);
  });

  it('fails closed when the current version is missing or malformed, naming the secret but not its value', async () => {
    const missing = client(() => Promise.reject(notFound()));
    await expect(originSecretFrom(missing.client, 'id')()).rejects.toThrow('no such version');
    const malformed = client(() => Promise.resolve({ SecretString: '{"other":"s3cr3t"}' }));
    const err = await originSecretFrom(malformed.client, 'id')().catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/secret id must be/);
    expect((err as Error).message).not.toContain('s3cr3t');
  });
});
