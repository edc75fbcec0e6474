import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type SeedEventName, seedEvent, seedEventNames } from '../seed/pismo-events';
import { localGatewayUrl, OUTBOX_FILE, PISMO_KEY_FILE } from '../config/settings';
import { CARD_SCENARIOS, cardScenarioEvent } from '../seed/card-events';
import { DECISION_SCENARIOS } from './scenarios';
import { PismoSimulator } from './server';

/**
 * `npm run pismo -- send <decision-scenario | seed-event | card-scenario | file.json> [--token <id>] [--card <id>] [--url <base>]`:
 * sends a webhook signed with the local Pismo simulator's key (the one `npm start` publishes) to
 * `http://127.0.0.1:$PORT` (default 3000) and prints the answer and what to look at next.
 *
 * A seed event is sent as a **new** event: fresh `event_id`, `timestamp` now, a code expiry 30 minutes
 * ahead (so an OTP is delivered, not expired on arrival); a replay of the seed as it is would only be
 * answered `duplicate` once the demo has run. `--token` re-addresses it to another token id. A card
 * scenario (`card-blocked`, `card-unblocked`…, local/seed/card-events.ts) is a new Pismo `cards`
 * `update` event for `--card` (default: the demo card 4995608).
 */
type Nd = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** MDES `YYMMDDhhmm` in UTC. */
function mdesTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** The seed event as a new event: fresh id, now, a code that has not expired; optionally another token. */
export function freshEvent(name: SeedEventName, tokenId?: string): Record<string, unknown> {
  const event = seedEvent(name);
  const expiry = new Date(Date.now() + 30 * 60_000);
  event.event_id = randomUUID();
  event.timestamp = new Date().toISOString();
  if (tokenId !== undefined) event.data.token_id = /^\d+$/.test(tokenId) ? Number(tokenId) : tokenId;
  const nd = event.data.network_data as (Nd & { otpExpirationDate?: unknown }) | undefined;
  if (nd && typeof nd.otpExpirationDate === 'string') nd.otpExpirationDate = expiry.toISOString();
  const code = nd?.de124_member_defined_data?.mdes_data?.activation_code;
  if (code?.sf3_activation_code_expiration_date_time) code.sf3_activation_code_expiration_date_time = mdesTime(expiry);
  return event;
}

/** What to look at after the answer, with the commands to do it. */
function nextSteps(base: string, tokenId: string | undefined, status: unknown): string[] {
  if (!tokenId) return [];
  const get = (p: string) => `curl -s -H "authorization: Bearer $TOKEN" ${base}${p}`;
  const lines = [`export TOKEN=$(npm run -s dev-token)`, `${get(`/tokens/${tokenId}`)}   # state, timeline, decisions`];
  if (status === 'pending_idv')
    lines.push(
      `${get(`/tokens/${tokenId}/challenges`)}   # the ID&V challenge (never the code)`,
      `tail -n 1 ${path.relative(process.cwd(), OUTBOX_FILE)}   # the code, as the cardholder's phone would get it`,
    );
  return lines;
}

async function main() {
  const [command, target] = process.argv.slice(2);
  const base = option('url') ?? localGatewayUrl();
  if (command !== 'send' || !target) {
    const all = [...DECISION_SCENARIOS.map((s) => s.name), ...seedEventNames(), ...Object.keys(CARD_SCENARIOS)];
    console.error(`usage: npm run pismo -- send <${all.join('|')}|file.json> [--token <id>] [--url ${base}]`);
    process.exit(2);
  }
  const scenario = DECISION_SCENARIOS.find((s) => s.name === target);
  const names: string[] = seedEventNames();
  const tokenId = option('token');
  const payload: unknown = scenario
    ? { ...scenario.request, ...(tokenId ? { token_id: tokenId } : {}) }
    : names.includes(target)
      ? freshEvent(target as SeedEventName, tokenId)
      : Object.hasOwn(CARD_SCENARIOS, target)
        ? cardScenarioEvent(target, option('card') ?? '4995608', randomUUID())
        : existsSync(target)
          ? JSON.parse(readFileSync(target, 'utf8'))
          : undefined;
  if (payload === undefined) throw new Error(`no decision scenario, seed event or file named ${target}`);
  const sim = await PismoSimulator.start(PISMO_KEY_FILE);
  try {
    const route = scenario ? '/pismo/tokenization-decisions' : '/pismo/events';
    const res = await sim.send(`${base}${route}`, payload).catch((err: unknown) => {
      throw new Error(
        `${base} does not answer (${String(err)}): is \`npm start\` running, on PORT=${new URL(base).port}?`,
      );
    });
    console.log(`HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const sentTo = scenario ? (payload as { token_id?: unknown }).token_id : res.body.tokenId;
    const next = nextSteps(base, sentTo === undefined ? undefined : String(sentTo), res.body.tokenStatus);
    if (next.length) console.log(`Next:\n${next.map((l) => `  ${l}`).join('\n')}`);
  } finally {
    await sim.stop();
  }
}

if (require.main === module)
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
