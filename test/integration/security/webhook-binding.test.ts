import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { App } from 'aws-cdk-lib';
import cdkJson from '../../../cdk.json';
import { buildApp } from '../../../infra/build-app';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { DECISION_SCENARIOS } from '../../../local/pismo-simulator/scenarios';
import type { SignOptions } from '../../../local/pismo-simulator/server';
import { DynamoReplayMemory } from '../../../shared/adapters/dynamo/webhook-replay-store';
import { eventLike } from '../../../local/seed/pismo-events';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'ERROR' });
});
afterAll(() => stack.stop());

const ROUTES = { events: '/pismo/events', decisions: '/pismo/tokenization-decisions' } as const;
type Route = keyof typeof ROUTES;
const OTHER: Record<Route, Route> = { events: 'decisions', decisions: 'events' };

let seq = 0;
/** A body for the route that nothing has seen yet (fresh event id, fresh token id). */
function freshBody(route: Route): string {
  seq++;
  if (route === 'events')
    return JSON.stringify(
      eventLike('mdes-ta', { eventId: `binding-${seq}-${Date.now()}`, tokenId: `9${seq}${Date.now() % 1e6}` }),
    );
  const request = structuredClone(DECISION_SCENARIOS.find((s) => s.name === 'mdes-green')?.request ?? {});
  return JSON.stringify({ ...request, token_id: Number(`8${seq}${Date.now() % 1e6}`) });
}

async function post(route: Route, body: string, sign: SignOptions = {}, authorization?: string) {
  const headers = authorization
    ? { 'content-type': 'application/json', authorization }
    : await stack.pismo.headers(body, { audience: ROUTES[route], ...sign });
  const res = await fetch(`${stack.url}${ROUTES[route]}`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

async function items(): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.dynamo.client.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start as never }),
    );
    for (const i of out.Items ?? []) all.push(unmarshall(i));
    start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return all;
}

describe('Pismo webhook token binding (local stack)', () => {
  describe.each(Object.keys(ROUTES) as Route[])('POST %s route', (route) => {
    it.each([
      ['a token for another tenant', { orgId: 'TN-00000000-another-pismo-customer' }, /org_id/],
      ['a wrong issuer', { issuer: 'https://pismo.attacker.example' }, /iss/],
      ['a wrong audience', { audience: `https://other-issuer.example${ROUTES[route]}` }, /aud/],
      ['a token signed for the other route', { audience: ROUTES[OTHER[route]] }, /aud/],
      ['a token without jti', { noJti: true }, /jti/],
    ] as [string, SignOptions, RegExp][])('refuses %s with 401 and writes nothing', async (_name, sign, reason) => {
      const before = (await items()).length;
      const res = await post(route, freshBody(route), sign);
      expect(res.status).toBe(401);
      expect(res.text).toMatch(reason);
      expect((await items()).length).toBe(before);
    });

    it('accepts a token bound to this tenant, issuer and route', async () => {
      const res = await post(route, freshBody(route));
      expect([200, 202]).toContain(res.status);
    });
  });

  describe('POST /pismo/tokenization-decisions replayed', () => {
    it('answers an exact replay with the first answer, records one decision and keeps only the jti hash', async () => {
      const body = freshBody('decisions');
      const token = await stack.pismo.sign(body, { audience: ROUTES.decisions });
      const authorization = `Bearer ${token}`;
      const first = await post('decisions', body, {}, authorization);
      const replays = await Promise.all([1, 2, 3].map(() => post('decisions', body, {}, authorization)));
      expect(first.status).toBe(200);
      for (const replay of replays) expect(replay).toEqual(first);
      const decisionId = (JSON.parse(first.text) as { decision_id: string }).decision_id;
      const all = await items();
      expect(all.filter((i) => i.decisionId === decisionId && String(i.SK).startsWith('DECISION#'))).toHaveLength(1);
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        jti: string;
        exp: number;
      };
      const jtiItem = all.find((i) => i.PK === `JTI#${createHash('sha256').update(claims.jti).digest('hex')}`);
      expect(jtiItem).toMatchObject({ SK: 'JTI', expiresAt: expect.any(Number) });
      expect(Number(jtiItem?.expiresAt)).toBeGreaterThanOrEqual(claims.exp - 1);
      expect(Number(jtiItem?.expiresAt)).toBeLessThanOrEqual(claims.exp + 60);
      expect(JSON.stringify(all)).not.toContain(claims.jti);
      expect(JSON.stringify(all)).not.toContain(token);
    });

    it('decides the same body again under a new token (a new call from Pismo, not a replay)', async () => {
      const body = freshBody('decisions');
      const a = await post('decisions', body);
      const b = await post('decisions', body);
      expect(JSON.parse(a.text)).not.toMatchObject({ decision_id: JSON.parse(b.text).decision_id as string });
    });
  });

  describe('POST /pismo/events replayed', () => {
    it('answers an exact replay as a duplicate and writes nothing new', async () => {
      const body = freshBody('events');
      const authorization = `Bearer ${await stack.pismo.sign(body, { audience: ROUTES.events })}`;
      const first = await post('events', body, {}, authorization);
      const before = (await items()).length;
      const again = await post('events', body, {}, authorization);
      expect(first.status).toBe(202);
      expect(JSON.parse(again.text)).toMatchObject({ outcome: 'duplicate' });
      expect((await items()).length).toBe(before);
    });
  });
});

describe('DynamoReplayMemory (on the local table)', () => {
  describe('claim', () => {
    const memory = () => new DynamoReplayMemory<{ n: number }>(stack.tableName, stack.dynamo.client);
    const key = () => createHash('sha256').update(`jti-${Math.random()}`).digest('hex');
    const now = () => Math.floor(Date.now() / 1000);

    it('claims a token id once and keeps the first answer', async () => {
      const k = key();
      await expect(memory().claim(k, now() + 60)).resolves.toBe('first');
      await expect(memory().claim(k, now() + 60)).resolves.toBe('replay');
      await expect(memory().firstAnswer(k)).resolves.toBeUndefined();
      await memory().saveAnswer(k, now() + 60, { n: 1 });
      await expect(memory().firstAnswer(k)).resolves.toEqual({ n: 1 });
    });

    it('treats a claim whose token has expired as free (DynamoDB removes TTL items lazily)', async () => {
      const k = key();
      await memory().claim(k, now() - 10);
      await expect(memory().claim(k, now() + 60)).resolves.toBe('first');
    });
  });
});

describe('buildApp', () => {
  const build = (context: Record<string, unknown>) => () =>
    buildApp(new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } }));

  it('fails the synth when the Pismo tenant is not configured', () => {
    expect(build({ 'tokenization:pismoOrgId': undefined })).toThrow(/tokenization:pismoOrgId is required/);
  });

  it('fails the synth when the Pismo token issuer is not configured', () => {
    expect(build({ 'tokenization:pismoJwtIssuer': '' })).toThrow(/tokenization:pismoJwtIssuer is required/);
  });
});
