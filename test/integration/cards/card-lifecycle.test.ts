import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoTokenStore } from '../../../shared/adapters/dynamo/token-store';
import { cardExecutionName } from '../../../shared/adapters/aws/card-lifecycle-workflow';
import type { TokenState } from '../../../shared/domain/token-state';
import { cardScenarioEvent, cardUpdateEvent } from '../../../local/seed/card-events';
import { eventLike } from '../../../local/seed/pismo-events';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { captureStdout } from '../../fixtures/capture-stdout';
import { until } from '../../fixtures/until';

/**
 * Issue 14 on the local stack: a Pismo `cards` event through the signed webhook changes the card's
 * state and starts the card lifecycle workflow (template-derived), which stores the plan and runs one
 * iteration per token. Each action goes through the token lifecycle use case (ADR 0020), audited with
 * the policy as the officer: a Visa token is suspended through the Pismo simulator; a Mastercard token
 * with no Token Unique Reference yet is refused by the lifecycle's rules, on the token.
 */
let stack: LocalStack;
let store: DynamoTokenStore;
let readToken: string;
let stdout: ReturnType<typeof captureStdout>;
const stateDir = mkdtempSync(path.join(tmpdir(), 'cards-state-'));

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
  readToken = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
}, 120_000);

afterAll(async () => {
  stdout.restore();
  await stack.stop();
});

async function post(body: unknown) {
  const text = JSON.stringify(body);
  const res = await fetch(`${stack.url}/pismo/events`, {
    method: 'POST',
    headers: await stack.pismo.headers(text, { audience: '/pismo/events' }),
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function timelineNotes(tokenId: string): Promise<string[]> {
  const res = await fetch(`${stack.url}/tokens/${tokenId}`, { headers: { authorization: `Bearer ${readToken}` } });
  const body = (await res.json()) as { timeline: { items: { note?: string }[] } };
  return body.timeline.items.flatMap((e) => (e.note ? [e.note] : []));
}

function token(tokenId: string, cardId: string, status: TokenState['status']): TokenState {
  const at = new Date().toISOString();
  return {
    tokenId,
    status,
    statusAt: at,
    facts: { cardId, network: 'MDES' },
    clocks: { status: `0#${at}#seed-${tokenId}` },
    firstEventAt: at,
    lastEventAt: at,
  };
}

describe('card lifecycle on the local stack', () => {
  it('a card blocked through /pismo/events: card state stored, plan made, each active token acted on', async () => {
    const cardId = String(Date.now() % 1e9);
    const [t1, t2, t3] = [1, 2, 3].map((i) => `${cardId}${i}`);
    await store.putTokenState(token(t1 as string, cardId, 'active'), undefined);
    await store.putTokenState(token(t2 as string, cardId, 'active'), undefined);
    await store.putTokenState(token(t3 as string, cardId, 'suspended'), undefined);

    const eventId = randomUUID();
    const blocked = cardScenarioEvent('card-blocked', cardId, eventId);
    const res = await post(blocked);
    expect(res).toMatchObject({ status: 202, body: { outcome: 'applied', tokenId: null } });
    expect((await store.getCardState(cardId))?.state).toMatchObject({ status: 'BLOCKED', lastEventId: eventId });

    const execution = await until(() =>
      stack.stepFunctions.executions.get(cardExecutionName({ cardId, cardEventId: eventId })),
    );
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    const plan = await store.getCardPlan(cardId, eventId);
    expect(plan?.actions.map((a) => [a.tokenId, a.action])).toEqual([
      [t1, 'suspend'],
      [t2, 'suspend'],
    ]);
    expect(plan?.skipped.map((s) => s.tokenId)).toEqual([t3]);
    for (const t of [t1, t2] as string[]) {
      const notes = await until(async () => {
        const n = await timelineNotes(t);
        return n.length > 0 && n;
      });
      expect(notes).toEqual([
        expect.stringMatching(
          /^suspend refused: token \d+ has no MDES Token Unique Reference yet.*card \d+ BLOCKED at /,
        ),
      ]);
    }
    expect(await timelineNotes(t3 as string)).toEqual([]);

    // The same event again: a duplicate, no second execution.
    const executions = stack.stepFunctions.executions.size;
    expect(await post(blocked)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(stack.stepFunctions.executions.size).toBe(executions);
  }, 60_000);

  it('a card blocked: its Visa token suspended through the Pismo simulator, audited as the policy, then suspended', async () => {
    // An active Visa token of card 5271995 in our store (a VTS resume notification) and at Pismo.
    const cardId = '5271995';
    const tokenId = '95001';
    const resume = eventLike('vts-token-resume', {
      eventId: `resume-${tokenId}`,
      tokenId,
      timestamp: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await stack.pismo.send(`${stack.url}/pismo/events`, resume)).status).toBeLessThan(300);
    stack.pismo.tokenOperations.provision({ tokenId, cardId, accountId: '100002000', network: 'vts' });
    expect((await store.getTokenState(tokenId))?.state).toMatchObject({ status: 'active', facts: { cardId } });

    const eventId = randomUUID();
    expect((await post(cardScenarioEvent('card-blocked', cardId, eventId))).status).toBe(202);
    const execution = await until(() =>
      stack.stepFunctions.executions.get(cardExecutionName({ cardId, cardEventId: eventId })),
    );
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(stack.pismo.tokenOperations.tokens.get(tokenId)?.history.at(-1)).toMatchObject({ operation: 'SUSPEND' });
    const [audit] = await store.listAudit({ tokenId }, 10);
    expect(audit).toMatchObject({ userId: 'card-lifecycle-policy', operation: 'suspend', outcome: 'DONE' });
    expect(audit?.parameters?.comment).toContain(`(event ${eventId})`);
    // The simulator's event reaches our webhook: the token is suspended.
    await until(async () => (await store.getTokenState(tokenId))?.state.status === 'suspended');
  }, 60_000);

  it('an older card event changes nothing; an unknown status is stored, never refused', async () => {
    const cardId = String((Date.now() % 1e9) + 7);
    const late = new Date().toISOString();
    const early = new Date(Date.now() - 60_000).toISOString();
    await post(
      cardUpdateEvent({ eventId: randomUUID(), cardId, status: 'NORMAL', previousStatus: 'BLOCKED', timestamp: late }),
    );
    const older = await post(cardUpdateEvent({ eventId: randomUUID(), cardId, status: 'BLOCKED', timestamp: early }));
    expect(older.status).toBe(202);
    expect((await store.getCardState(cardId))?.state.status).toBe('NORMAL');
    const unknown = await post(cardScenarioEvent('card-unknown-status', cardId, randomUUID()));
    expect(unknown.status).toBe(202);
    expect((await store.getCardState(cardId))?.state).toMatchObject({ status: 'MELTED', statusKnown: false });
  }, 60_000);
});
