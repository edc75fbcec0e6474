import * as path from 'node:path';
import { synthesizeTemplates } from './cloud-template';
import { DEV_ISSUER, openDevIssuer } from './dev-issuer';
import { deriveLocalModel } from './local-model';
import { LOCAL_DIR, LOCAL_MDES_CUSTOMER } from './local-stack';
import { officerCustomersClaim } from '../shared/mdes/officer-customers';

/**
 * `npm run dev-token [-- --scope "tokens:read tokens:write"] [--sub id] [--name "Full Name"]
 * [--customers CID-1,CID-2]`: prints a JWT from the local dev issuer that the local gateway accepts.
 * `--customers`: the MDES customers the officer may act for (default: the local demo's customer).
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? String(process.argv[i + 1]) : fallback;
}

async function main() {
  const model = deriveLocalModel(synthesizeTemplates({ 'tokenization:jwtIssuer': DEV_ISSUER }));
  const route = model.routes.find((r) => r.auth.type === 'JWT');
  const audience = route?.auth.type === 'JWT' ? route.auth.audience[0] : undefined;
  if (!audience) throw new Error('no JWT-protected route in the template');
  const issuer = await openDevIssuer(path.join(LOCAL_DIR, 'dev-issuer.json'));
  console.log(
    await issuer.mint({
      audience,
      scope: arg('scope', 'tokens:read'),
      sub: arg('sub', 'dev-user'),
      name: arg('name', 'Dev User'),
      claims: { [officerCustomersClaim()]: arg('customers', LOCAL_MDES_CUSTOMER).split(',').filter(Boolean) },
    }),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
