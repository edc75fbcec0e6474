import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoTokenStore } from '../../../shared/adapters/dynamo/token-store';
import { cardExecutionName } from '../../../shared/adapters/aws/card-lifecycle-workflow';
import { transferRetryId } from '../../../shared/domain/card';
import { tokenTransfers } from '../../pismo-simulator/token-transfer';
import { cardScenarioEvent, cardUpdateEvent } from '../../seed/card-events';
import { eventLike } from '../../seed/pismo-events';
import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';

const ACCOUNT = '100002000';

/** Polls `check` until it returns a value (the simulator's events arrive in the background); bounded. */
async function settle<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await delay(20);
  }
  throw new Error(`the demo waited too long for ${what}`);
}

/**
 * Issue 14, the card lifecycle reaching the tokens: three Visa tokens on a fresh card (one the
 * cardholder paused in their wallet); the card BLOCKED (the policy suspends the active tokens through
 * Pismo, the simulator's events bring our store along), back to NORMAL (resumes only what the policy
 * suspended: the cardholder's pause stays), then LOST and reissued: the reissue's token transfer
 * fails, the policy retries it once through Pismo's "transfer tokens", and the tokens are on the new
 * card; the new card turning NORMAL resumes the tokens the policy suspended.
 */
export async function cardsDemo(stack: LocalStack): Promise<void> {
  const run = Date.now() % 100_000_000;
  const cardId = `7${String(run).padStart(8, '0')}`;
  const newCard = `7${String((run + 1) % 100_000_000).padStart(8, '0')}`;
  const [a, b, h] = [1, 2, 3].map((i) => `${cardId.slice(-5)}${i}`) as [string, string, string];
  const store = new DynamoTokenStore(stack.tableName, stack.dynamo.client);
  const ops = stack.pismo.tokenOperations;
  const webhook = (event: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, event);
  console.log(`== Card lifecycle reaches the tokens: Visa tokens ${a}, ${b}, ${h} on card ${cardId}`);
  for (const tokenId of [a, b, h]) {
    const event = eventLike('vts-token-resume', {
      eventId: `demo-card-${tokenId}`,
      tokenId,
      cardId: Number(cardId),
      timestamp: new Date(Date.now() - 60_000).toISOString(),
    });
    event.data.account_id = Number(ACCOUNT);
    await webhook(event);
    ops.provision({ tokenId, cardId, accountId: ACCOUNT, network: 'vts' });
  }
  // The cardholder pauses token h in their wallet (Visa's "token suspended" notification, through Pismo).
  const pause = eventLike('vts-token-suspended', {
    eventId: `demo-card-pause-${h}`,
    tokenId: h,
    cardId: Number(cardId),
    timestamp: new Date(Date.now() - 30_000).toISOString(),
  });
  pause.data.account_id = Number(ACCOUNT);
  await webhook(pause);
  const held = ops.tokens.get(h);
  if (held) held.status = 'SUSPENDED';

  const ours = async (tokenId: string) => (await store.getTokenState(tokenId))?.state;
  const row = async (tokenId: string) => {
    const t = await ours(tokenId);
    return `${t?.status ?? '?'} / ${ops.tokens.get(tokenId)?.status ?? '?'}`;
  };
  const columns: Record<string, string[]> = { before: [] };
  for (const t of [a, b, h]) columns.before?.push(await row(t));

  /** Sends a card status change (what `npm run pismo -- send <scenario> --card <id>` sends) and waits for its workflow. */
  const cardEvent = async (
    label: string,
    event: Record<string, unknown>,
    card: string,
    expect: Record<string, string>,
  ) => {
    const eventId = String(event.event_id);
    const res = await webhook(event);
    const name = cardExecutionName({ cardId: card, cardEventId: eventId });
    const execution = await settle(async () => stack.stepFunctions.executions.get(name), `execution ${name}`);
    await execution.done;
    for (const [tokenId, status] of Object.entries(expect))
      await settle(async () => (await ours(tokenId))?.status === status, `token ${tokenId} ${status}`);
    const plan = await store.getCardPlan(card, eventId);
    console.log(
      `${label} → HTTP ${res.status}, workflow ${execution.status}: plan ${plan?.policyVersion ?? '?'} ` +
        `${(plan?.actions ?? []).map((x) => `${x.action} ${x.tokenId}`).join(', ') || 'nothing to do'}` +
        `${(plan?.skipped ?? []).map((s) => `; skipped ${s.tokenId} (${s.why})`).join('')}`,
    );
    columns[label.split(' ')[0] ?? label] = await Promise.all([a, b, h].map(row));
  };

  await cardEvent(
    `BLOCKED (npm run pismo -- send card-blocked --card ${cardId})`,
    cardScenarioEvent('card-blocked', cardId, randomUUID()),
    cardId,
    {
      [a]: 'suspended',
      [b]: 'suspended',
    },
  );
  await cardEvent(
    `NORMAL (npm run pismo -- send card-unblocked --card ${cardId})`,
    cardScenarioEvent('card-unblocked', cardId, randomUUID()),
    cardId,
    {
      [a]: 'active',
      [b]: 'active',
    },
  );
  await cardEvent(
    `LOST (npm run pismo -- send card-lost --card ${cardId})`,
    cardScenarioEvent('card-lost', cardId, randomUUID()),
    cardId,
    {
      [a]: 'suspended',
      [b]: 'suspended',
    },
  );

  // Pismo reissues the card as `newCard`; its token transfer fails: the pan_update FAILURE.
  const failure = {
    event_id: randomUUID(),
    domain: 'cards-tokenization',
    event_type: 'pan_update',
    schema_version: 1,
    timestamp: new Date().toISOString(),
    data: {
      account_id: Number(ACCOUNT),
      old_card_id: Number(cardId),
      new_card_id: Number(newCard),
      migrated_tokens: [],
      status: 'FAILURE',
      reason: 'Error processing request',
      reason_code: 'ERR7655',
    },
  };
  console.log(
    `Pismo reissues card ${cardId} as ${newCard}; the transfer of its tokens fails (a pan_update FAILURE: ` +
      'the ingestion counts PanUpdateFailed, alarmed, and logs the WARN below):',
  );
  const transfers = tokenTransfers(ops);
  const sent = transfers.requests.length;
  const res = await webhook(failure);
  const execution = await settle(
    async () => stack.stepFunctions.executions.get(cardExecutionName({ cardId, cardEventId: failure.event_id })),
    'the transfer retry',
  );
  await execution.done;
  for (const t of [a, b, h]) await settle(async () => (await ours(t))?.facts.cardId === newCard, `token ${t} moved`);
  const cardNotes = async () =>
    (await store.listTimeline({ cardId }, 50)).items.flatMap((e) => (e.note ? [e.note] : []));
  await settle(
    async () => (await cardNotes()).some((n) => n.startsWith('reissue:')),
    'the reissue on the card timeline',
  );
  const retry = await store.getCardPlan(cardId, transferRetryId(newCard));
  const request = transfers.requests[sent];
  console.log(
    `pan_update FAILURE (card ${cardId} → ${newCard}) → HTTP ${res.status}; policy ${retry?.policyVersion ?? '?'} ` +
      `retried the transfer once: POST …/cards/${cardId}/network-tokens/pan-update → ${request?.status ?? '?'}; ` +
      `the simulator's pan_update SUCCESS moved ${transfers.events.at(-1)?.event.data.migrated_tokens.length ?? 0} tokens`,
  );
  columns.reissued = await Promise.all(
    [a, b, h].map(async (t) => `${await row(t)} on ${(await ours(t))?.facts.cardId ?? '?'}`),
  );
  const activated = cardUpdateEvent({
    eventId: randomUUID(),
    cardId: newCard,
    status: 'NORMAL',
    previousStatus: 'CREATED',
  });
  await cardEvent(`new-card NORMAL (card ${newCard} activated)`, activated, newCard, { [a]: 'active', [b]: 'active' });

  console.log(
    textTable(
      ['token', 'before (ours / Pismo)', 'BLOCKED', 'NORMAL', 'LOST', 'reissued', 'new card NORMAL'],
      [a, b, h].map((t, i) => [
        `${t}${t === h ? ' (paused by the cardholder)' : ''}`,
        ...['before', 'BLOCKED', 'NORMAL', 'LOST', 'reissued', 'new-card'].map((c) => columns[c]?.[i]),
      ]),
    ),
  );
  const notes = await cardNotes();
  console.log(
    `Token ${h} stays suspended: the cardholder paused it, not the policy; the policy resumes only what it suspended.`,
  );
  console.log(`Card ${cardId}'s timeline (GET /tokens?cardId=${cardId}):\n${notes.map((n) => `  ${n}`).join('\n')}\n`);
}
