import { openDevIssuer } from './issuer';
import {
  cardholderApiAudience,
  DEV_ISSUER_KEY_FILE,
  internalApiAudience,
  LOCAL_MDES_CUSTOMER,
} from '../config/settings';
import { officerCustomersClaim } from '../../shared/adapters/http/officer-customers';

/**
 * `npm run dev-token [-- --scope "tokens:read tokens:write"] [--sub id] [--name "Full Name"]
 * [--customers CID-1,CID-2]`: prints a JWT from the local dev issuer that the local gateway accepts.
 * `--customers`: the MDES customers the officer may act for (default: the local demo's customer).
 * `npm run dev-token -- --cardholder <accountId>`: a cardholder token for the issuer's app instead
 * (subject the Pismo account, the app's audience, scope `cardholder`; docs/flows/cardholder.md).
 *
 * It does not synthesize the app (that took 6–12 s): the audience comes from `cdk.json` through
 * `internalApiAudience()`, the same context key and default `infra/build-app.ts` reads, and the issuer
 * is the dev issuer the local stack configures. One source of truth, checked by the local-stack test.
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? String(process.argv[i + 1]) : fallback;
}

async function main() {
  const audience = internalApiAudience();
  const issuer = await openDevIssuer(DEV_ISSUER_KEY_FILE);
  const cardholder = arg('cardholder', '');
  if (process.argv.includes('--cardholder')) {
    if (!/^[1-9]\d{0,18}$/.test(cardholder)) throw new Error('--cardholder needs a Pismo account id (digits)');
    console.log(
      await issuer.mint({
        audience: cardholderApiAudience(),
        scope: 'cardholder',
        sub: cardholder,
        name: `Cardholder ${cardholder}`,
      }),
    );
    return;
  }
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
