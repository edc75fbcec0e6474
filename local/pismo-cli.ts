import { existsSync, readFileSync } from 'node:fs';
import { type SeedEventName, seedEvent, seedEventNames } from '../test/fixtures/pismo-events';
import { PISMO_KEY_FILE } from './local-stack';
import { DECISION_SCENARIOS } from './pismo-scenarios';
import { PismoSimulator } from './pismo-simulator';

/**
 * `npm run pismo -- send <decision-scenario | seed-event | file.json> [--url http://127.0.0.1:3000]`: sends a webhook
 * signed with the local Pismo simulator's key (the one `npm start` publishes) and prints the answer.
 */
async function main() {
  const [command, target] = process.argv.slice(2);
  const urlIndex = process.argv.indexOf('--url');
  const base = urlIndex > 0 ? (process.argv[urlIndex + 1] ?? '') : 'http://127.0.0.1:3000';
  if (command !== 'send' || !target) {
    const all = [...DECISION_SCENARIOS.map((s) => s.name), ...seedEventNames()];
    console.error(`usage: npm run pismo -- send <${all.join('|')}|file.json> [--url ${base}]`);
    process.exit(2);
  }
  const scenario = DECISION_SCENARIOS.find((s) => s.name === target);
  const names: string[] = seedEventNames();
  const payload: unknown = scenario
    ? scenario.request
    : names.includes(target)
      ? seedEvent(target as SeedEventName)
      : existsSync(target)
        ? JSON.parse(readFileSync(target, 'utf8'))
        : undefined;
  if (payload === undefined) throw new Error(`no seed event or file named ${target}`);
  const sim = await PismoSimulator.start(PISMO_KEY_FILE);
  try {
    const route = scenario ? '/pismo/tokenization-decisions' : '/pismo/events';
    const res = await sim.send(`${base}${route}`, payload);
    console.log(`HTTP ${res.status} ${JSON.stringify(res.body)}`);
  } finally {
    await sim.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
