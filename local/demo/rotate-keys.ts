import { GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as path from 'node:path';
import { credentialsOf } from '../../shared/adapters/mdes/key-store';
import type { MdesSecret } from '../../shared/adapters/mdes/secret-format';
import { MdesCustomerServiceClient } from '../../shared/adapters/mdes/client';
import { StaticCredentials } from '../../shared/adapters/mdes/credentials';
import { LOCAL_DIR, startLocalStack } from '../stack/local-stack';

/**
 * `npm run rotate-keys`: a full Mastercard key rotation on the local system (the same `.local/` state
 * as `npm start`): Secrets Manager's RotateSecret runs the rotation function from the template
 * (createSecret → setSecret → testSecret → finishSecret) against the MDES simulator; the service keeps
 * working on the new key; the daily monitor then revokes the old key (grace 0 h here) and MDES rejects it.
 */
async function main() {
  const stack = await startLocalStack({
    dataDir: path.join(LOCAL_DIR, 'dynalite'),
    secretsFile: path.join(LOCAL_DIR, 'secrets-manager.json'),
    mdesStateFile: path.join(LOCAL_DIR, 'mdes-simulator.json'),
    keyRevokeGraceHours: 0,
    logLevel: 'ERROR',
  });
  const sm = new SecretsManagerClient({});
  const customer = stack.mdesCustomers[0];
  if (!customer) throw new Error('no MDES customer in the template');
  const officer = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience, sub: 'ops', name: 'Ops' });
  const secret = async () =>
    JSON.parse(
      (await sm.send(new GetSecretValueCommand({ SecretId: customer.secretId, VersionStage: 'AWSCURRENT' })))
        .SecretString ?? '',
    ) as MdesSecret;
  const short = (key: string) => `${key.slice(0, 8)}…`;
  const serviceCall = async () => {
    const res = await fetch(`${stack.url}/cs/system-status`, { headers: { authorization: `Bearer ${officer}` } });
    return `GET /cs/system-status → HTTP ${res.status}`;
  };
  const directCall = async (s: MdesSecret) =>
    new MdesCustomerServiceClient({
      customerId: customer.customerId,
      baseUrl: customer.baseUrl,
      credentials: new StaticCredentials(await credentialsOf(s)),
      retries: 0,
    })
      .systemStatus()
      .then(
        () => 'accepted',
        (e: Error) => `rejected (${e.message})`,
      );

  const old = await secret();
  console.log(
    `Customer ${customer.customerId}: current key ${short(old.consumerKey)} valid until ${old.signingKey.notAfter}`,
  );
  console.log(`  ${await serviceCall()}`);
  console.log('\nRotateSecret (the rotation function runs the four steps against the MDES simulator)…');
  const started = Date.now();
  await sm.send(new RotateSecretCommand({ SecretId: customer.secretId }));
  const fresh = await secret();
  console.log(
    `  done in ${Date.now() - started} ms: AWSCURRENT is now ${short(fresh.consumerKey)} (until ${fresh.signingKey.notAfter}); the old key is AWSPREVIOUS`,
  );
  console.log(`  ${await serviceCall()} (new key)`);
  console.log(`  MDES with the old key: ${await directCall(old)} — still valid during the grace period`);
  const monitor = [...stack.model.functions.values()].find((f) => f.entry === 'functions/keys/monitor-mdes-keys.ts');
  if (!monitor) throw new Error('no monitor function in the template');
  const [report] = (await stack.invoke(monitor.id, {})) as { daysToExpiry: number; level: string; revoked?: string }[];
  console.log(
    `\nDaily monitor: ${report?.daysToExpiry} days to expiry (${report?.level}); revoked ${report?.revoked ? short(report.revoked) : 'nothing'} (grace 0 h)`,
  );
  console.log(`  MDES with the old key: ${await directCall(old)}`);
  console.log(`  MDES with the new key: ${await directCall(fresh)}`);
  console.log(`  ${await serviceCall()}`);
  sm.destroy();
  await stack.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
