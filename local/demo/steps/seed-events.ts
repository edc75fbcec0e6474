import { MDES_LIFECYCLE, type SeedEventName, seedEvent } from '../../seed/pismo-events';
import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';

const SCENARIOS: { title: string; events: SeedEventName[] }[] = [
  {
    title: 'MDES: eligibility refused, then a yellow-path provisioning of token 17556',
    events: ['mdes-te-refusal', ...MDES_LIFECYCLE],
  },
  {
    title:
      'VTS: token 17579 provisioning (approve, CVM, passcode); token 17580 suspended and resumed; 17577 deactivated',
    events: [
      'vts-approve-provisioning',
      'vts-get-cvm',
      'vts-passcode',
      'vts-token-suspended',
      'vts-token-resume',
      'vts-token-deactivated',
    ],
  },
];

/**
 * Replays Pismo's MDES and VTS example events through `POST /pismo/events`, then a redelivery and a
 * malformed event. Returns the token ids the events touched.
 */
export async function seedEventsDemo(stack: LocalStack): Promise<Set<string>> {
  const post = (body: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, body);
  const tokens = new Set<string>();
  for (const scenario of SCENARIOS) {
    console.log(`== ${scenario.title}`);
    const rows: (string | number | undefined)[][] = [];
    for (const name of scenario.events) {
      const event = seedEvent(name);
      const res = await post(event);
      if (res.body.tokenId) tokens.add(String(res.body.tokenId));
      rows.push([
        name,
        String(event.data.network_call_method),
        res.status,
        String(res.body.outcome ?? res.body.error),
        String(res.body.tokenId ?? 'card'),
        String(res.body.tokenStatus ?? '-'),
      ]);
    }
    console.log(textTable(['seed event', 'call method', 'HTTP', 'outcome', 'token', 'token status after'], rows), '\n');
  }

  console.log('== Redelivery: the MDES TC event again (Pismo retries are at-least-once)');
  const again = await post(seedEvent('mdes-tc'));
  console.log(`HTTP ${again.status} ${JSON.stringify(again.body)}\n`);

  console.log('== Bad input: the TA event without event_id');
  const bad = seedEvent('mdes-ta');
  delete bad.event_id;
  const rejected = await post(bad);
  console.log(`HTTP ${rejected.status} ${JSON.stringify(rejected.body)}\n`);
  return tokens;
}
