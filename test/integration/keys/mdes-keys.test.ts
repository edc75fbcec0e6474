import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { newLocalMdesSecret, registerSecretKeys } from '../../../local/mdes-simulator/keys';
import { KeysUnavailableError } from '../../../shared/adapters/mdes/errors';
import { SecretsManagerKeyStore } from '../../../shared/adapters/mdes/key-store';
import type { MdesSecret } from '../../../shared/adapters/mdes/secret-format';
import { StaticCredentials } from '../../../shared/adapters/mdes/credentials';
import { credentialsOf } from '../../../shared/adapters/mdes/key-store';
import { mdesClient } from '../../../local/mdes-simulator/test-clients';

const pkcs1Key = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

let stack: LocalStack;
let sm: SecretsManagerClient;
let officer: string;

beforeAll(async () => {
  stack = await startLocalStack({ keyRevokeGraceHours: 0 });
  sm = new SecretsManagerClient({ maxAttempts: 1 });
  officer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'ops',
    name: 'Ops',
  });
}, 60_000);
afterAll(async () => {
  sm.destroy();
  await stack.stop();
});
afterEach(() => {
  stack.mdes.registryFault = undefined;
  stack.mdes.clearFaults();
  stack.aws.secretsManager.throttleNext = 0;
});

const secretId = () => stack.mdesCustomers[0]?.secretId ?? '';
const current = async (stage = 'AWSCURRENT') =>
  JSON.parse(
    (await sm.send(new GetSecretValueCommand({ SecretId: secretId(), VersionStage: stage }))).SecretString ?? '',
  ) as MdesSecret;
const stages = async () =>
  (await sm.send(new DescribeSecretCommand({ SecretId: secretId() }))).VersionIdsToStages ?? {};
const csWorks = async () =>
  (await fetch(`${stack.url}/cs/system-status`, { headers: { authorization: `Bearer ${officer}` } })).status;
const rotate = (token = randomUUID()) =>
  sm.send(new RotateSecretCommand({ SecretId: secretId(), ClientRequestToken: token }));
const monitorFn = () =>
  [...stack.model.functions.values()].find((f) => f.entry === 'functions/keys/monitor-mdes-keys.ts')?.id ?? '';
const rotationFn = () =>
  [...stack.model.functions.values()].find((f) => f.entry === 'functions/keys/rotate-mdes-keys.ts')?.id ?? '';
/** Calls System Status signed with exactly these keys (not through the key store). */
const callWith = async (secret: MdesSecret) =>
  mdesClient(stack.mdes, undefined, { credentials: new StaticCredentials(await credentialsOf(secret)), retries: 0 })
    .systemStatus()
    .then(
      () => 'ok',
      (e: Error) => e.message,
    );

describe('Mastercard keys in Secrets Manager (local endpoint, real SDK client)', () => {
  describe('SecretsManagerKeyStore', () => {
    it('loads AWSCURRENT once per TTL', async () => {
      const store = new SecretsManagerKeyStore({ secretId: secretId(), ttlMs: 60_000 });
      const before = stack.aws.secretsManager.calls.length;
      const a = await store.current();
      const b = await store.current();
      expect(stack.aws.secretsManager.calls.length - before).toBe(1);
      expect(b).toBe(a);
      expect(a.consumerKey).toBe((await current()).consumerKey);
    });

    it('shares one Secrets Manager read among concurrent callers', async () => {
      const store = new SecretsManagerKeyStore({ secretId: secretId() });
      const before = stack.aws.secretsManager.calls.length;
      const all = await Promise.all(Array.from({ length: 10 }, () => store.current()));
      expect(stack.aws.secretsManager.calls.length - before).toBe(1);
      expect(new Set(all).size).toBe(1);
    });

    it('rides out a Secrets Manager blip with the cached value until TTL + grace, then fails clearly', async () => {
      let now = Date.now();
      const stale: unknown[] = [];
      const store = new SecretsManagerKeyStore({
        secretId: secretId(),
        ttlMs: 1000,
        graceMs: 5000,
        now: () => now,
        onStale: (i) => stale.push(i),
        client: new SecretsManagerClient({ maxAttempts: 1 }),
      });
      const first = await store.current();
      now += 2000;
      stack.aws.secretsManager.throttleNext = 1;
      expect(await store.current()).toBe(first);
      expect(stale).toEqual([expect.objectContaining({ error: 'ThrottlingException' })]);
      now += 10_000;
      stack.aws.secretsManager.throttleNext = 1;
      await expect(store.current()).rejects.toBeInstanceOf(KeysUnavailableError);
      expect(JSON.stringify(stale)).not.toContain('PRIVATE KEY');
    });

    it.each([
      ['malformed JSON', '{not json', 'not JSON'],
      [
        'a missing field',
        JSON.stringify({ schemaVersion: 1, customerId: 'x', environment: 'mtf', consumerKey: 'k' }),
        'signingKey',
      ],
      [
        'a key that is not PKCS#8',
        JSON.stringify({
          schemaVersion: 1,
          customerId: 'x',
          environment: 'mtf',
          consumerKey: 'k',
          signingKey: {
            keyId: 'a',
            // A PKCS#1 key generated now: the format Mastercard's .pem downloads often use.
            privateKeyPem: pkcs1Key,
            notAfter: new Date().toISOString(),
          },
        }),
        'PKCS#8',
      ],
    ])('refuses %s with the field, never the value', async (_label, value, expected) => {
      const name = `bad-${randomUUID()}`;
      await stack.aws.secretsManager.handle('CreateSecret', { Name: name, SecretString: value });
      const error = await new SecretsManagerKeyStore({ secretId: name }).current().catch((e: Error) => e);
      expect(error).toBeInstanceOf(KeysUnavailableError);
      expect((error as Error).message).toContain(expected);
      expect((error as Error).message).not.toContain(pkcs1Key.slice(40, 80));
      expect((error as Error).message).not.toContain('BEGIN');
    });

    it('refuses an expired current key', async () => {
      const name = `expired-${randomUUID()}`;
      const expired = newLocalMdesSecret('x', stack.mdes, -1000);
      await stack.aws.secretsManager.handle('CreateSecret', { Name: name, SecretString: JSON.stringify(expired) });
      await expect(new SecretsManagerKeyStore({ secretId: name }).current()).rejects.toThrow(/expired/);
    });
  });

  describe('rotation (RotateSecret → the rotation function from the template, four steps)', () => {
    it('fails at createSecret when Mastercard refuses the key request; AWSCURRENT and the service untouched', async () => {
      const before = await current();
      stack.mdes.registryFault = 'refuse-request';
      await expect(rotate()).rejects.toThrow(/createSecret failed/);
      expect((await current()).consumerKey).toBe(before.consumerKey);
      expect(await csWorks()).toBe(200);
    });

    it('fails at setSecret when the certificate is not issued: the pending key cannot be used, current still works', async () => {
      const before = await current();
      stack.mdes.registryFault = 'refuse-activation';
      await expect(rotate()).rejects.toThrow(/setSecret failed/);
      const pending = await current('AWSPENDING');
      expect(pending.consumerKey).not.toBe(before.consumerKey);
      expect(await callWith(pending)).toContain('401');
      expect((await current()).consumerKey).toBe(before.consumerKey);
      expect(await csWorks()).toBe(200);
    });

    it('fails at testSecret when the signed System Status with the pending key fails', async () => {
      const before = await current();
      stack.mdes.injectFault('systemStatus', { kind: 'status', status: 500, times: 1 });
      await expect(rotate()).rejects.toThrow(/testSecret failed/);
      expect((await current()).consumerKey).toBe(before.consumerKey);
      expect(await csWorks()).toBe(200);
    });

    it('runs each step twice with the same outcome, and finishSecret can fail and be re-run', async () => {
      const before = await current();
      const token = randomUUID();
      // What RotateSecret does first: the AWSPENDING placeholder version.
      const s = stack.aws.secretsManager;
      const requests = () => stack.mdes.requests.length;
      await s.handle('RotateSecret', { SecretId: secretId(), ClientRequestToken: token }).catch(() => undefined);
      // ^ ran all four steps; now re-run each as Secrets Manager would on a retry
      const step = (Step: string) =>
        stack.invoke(rotationFn(), { SecretId: secretId(), ClientRequestToken: token, Step });
      const rotated = await current();
      expect(rotated.consumerKey).not.toBe(before.consumerKey);
      const n = requests();
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(Step);
      expect(await step('createSecret')).toMatch(/already current/);
      expect((await current()).consumerKey).toBe(rotated.consumerKey);
      expect(requests()).toBe(n); // nothing re-registered at Mastercard
      const versions = Object.values(await stages());
      expect(versions.filter((v) => v.includes('AWSCURRENT'))).toHaveLength(1);
      expect(versions.filter((v) => v.includes('AWSPREVIOUS'))).toHaveLength(1);
    });

    it('finishSecret failing (throttled) leaves AWSCURRENT; the re-run promotes', async () => {
      const before = await current();
      const token = randomUUID();
      const step = (Step: string) =>
        stack.invoke(rotationFn(), { SecretId: secretId(), ClientRequestToken: token, Step });
      // The placeholder RotateSecret would create, without running the steps.
      const hook = stack.aws.secretsManager.rotate;
      stack.aws.secretsManager.rotate = async () => undefined;
      await sm.send(new RotateSecretCommand({ SecretId: secretId(), ClientRequestToken: token }));
      stack.aws.secretsManager.rotate = hook;
      await step('createSecret');
      expect(await step('createSecret')).toMatch(/already created/);
      await step('setSecret');
      await step('setSecret');
      await step('testSecret');
      // More throttles than the SDK's own retries.
      stack.aws.secretsManager.throttleNext = 10;
      await expect(step('finishSecret')).rejects.toThrow(/Rate exceeded|Throttl/);
      stack.aws.secretsManager.throttleNext = 0;
      expect((await current()).consumerKey).toBe(before.consumerKey);
      await step('finishSecret');
      expect((await current()).consumerKey).not.toBe(before.consumerKey);
      expect((await current()).rotatedFrom?.consumerKey).toBe(before.consumerKey);
    });

    it('rotates end to end: the old key works until revoked after grace, the new one after promotion', async () => {
      const old = await current();
      await rotate();
      const fresh = await current();
      expect(fresh).toMatchObject({ rotatedFrom: { consumerKey: old.consumerKey } });
      expect(await callWith(fresh)).toBe('ok');
      expect(await callWith(old)).toBe('ok'); // still valid: in-flight containers keep working
      expect(await csWorks()).toBe(200);
      // The daily monitor revokes the replaced key once the grace period (0 h here) is over.
      const reports = (await stack.invoke(monitorFn(), {})) as { revoked?: string; level: string }[];
      expect(reports[0]).toMatchObject({ revoked: old.consumerKey, level: 'OK' });
      expect(await callWith(old)).toContain('401');
      expect(await callWith(fresh)).toBe('ok');
      // A container that cached the old key gets a 401, reloads the keys once and succeeds.
      expect(await csWorks()).toBe(200);
      const again = (await stack.invoke(monitorFn(), {})) as { revoked?: string }[];
      expect(again[0]?.revoked).toBeUndefined();
    });
  });

  it('the local stack registered its first keys with the simulator (seeded on first start)', async () => {
    const secret = await current();
    expect(stack.mdes.keys.get(secret.consumerKey)).toMatchObject({ revoked: false, pending: false });
    // registerSecretKeys is what a restart uses to re-register the current keys
    const copy = { ...secret, consumerKey: 'copy!1' };
    registerSecretKeys(stack.mdes, copy);
    expect(await callWith(copy)).toBe('ok');
  });
});
