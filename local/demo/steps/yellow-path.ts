import * as path from 'node:path';
import { mdesYellowPath } from '../../seed/idv-events';
import type { LocalStack } from '../../stack/local-stack';
import { DECISION_SCENARIOS } from '../../pismo-simulator/scenarios';
import { textTable } from '../text-table';
import { demoTur } from './demo-tur';

type Nd = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** The cardholder's phone or mailbox, as the demo labels an outbox message. */
function recipient(m: { channel: string; to: string }): string {
  const masked = `${m.to.slice(0, -4).replace(/\d/g, '*')}${m.to.slice(-4)}`;
  return `${m.channel} to ${masked} (the cardholder's ${m.channel === 'SMS' ? 'phone' : 'mailbox'})`;
}

/**
 * Decision → AC → SMS in the outbox → TC → active → "card added", on a fresh token (and TUR) each
 * run. Returns the token id and TUR: active in our store and at MDES, for the Customer Service examples.
 */
export async function yellowPathDemo(stack: LocalStack): Promise<{ tokenId: string; tur: string }> {
  const tokenId = `y${Date.now().toString(36)}`;
  const tur = demoTur(tokenId);
  console.log(`== Yellow path end to end for a new MDES token ${tokenId} (Step Functions workflow from the template)`);
  const flow = mdesYellowPath(tokenId);
  const completion = (flow.tc.data.network_data as Nd).de124_member_defined_data?.mdes_data?.tokenization_complete;
  if (completion) completion.sf10_token_unique_ref = tur;
  const scenario = DECISION_SCENARIOS.find((s) => s.name === 'mdes-yellow');
  const decision = await stack.pismo.send(`${stack.url}/pismo/tokenization-decisions`, {
    ...scenario?.request,
    token_id: tokenId,
  });
  const sent = stack.aws.outbox.length;
  const started = Date.now();
  const rows: string[][] = [
    ['decision', String(decision.body.decision), (decision.body.reason_codes as string[]).join(', ')],
  ];
  const send = async (label: string, e: unknown) => {
    const res = await stack.pismo.send(`${stack.url}/pismo/events`, e);
    rows.push([label, `HTTP ${res.status} ${String(res.body.outcome)}`, `token ${String(res.body.tokenStatus)}`]);
  };
  await send('TA event', flow.ta);
  await send('AC event (activation code)', flow.ac);
  const execution = () => stack.stepFunctions.executions.get(`ch-ac-${tokenId}`);
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => execution()?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered') ?? false);
  for (const m of stack.aws.outbox.slice(sent)) rows.push([recipient(m), `after ${Date.now() - started} ms`, m.body]);
  await send('TC event (tokenization complete)', flow.tc);
  await execution()?.done;
  for (const m of stack.aws.outbox.slice(sent + 1)) rows.push([recipient(m), 'after TC', m.body]);
  rows.push([
    'workflow',
    String(execution()?.status),
    (execution()?.steps ?? [])
      .filter((s) => s.type === 'entered')
      .map((s) => s.state)
      .join(' → '),
  ]);
  console.log(textTable(['step', 'result', 'detail'], rows), '\n');
  console.log(
    `(The code is printed because the outbox stands for the cardholder's phone and mailbox: in AWS it goes by SMS or email only.\n` +
      ` Locally it is kept in ${path.join('.local', 'outbox.jsonl')}, readable by you only.)\n`,
  );
  return { tokenId, tur };
}
