import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { DEV_ISSUER } from '../../../local/dev-issuer/issuer';
import { LocalGateway } from '../../../local/gateway/gateway';
import { cardholderApiAudience, internalApiAudience, localGatewayUrl } from '../../../local/config/settings';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { freshEvent } from '../../../local/pismo-simulator/cli';
import { mdesYellowPath } from '../../../local/seed/idv-events';
import { captureStdout } from '../../fixtures/capture-stdout';
import {
  eventLike,
  MDES_LIFECYCLE,
  type SeedEventName,
  seedEvent,
  seedEventNames,
  VTS_LIFECYCLE,
} from '../../../local/seed/pismo-events';
import { until } from '../../fixtures/until';

let stack: LocalStack;
let readToken: string;
let stdout: ReturnType<typeof captureStdout>;
/** Where this run's stack keeps its files (DynamoDB stand-in, outbox, secrets, keys), as `npm start` does in `.local/`. */
const stateDir = mkdtempSync(path.join(tmpdir(), 'local-state-'));
const issuerKeyFile = path.join(stateDir, 'dev-issuer.json');

beforeAll(async () => {
  stdout = captureStdout();
  stack = await startLocalStack({
    logLevel: 'DEBUG',
    issuerKeyFile,
    dataDir: path.join(stateDir, 'dynalite'),
    outboxFile: path.join(stateDir, 'outbox.jsonl'),
    secretsFile: path.join(stateDir, 'secrets-manager.json'),
    mdesStateFile: path.join(stateDir, 'mdes-simulator.json'),
    pismoKeyFile: path.join(stateDir, 'pismo-signing-key.json'),
  });
  readToken = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
});

afterAll(async () => {
  stdout.restore();
  await stack.stop();
});

/** POSTs a body signed by the Pismo simulator; `headers` replaces or removes (undefined) signed headers. */
async function post(body: unknown, headers: Record<string, string | undefined> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const merged = { ...(await stack.pismo.headers(text, { audience: '/pismo/events' })), ...headers };
  const res = await fetch(`${stack.url}/pismo/events`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined)),
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(p: string, token: string | null = readToken) {
  const res = await fetch(`${stack.url}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function itemCount(): Promise<number> {
  const out = await stack.dynamo.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

interface TokenBody {
  token: { status?: string; facts: Record<string, unknown>; firstEventAt: string; lastEventAt: string };
  timeline: { items: { eventId: string; eventType: string; payload: string }[] };
}

type Nd = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** Resolves when `check` holds (polling), so a test waits for a condition instead of a fixed time. */
/** A lifecycle re-addressed to fresh token/card ids so runs do not see each other's data. */
function lifecycle(names: SeedEventName[], run: string) {
  return names.map((n) => {
    const e = seedEvent(n);
    const token = e.data.token_id === null ? null : `${String(e.data.token_id)}${run}`;
    return eventLike(n, {
      eventId: `${String(e.event_id)}-${run}`,
      tokenId: token,
      cardId: `${String(e.data.card_id)}${run}`,
    });
  });
}

/** The state of every token of a run, with the run suffix removed, for comparison across runs. */
async function statesOf(events: ReturnType<typeof lifecycle>, run: string) {
  const ids = [...new Set(events.map((e) => e.data.token_id).filter((t): t is string => typeof t === 'string'))].sort();
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    const { body } = await get(`/tokens/${id}`);
    const { token, timeline } = body as unknown as TokenBody;
    out[id.replace(run, '')] = {
      status: token.status,
      facts: JSON.parse(JSON.stringify(token.facts).replaceAll(run, '')),
      firstEventAt: token.firstEventAt,
      lastEventAt: token.lastEventAt,
      // Pismo's events only: ID&V workflow milestones (AC events start the workflow) land asynchronously.
      timeline: timeline.items
        .filter((i) => i.eventType !== 'idv_workflow')
        .map((i) => i.eventId.replace(`-${run}`, '')),
    };
  }
  return out;
}

describe('local stack (synthesized template on dynalite)', () => {
  describe('POST /pismo/events', () => {
    it.each(seedEventNames())('stores seed event %s with the expected outcome', async (name) => {
      const event = eventLike(name, { eventId: `seed-${name}` });
      const res = await post(event);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ outcome: 'applied', eventId: `seed-${name}`, recognized: true });
    });

    it('lands the MDES lifecycle with the right state and full timeline', async () => {
      const events = lifecycle(MDES_LIFECYCLE, 'm1');
      for (const e of events) expect((await post(e)).status).toBe(202);
      const { body } = await get('/tokens/17556m1');
      const view = body as unknown as TokenBody;
      expect(view.token).toMatchObject({
        status: 'deleted',
        facts: {
          network: 'MDES',
          walletName: 'Google Pay',
          tokenUniqueReference: 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e',
          activeTokens: 3,
        },
      });
      expect(view.timeline.items.filter((i) => i.eventType !== 'idv_workflow').map((i) => i.eventId)).toEqual(
        events.map((e) => e.event_id),
      );
      expect(JSON.stringify(view)).not.toContain('523894');
    });

    it("lists a card's tokens and its refusals", async () => {
      const events = lifecycle(['mdes-te-refusal', 'mdes-ta'], 'c1');
      for (const e of events) await post(e);
      const { status, body } = await get('/tokens?cardId=4995608c1');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        cardId: '4995608c1',
        tokens: { items: [{ tokenId: '17556c1' }] },
        refusals: [{ callMethod: 'TE' }],
      });
    });

    it('converges for duplicated (×1-3) and shuffled delivery of the MDES and VTS lifecycles', async () => {
      const names = [...MDES_LIFECYCLE, ...VTS_LIFECYCLE];
      const reference = lifecycle(names, 'ref');
      for (const e of reference) await post(e);
      const expected = await statesOf(reference, 'ref');
      expect(expected['17556']).toMatchObject({ status: 'deleted' });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: names.length, maxLength: names.length }),
          fc.array(fc.double({ noNaN: true }), { minLength: names.length * 3, maxLength: names.length * 3 }),
          fc.boolean(),
          async (copies, keys, concurrent) => {
            const id = `p${run++}`;
            const events = lifecycle(names, id);
            const deliveries = events.flatMap((e, i) => Array.from({ length: copies[i] ?? 1 }, () => e));
            const order = deliveries
              .map((e, i) => ({ e, k: keys[i] ?? 0 }))
              .sort((a, b) => a.k - b.k)
              .map((x) => x.e);
            if (concurrent) {
              const statuses = await Promise.all(order.map((e) => post(e).then((r) => r.status)));
              expect(statuses.every((s) => s === 200 || s === 202)).toBe(true);
            } else {
              for (const e of order) expect([200, 202]).toContain((await post(e)).status);
            }
            expect(await statesOf(events, id)).toEqual(expected);
          },
        ),
        { numRuns: 8 },
      );
    });

    it('answers a redelivery 200 duplicate', async () => {
      const e = eventLike('mdes-tc', { eventId: 'dup-1', tokenId: 'dup1' });
      expect((await post(e)).status).toBe(202);
      const again = await post(e);
      expect(again).toMatchObject({ status: 200, body: { outcome: 'duplicate', tokenStatus: 'active' } });
    });
  });

  describe('bad input: 4xx with a reason and nothing written', () => {
    const tooBig = JSON.stringify({ ...seedEvent('mdes-ta'), pad: 'x'.repeat(256 * 1024) });
    const missing = seedEvent('mdes-ta');
    delete missing.event_id;
    const cases: [string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
      ['malformed JSON', () => post('{"event_id": '), 400, 'MalformedJsonError'],
      [
        'wrong content type',
        () => post(seedEvent('mdes-ta'), { 'content-type': 'text/plain' }),
        415,
        'UnsupportedMediaTypeError',
      ],
      [
        'no content type',
        () => post(seedEvent('mdes-ta'), { 'content-type': undefined }),
        415,
        'UnsupportedMediaTypeError',
      ],
      ['no Pismo signature', () => post(seedEvent('mdes-ta'), { authorization: undefined }), 401, 'UnauthorizedError'],
      [
        'a body changed after signing',
        async () => {
          const signed = await stack.pismo.headers(JSON.stringify(seedEvent('mdes-ta')));
          return post(eventLike('mdes-ta', { eventId: 'tampered' }), { authorization: signed.authorization });
        },
        401,
        'UnauthorizedError',
      ],
      [
        'an expired signature',
        async () =>
          post(seedEvent('mdes-ta'), {
            authorization: `Bearer ${await stack.pismo.sign(JSON.stringify(seedEvent('mdes-ta')), { expiresIn: -120 })}`,
          }),
        401,
        'UnauthorizedError',
      ],
      ['a body over 256 KB', () => post(tooBig), 413, 'PayloadTooLargeError'],
      ['a missing field', () => post(missing), 400, 'ValidationError'],
      ['an unknown domain', () => post({ ...seedEvent('mdes-ta'), domain: 'accounts' }), 400, 'ValidationError'],
      ['an oversized id', () => post({ ...seedEvent('mdes-ta'), event_id: 'o'.repeat(500) }), 400, 'ValidationError'],
    ];
    it.each(cases)('rejects %s', async (_name, send, status, error) => {
      const before = await itemCount();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ error, message: expect.any(String) });
      expect(await itemCount()).toBe(before);
    });
  });

  describe('internal read API (JWT authorizer from the template)', () => {
    it('refuses a request without a token', async () => {
      expect((await get('/tokens/17556', null)).status).toBe(401);
    });

    it('refuses a token without the tokens:read scope', async () => {
      const token = await stack.issuer.mint({ scope: 'tokens:write', audience: stack.audience });
      expect((await get('/tokens/17556', token)).status).toBe(403);
    });

    it('refuses a token for another audience and an expired token', async () => {
      const other = await stack.issuer.mint({ scope: 'tokens:read', audience: 'someone-else' });
      const expired = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience, ttlSeconds: -60 });
      expect((await get('/tokens/17556', other)).status).toBe(401);
      expect((await get('/tokens/17556', expired)).status).toBe(401);
    });

    it('issues RS256 tokens that carry exp (what an API Gateway JWT authorizer requires)', async () => {
      const token = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
      expect(decodeProtectedHeader(token).alg).toBe('RS256');
      expect((await get('/tokens/17556', token)).status).not.toBe(401);
    });

    it("refuses a token without exp, even signed with the issuer's own key", async () => {
      const { privateJwk, kid } = JSON.parse(readFileSync(issuerKeyFile, 'utf8')) as { privateJwk: JWK; kid: string };
      const sign = (withExp: boolean) => {
        const jwt = new SignJWT({ scope: 'tokens:read' })
          .setProtectedHeader({ alg: 'RS256', kid })
          .setIssuer(DEV_ISSUER)
          .setAudience(stack.audience)
          .setIssuedAt();
        return (withExp ? jwt.setExpirationTime('5m') : jwt).sign(privateJwk);
      };
      expect((await get('/tokens/17556', await sign(false))).status).toBe(401);
      expect((await get('/tokens/17556', await sign(true))).status).not.toBe(401); // the same token with exp passes
    });

    it('refuses a non-RSA (ES256) token signed by a key the issuer publishes', async () => {
      const ec = await generateKeyPair('ES256');
      const rsa = await generateKeyPair('RS256');
      const publicJwk = async (key: KeyLike, kid: string) => ({ ...(await exportJWK(key)), kid });
      const keys = [await publicJwk(ec.publicKey, 'ec'), await publicJwk(rsa.publicKey, 'rsa')];
      const gateway = new LocalGateway(stack.model.routes, stack.invoke, {
        issuer: DEV_ISSUER,
        jwks: () => ({ keys }),
        mint: () => Promise.reject(new Error('not used')),
      });
      const url = await gateway.listen(0);
      try {
        const token = (alg: 'ES256' | 'RS256', key: KeyLike) =>
          new SignJWT({ scope: 'tokens:read' })
            .setProtectedHeader({ alg, kid: alg === 'ES256' ? 'ec' : 'rsa' })
            .setIssuer(DEV_ISSUER)
            .setAudience(stack.audience)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(key);
        const status = async (t: string) =>
          (await fetch(`${url}/tokens/17556`, { headers: { authorization: `Bearer ${t}` } })).status;
        expect(await status(await token('ES256', ec.privateKey))).toBe(401);
        expect(await status(await token('RS256', rsa.privateKey))).not.toBe(401);
      } finally {
        await gateway.close();
      }
    });

    it("mints for the template's audience without synthesizing (npm run dev-token)", () => {
      expect(internalApiAudience()).toBe(stack.audience);
    });

    it('answers 400 (not 500) for a malformed percent escape in the path, without invoking the function', async () => {
      const res = await get('/tokens/%E0%A4%A');
      expect(res).toEqual({ status: 400, body: { message: 'Bad Request' } });
    });

    it('refuses a JSON body that is not valid UTF-8 with 400 instead of decoding it lossily', async () => {
      const text = JSON.stringify(eventLike('mdes-ta', { eventId: 'utf8-bad', tokenId: 'utf8-bad' }));
      const body = Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from(',"x":"\xff\xfe"}', 'latin1')]);
      const before = await itemCount();
      const res = await fetch(`${stack.url}/pismo/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await stack.pismo.sign(body)}` },
        body,
      });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 400, body: { message: 'Bad Request' } });
      expect(await itemCount()).toBe(before);
    });

    it('answers 404 for an unknown token and 400 for a bad id or cursor', async () => {
      expect((await get('/tokens/nope-404')).status).toBe(404);
      expect((await get('/tokens?cardId=')).status).toBe(400);
      expect((await get('/tokens?cardId=1&limit=1000')).status).toBe(400);
      expect((await get('/tokens/17556?cursor=bm90LWpzb24')).body).toMatchObject({ error: 'ValidationError' });
    });

    it('pages through a timeline with the cursor it returns', async () => {
      for (const e of lifecycle(['mdes-ta', 'mdes-tc', 'mdes-tv-deleted'], 'pg')) await post(e);
      const first = (await get('/tokens/17556pg?limit=2')).body as unknown as {
        timeline: { items: unknown[]; nextCursor?: string };
      };
      expect(first.timeline.items).toHaveLength(2);
      const second = (await get(`/tokens/17556pg?limit=2&cursor=${first.timeline.nextCursor}`))
        .body as unknown as TokenBody;
      expect(second.timeline.items).toHaveLength(1);
    });
  });

  describe('SQS path (queue + consumer as the template configures them)', () => {
    it('applies good messages and dead-letters bad ones after maxReceiveCount, the rest of the batch unaffected', async () => {
      const good = lifecycle(['mdes-ta', 'mdes-ac', 'mdes-tc'], 'q1').map((e) => JSON.stringify(e));
      const bodies = [
        good[0] ?? '',
        'not json',
        JSON.stringify({ ...seedEvent('mdes-ta'), domain: 'x' }),
        good[1] ?? '',
        good[2] ?? '',
      ];
      const result = await stack.sendToEventsQueue(bodies);
      expect(result.succeeded).toHaveLength(3);
      expect(result.deadLettered.map((m) => m.body)).toEqual([bodies[1], bodies[2]]);
      expect(result.deadLettered.every((m) => m.receiveCount === 5)).toBe(true);
      expect(((await get('/tokens/17556q1')).body as unknown as TokenBody).token.status).toBe('active');
    });
  });

  describe('SQS ordering', () => {
    it('applies a whole lifecycle delivered shuffled in one batch, without contention failures', async () => {
      const events = lifecycle([...MDES_LIFECYCLE, ...VTS_LIFECYCLE], 'qb');
      const shuffled = [events[3], events[0], events[2], events[1], ...events.slice(4).reverse()].map((e) =>
        JSON.stringify(e),
      );
      const result = await stack.sendToEventsQueue(shuffled);
      expect(result).toMatchObject({ deadLettered: [], invocations: 1 });
      const expected = lifecycle([...MDES_LIFECYCLE, ...VTS_LIFECYCLE], 'qr');
      for (const e of expected) await post(e);
      expect(await statesOf(events, 'qb')).toEqual(await statesOf(expected, 'qr'));
    });
  });

  describe('MDES simulator vault', () => {
    it('follows the events: a token Pismo reports deleted (MDES TV) is deleted at MDES too', async () => {
      const tur = 'DSHRMC0000259339000000000000000000000000vaultsync';
      const [ta, tc, tv] = lifecycle(['mdes-ta', 'mdes-tc', 'mdes-tv-deleted'], 'vs');
      const completion = (tc?.data.network_data as Nd).de124_member_defined_data?.mdes_data?.tokenization_complete;
      if (completion) completion.sf10_token_unique_ref = tur;
      for (const e of [ta, tc]) await post(e);
      expect(stack.mdes.vault.get(tur)?.status).toBe('A');
      expect((await post(tv)).body).toMatchObject({ tokenStatus: 'deleted' });
      expect(stack.mdes.vault.get(tur)?.status).toBe('D');
    });
  });

  describe('npm run pismo', () => {
    it('sends to the PORT the stack serves on', () => {
      expect(localGatewayUrl({ PORT: '3104' })).toBe('http://127.0.0.1:3104');
      expect(localGatewayUrl({})).toBe('http://127.0.0.1:3000');
    });

    it('sends a seed event as a new event each time: applied, never a duplicate of the demo', async () => {
      await post(seedEvent('vts-passcode')); // what the demo sent
      const [first, second] = [freshEvent('vts-passcode'), freshEvent('vts-passcode')];
      expect(first.event_id).not.toBe(second.event_id);
      expect((await post(first)).body).toMatchObject({ outcome: 'applied', tokenStatus: 'pending_idv' });
      expect((await post(second)).body).toMatchObject({ outcome: 'applied' });
    });
  });

  describe('local files', () => {
    it("creates the outbox and the DynamoDB stand-in's files for the owner only (0600, directories 0700)", async () => {
      const flow = mdesYellowPath('modes');
      await post(flow.ta);
      await post(flow.ac);
      await until(() => existsSync(path.join(stateDir, 'outbox.jsonl')));
      const loose: string[] = [];
      const walk = (p: string) => {
        const st = statSync(p);
        if ((st.mode & 0o077) !== 0) loose.push(`${path.relative(stateDir, p)} ${(st.mode & 0o777).toString(8)}`);
        if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
      };
      walk(stateDir);
      expect(readdirSync(path.join(stateDir, 'dynalite')).length).toBeGreaterThan(0);
      expect(loose).toEqual([]);
    });
  });

  describe("two JWT authorizers from the template: the internal clients' and the issuer's app's", () => {
    it('serves each route with its own authorizer: same issuer, two audiences, their own scopes', async () => {
      const jwt = stack.model.routes.flatMap((r) => (r.auth.type === 'JWT' ? [r.auth] : []));
      expect(new Set(jwt.map((a) => a.issuer))).toEqual(new Set([DEV_ISSUER]));
      expect(new Set(jwt.map((a) => a.audience.join()))).toEqual(new Set([stack.audience, stack.cardholderAudience]));
      expect(stack.cardholderAudience).not.toBe(stack.audience);
      const cardholderRoutes = stack.model.routes.filter(
        (r) => r.auth.type === 'JWT' && r.auth.audience.includes(stack.cardholderAudience),
      );
      expect(cardholderRoutes.map((r) => r.path).every((p) => p.startsWith('/me/'))).toBe(true);
      expect(cardholderRoutes.every((r) => r.auth.type === 'JWT' && r.auth.scopes.join() === 'cardholder')).toBe(true);
    });

    it("enforces each: a cardholder's token opens /me only, an officer's never; scope and expiry checked", async () => {
      const cardholder = (scope: string, ttlSeconds?: number) =>
        stack.issuer.mint({ scope, audience: stack.cardholderAudience, sub: '100002000', ttlSeconds });
      const officer = await stack.issuer.mint({ scope: 'tokens:read cardholder', audience: stack.audience });
      expect((await get('/me/digital-cards', await cardholder('cardholder'))).status).toBe(200);
      expect((await get('/me/digital-cards', officer)).status).toBe(401);
      expect((await get('/me/digital-cards', await cardholder('tokens:read'))).status).toBe(403);
      expect((await get('/me/digital-cards', await cardholder('cardholder', -60))).status).toBe(401);
      expect((await get('/me/digital-cards', null)).status).toBe(401);
      expect((await get('/tokens/17556', await cardholder('cardholder tokens:read'))).status).toBe(401);
    });

    it("mints for the template's cardholder audience without synthesizing (npm run dev-token -- --cardholder)", () => {
      expect(cardholderApiAudience()).toBe(stack.cardholderAudience);
    });
  });

  it('never logs an OTP, activation code or cardholder name', async () => {
    await post(eventLike('mdes-ac', { eventId: 'log-ac' }));
    await post(eventLike('vts-passcode', { eventId: 'log-passcode' }));
    await post(eventLike('vts-approve-provisioning', { eventId: 'log-approve' }));
    const output = stdout.text();
    expect(output).toContain('log-passcode'); // the events were logged (by id)...
    for (const secret of ['523894', '927945', 'Daniel Kanczuk']) expect(output).not.toContain(secret); // ...their secrets not
  });
});
