/**
 * `npm start`: the whole system on local stand-ins (the gateway and Lambda runtime from the
 * synthesized template, dynalite, the AWS stand-ins, the Pismo and MDES simulators, the dev issuer),
 * plus a demo that replays Pismo's MDES and VTS example events through `POST /pismo/events` and
 * shows the resulting token state, timelines and a Customer Service session. The demo is a script
 * for people, not a test: each step is in `steps/`, in the order below.
 * `npm start -- --once` exits after the demo; otherwise the stack keeps serving and prints commands to try.
 * (`rotate-keys.ts`, `npm run rotate-keys`, is the other demo: a full Mastercard key rotation.)
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEMO_PAN } from '../mdes-simulator/vault';
import { LOCAL_DIR, type LocalStack, PISMO_KEY_FILE, startLocalStack } from '../stack/local-stack';
import { customerServiceDemo } from './steps/customer-service';
import { decisionsDemo } from './steps/decisions';
import { lifecycleDemo } from './steps/lifecycle';
import { reconciliationDemo } from './steps/reconciliation';
import { seedEventsDemo } from './steps/seed-events';
import { tokenViewsDemo } from './steps/token-views';
import { yellowPathDemo } from './steps/yellow-path';
import { cardsDemo } from './steps/cards';
import { cardholderDemo } from './steps/cardholder';
import { pushProvisioningDemo } from './steps/push-provisioning';
import { appToAppDemo } from './steps/app-to-app';

const once = process.argv.includes('--once');
const port = Number(process.env.PORT ?? (once ? 0 : 3000));

/** Body of a Customer Service search for the demo card, for the curl example. */
const SEARCH_BODY_FILE = path.join(LOCAL_DIR, 'search-demo-card.json');

/** After the demo: serve until Ctrl+C, with commands to try against the yellow-path token. */
function serve(stack: LocalStack, active: { tokenId: string; tur: string }): void {
  // The demo card's (test) PAN goes in a file for curl, never on a command line or in the output.
  writeFileSync(SEARCH_BODY_FILE, JSON.stringify({ AccountPan: DEMO_PAN }), { mode: 0o600 });
  // PORT reaches the CLIs through the environment; print it only when it is not their default.
  const env = port === 3000 ? '' : `PORT=${port} `;
  const lines = [
    `export TOKEN=$(npm run -s dev-token)`,
    `curl -s -H "authorization: Bearer $TOKEN" '${stack.url}/tokens?cardId=4995608'`,
    `curl -s -H "authorization: Bearer $TOKEN" ${stack.url}/tokens/${active.tokenId}   # the yellow-path token, active`,
    `${env}npm run pismo -- send vts-passcode   # a new Pismo-signed event (fresh id): an OTP to the outbox`,
    `${env}npm run pismo -- send mdes-yellow    # a Pismo-signed decision call`,
    `export CS=$(npm run -s dev-token -- --scope 'tokens:read tokens:write' --sub agent-7 --name 'Ana Souza')`,
    `curl -s -H "authorization: Bearer $CS" -H 'content-type: application/json' -d @${path.relative(process.cwd(), SEARCH_BODY_FILE)} ${stack.url}/cs/search`,
    `curl -s -H "authorization: Bearer $CS" -H 'content-type: application/json' -d '{"ReasonCode":"L","CommentText":"phone lost"}' ${stack.url}/cs/turs/${active.tur}/suspend`,
    `npm run rotate-keys   # (in another terminal, after stopping this one) a full Mastercard key rotation`,
  ];
  console.log(`Serving on ${stack.url}. Try:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  console.log(
    '(Token 17556 was deleted by the seed TV event: in our store and at the MDES simulator, so Customer Service answers 409 for it.)',
  );
  console.log(
    `Console: ${stack.url}/console   (sign in as a test user of the dev issuer: read-only, agent, supervisor)`,
  );
  console.log('Ctrl+C to stop.');
  const stop = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main() {
  const started = Date.now();
  const stack = await startLocalStack({
    dataDir: path.join(LOCAL_DIR, 'dynalite'),
    port,
    pismoKeyFile: PISMO_KEY_FILE,
    outboxFile: path.join(LOCAL_DIR, 'outbox.jsonl'),
    secretsFile: path.join(LOCAL_DIR, 'secrets-manager.json'),
    mdesStateFile: path.join(LOCAL_DIR, 'mdes-simulator.json'),
    // The workflow's 24 h reminder and 29-day clean-up waits take 1 s in the demo.
    waitOverridesMs: { WaitBeforeReminder: 1000, WaitBeforeCleanup: 1000 },
  });
  console.log(
    `Local stack up in ${Date.now() - started} ms: gateway ${stack.url}, DynamoDB (dynalite) ${stack.dynamo.endpoint}`,
  );
  console.log(`Routes from the synthesized template: ${stack.model.routes.map((r) => r.routeKey).join(', ')}\n`);

  await decisionsDemo(stack);
  const active = await yellowPathDemo(stack);
  const tokens = await seedEventsDemo(stack);
  await tokenViewsDemo(stack, tokens);
  await customerServiceDemo(stack);
  await lifecycleDemo(stack);
  await reconciliationDemo(stack);
  await cardsDemo(stack);
  await cardholderDemo(stack);
  await pushProvisioningDemo(stack);
  await appToAppDemo(stack);
  // The console's system page shows the key monitor's latest report: run the daily check once now.
  const monitor = [...stack.model.functions.values()].find((f) => f.entry === 'functions/keys/monitor-mdes-keys.ts');
  if (monitor) await stack.invoke(monitor.id, {}).catch((err: unknown) => console.warn('key monitor:', err));

  if (once) {
    await stack.stop();
    console.log('Demo complete (--once).');
    return;
  }
  serve(stack, active);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
