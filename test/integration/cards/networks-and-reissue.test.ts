import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoTokenStore } from '../../../shared/adapters/dynamo/token-store';
import { cardExecutionName } from '../../../shared/adapters/aws/card-lifecycle-workflow';
import { cardScenarioEvent } from '../../../local/seed/card-events';
import { mdesActiveToken } from '../../../local/seed/idv-events';
import { eventLike } from '../../../local/seed/pismo-events';
import { tokenTransfers } from '../../../local/pismo-simulator/token-transfer';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { captureStdout } from '../../fixtures/capture-stdout';
import { until } from '../../fixtures/until';

/**
 * Issue 14 on the local stack, the parts card-lifecycle.test.ts does not drive: a Mastercard token
 * suspended by a card BLOCKED event through MDES Customer Service (the MDES simulator, not Pismo),
 * and a reissue whose token transfer failed, retried once through Pismo's "transfer tokens" (the
 * Pismo simulator), whose `pan_update` SUCCESS moves the tokens to the new card in our store.
 * (The Visa path through Pismo, one token failing and a crash mid-card: card-lifecycle.test.ts and
 * test/unit/cards/card-lifecycle.test.ts.)
 */
let stack: LocalStack;
let store: DynamoTokenStore;
let stdout: ReturnType<typeof captureStdout>;
const stateDir = mkdtempSync(path.join(tmpdir(), 'cards-reissue-'));
const ACCOUNT = '100002000';
/** A 9-digit Pismo card id, fresh per run. */
const newCardId = () => String(600_000_000 + Math.floor(Math.random() * 99_999_999));

beforeAll(async () => {
  stdout = captureStdout();
  stack = await startLocalStack({
    issuerKeyFile: path.join(stateDir, 'dev-issuer.json'),
    dataDir: path.join(stateDir, 'dynalite'),
    outboxFile: path.join(stateDir, 'outbox.jsonl'),
    secretsFile: path.join(stateDir, 'secrets-manager.json'),
    mdesStateFile: path.join(stateDir, 'mdes-simulator.json'),
    pismoKeyFile: path.join(stateDir, 'pismo-signing-key.json'),
  });
  store = new DynamoTokenStore(stack.tableName, stack.dynamo.client);
}, 120_000);

afterAll(async () => {
  stdout.restore();
  await stack.stop();
});

const webhook = (event: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, event);

async function finished(cardId: string, cardEventId: string) {
  const execution = await until(() => stack.stepFunctions.executions.get(cardExecutionName({ cardId, cardEventId })));
  await execution.done;
  return execution;
}

describe('card lifecycle on both networks and a reissue retried (local stack)', () => {
  it('a card BLOCKED suspends its Mastercard token through MDES Customer Service, not Pismo', async () => {
    const cardId = '4995608';
    const tokenId = String(94_000 + Math.floor(Math.random() * 999));
    const tur = `DSHRMC0000259339000000000000000000000000000cd${tokenId.slice(-3)}`;
    for (const event of mdesActiveToken(tokenId, tur)) {
      event.timestamp = new Date(Date.parse(String(event.timestamp)) - 120_000).toISOString();
      expect((await webhook(event)).status).toBeLessThan(300);
    }
    expect((await store.getTokenState(tokenId))?.state).toMatchObject({ status: 'active', facts: { cardId } });
    expect(stack.mdes.vault.get(tur)).toMatchObject({ status: 'A' });
    const pismoCalls = stack.pismo.tokenOperations.requests.length;

    const eventId = randomUUID();
    expect((await webhook(cardScenarioEvent('card-blocked', cardId, eventId))).status).toBe(202);
    expect((await finished(cardId, eventId)).status).toBe('SUCCEEDED');

    expect(stack.mdes.vault.get(tur)).toMatchObject({ status: 'S', suspenders: new Set(['I']) });
    expect(stack.mdes.vault.get(tur)?.history.at(-1)?.AuditInfo).toMatchObject({
      UserId: 'card-lifecycle-policy',
      Organization: 'Demo Bank',
    });
    expect(stack.pismo.tokenOperations.requests.length).toBe(pismoCalls);
    const [audit] = await store.listAudit({ tokenId }, 10);
    expect(audit).toMatchObject({ userId: 'card-lifecycle-policy', operation: 'suspend', outcome: 'DONE' });
    expect(audit?.parameters).toMatchObject({ route: 'mdes' });
    const notes = (await store.listTimeline({ tokenId }, 50)).items.flatMap((e) => (e.note ? [e.note] : []));
    expect(notes).toContainEqual(expect.stringMatching(new RegExp(`^suspended: card ${cardId} BLOCKED at `)));
  }, 60_000);

  it('a pan_update FAILURE is retried once through Pismo: its SUCCESS moves the tokens; a redelivery retries nothing', async () => {
    const oldCard = newCardId();
    const newCard = newCardId();
    const tokenIds = [1, 2].map((i) => `${oldCard.slice(-5)}${i}`);
    for (const tokenId of tokenIds) {
      const event = eventLike('vts-token-resume', {
        eventId: `resume-${tokenId}`,
        tokenId,
        cardId: Number(oldCard),
        timestamp: new Date(Date.now() - 60_000).toISOString(),
      });
      event.data.account_id = Number(ACCOUNT);
      expect((await webhook(event)).status).toBeLessThan(300);
      stack.pismo.tokenOperations.provision({ tokenId, cardId: oldCard, accountId: ACCOUNT, network: 'vts' });
    }
    const transfers = tokenTransfers(stack.pismo.tokenOperations);
    const before = transfers.requests.length;
    const failure = {
      event_id: randomUUID(),
      domain: 'cards-tokenization',
      event_type: 'pan_update',
      schema_version: 1,
      timestamp: new Date().toISOString(),
      data: {
        account_id: Number(ACCOUNT),
        old_card_id: Number(oldCard),
        new_card_id: Number(newCard),
        migrated_tokens: [],
        status: 'FAILURE',
        reason: 'Error processing request',
        reason_code: 'ERR7655',
      },
    };
    expect(await webhook(failure)).toMatchObject({ status: 202, body: { outcome: 'applied' } });
    expect((await finished(oldCard, failure.event_id)).status).toBe('SUCCEEDED');
    expect(transfers.requests.slice(before)).toEqual([
      expect.objectContaining({ status: 202, oldCardId: oldCard, newCardId: newCard }),
    ]);
    // The simulator's pan_update SUCCESS reached our webhook: the tokens are on the new card.
    for (const tokenId of tokenIds)
      await until(async () => (await store.getTokenState(tokenId))?.state.facts.cardId === newCard);
    expect((await store.getTokenState(tokenIds[0] as string))?.state.facts.previousCardIds).toEqual([oldCard]);
    // The card's timeline entry of the SUCCESS is written after the tokens move (the dedup record, last).
    const notes = await until(async () => {
      const n = (await store.listTimeline({ cardId: oldCard }, 50)).items.flatMap((e) => (e.note ? [e.note] : []));
      return n.length >= 3 && n;
    });
    expect(notes).toEqual([
      expect.stringMatching(/^work item: token transfer .* failed \(reason code ERR7655\)/),
      expect.stringMatching(/retried once through Pismo \(policy default-v2/),
      expect.stringMatching(/^reissue: 2 token\(s\) moved from card/),
    ]);

    // The same FAILURE again (redelivered): a duplicate, no second transfer.
    expect(await webhook(failure)).toMatchObject({ body: { outcome: 'duplicate' } });
    // Another FAILURE of the same card pair (a second event): the pair's one retry is spent.
    const again = { ...failure, event_id: randomUUID(), timestamp: new Date().toISOString() };
    expect(await webhook(again)).toMatchObject({ body: { outcome: 'applied' } });
    expect((await finished(oldCard, again.event_id)).status).toBe('SUCCEEDED');
    expect(transfers.requests.length).toBe(before + 1);
  }, 90_000);
});
