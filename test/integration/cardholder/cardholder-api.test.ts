import { randomBytes } from 'node:crypto';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { eventLike } from '../../../local/seed/pismo-events';
import { mdesActiveToken } from '../../../local/seed/idv-events';
import { containsPanLikeDigits } from '../../../shared/adapters/mdes/identifiers';
import { captureStdout } from '../../fixtures/capture-stdout';
import { until } from '../../fixtures/until';

/**
 * The cardholder API end to end on the local stack, with real JWTs through the local gateway (its
 * authorizers from the synthesized template): ownership on every route, the two audiences kept
 * apart, the toggle of a Visa token through Pismo's token operations and back through its `patch`
 * event, and the grey toggle of a Mastercard token the wallet suspended.
 */
let stack: LocalStack;
let me: string;
let them: string;
let officer: string;
let noScope: string;
captureStdout();

const ME = '300000001';
const THEM = '300000002';
let seq = 0;
const newCard = () => `7${(Date.now() % 1_000_000).toString().padStart(6, '0')}${++seq}`;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'WARN' });
  const cardholder = (sub: string, scope = 'cardholder') =>
    stack.issuer.mint({ scope, audience: stack.cardholderAudience, sub, name: `Cardholder ${sub}` });
  me = await cardholder(ME);
  them = await cardholder(THEM);
  noScope = await cardholder(ME, 'tokens:read');
  officer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'agent-7',
    name: 'Ana Souza',
  });
}, 60_000);
afterAll(() => stack.stop());

async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);

/** An active (or suspended) Visa token of `account` on a fresh card, in our store and at Pismo's simulator. */
async function visaToken(account: string, status: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE') {
  const cardId = newCard();
  const tokenId = `9${Date.now() % 100_000_000}${++seq}`;
  const event = eventLike(status === 'ACTIVE' ? 'vts-token-resume' : 'vts-token-suspended', {
    eventId: `ch-${tokenId}`,
    tokenId,
    cardId: Number(cardId),
    timestamp: new Date(Date.now() - 60_000).toISOString(),
  });
  event.data.account_id = Number(account);
  (event.data.network_data as Record<string, unknown>).deviceID = `dev-${cardId}`;
  expect((await post(event)).status).toBeLessThan(300);
  stack.pismo.tokenOperations.provision({ tokenId, cardId, accountId: account, network: 'vts', status });
  return tokenId;
}

/** A fresh 48-character MDES-style TUR (never a card-number-like digit run). */
function newTur(): string {
  for (;;) {
    const tur = `DAPLMC${randomBytes(21).toString('hex')}`;
    if (!containsPanLikeDigits(tur)) return tur;
  }
}

/** An active Mastercard token of `account` (TA + resync) known to the MDES simulator; `walletSuspends`: then a TV 6 by the wallet. */
async function mdesToken(account: string, walletSuspends = false) {
  const tokenId = `mc${Date.now().toString(36)}${++seq}`;
  const tur = newTur();
  const [ta, resync] = mdesActiveToken(tokenId, tur);
  if (!ta || !resync) throw new Error('no seed events');
  (ta.data as Record<string, unknown>).account_id = Number(account);
  for (const e of [ta, resync]) expect((await post(e)).status).toBeLessThan(300);
  stack.mdes.provision({ tur, status: 'A' });
  if (walletSuspends) {
    const tv = eventLike('mdes-tv-deleted', {
      eventId: `tv-${tokenId}`,
      tokenId,
      timestamp: new Date(Date.now() + 2000).toISOString(),
    });
    tv.data.account_id = Number(account);
    const notification = (
      tv.data.network_data as Record<string, Record<string, Record<string, Record<string, string>>>>
    ).de124_member_defined_data?.mdes_data?.tokenization_event_notification;
    if (!notification) throw new Error('seed TV without its notification');
    notification.sf2_event_indicator = '6';
    notification.sf4_event_requestor = '0';
    expect((await post(tv)).status).toBeLessThan(300);
  }
  return tokenId;
}

type Card = Record<string, unknown> & { tokenId: string };
async function myCards(token = me): Promise<Card[]> {
  const res = await call('GET', '/me/digital-cards', token);
  expect(res.status).toBe(200);
  return (res.body.devices as { digitalCards: Card[] }[]).flatMap((g) => g.digitalCards);
}
const cardOf = async (tokenId: string) => (await myCards()).find((c) => c.tokenId === tokenId);

describe('cardholder API through the local gateway', () => {
  describe('identity', () => {
    it("keeps the two audiences apart: an officer's token never opens /me, a cardholder's never opens /tokens", async () => {
      const tokenId = await visaToken(ME);
      expect((await call('GET', '/me/digital-cards', officer)).status).toBe(401);
      expect((await call('GET', `/tokens/${tokenId}`, me)).status).toBe(401);
      expect((await call('POST', `/tokens/${tokenId}/suspend`, me, { reason: 'OTHER' })).status).toBe(401);
      // The app's audience without the scope: the gateway refuses it.
      expect((await call('GET', '/me/digital-cards', noScope)).status).toBe(403);
      expect((await call('GET', '/me/digital-cards', 'not-a-jwt')).status).toBe(401);
    });
  });

  describe('ownership on every route', () => {
    it.each(['turn-off', 'turn-on', 'remove'])(
      "POST /me/digital-cards/{tokenId}/%s: another account's token and an unknown one answer the same 404; nothing sent",
      async (action) => {
        const theirs = await visaToken(THEM, action === 'turn-on' ? 'SUSPENDED' : 'ACTIVE');
        const before = stack.pismo.tokenOperations.requestsTo('tokenOperation');
        const other = await call('POST', `/me/digital-cards/${theirs}/${action}`, me, {});
        const unknown = await call('POST', `/me/digital-cards/nope${seq}/${action}`, me, {});
        expect(other).toEqual({
          status: 404,
          body: { error: 'NotOwnedError', message: `digital card ${theirs} not found` },
        });
        expect(unknown.status).toBe(404);
        expect(unknown.body.error).toBe('NotOwnedError');
        expect(stack.pismo.tokenOperations.requestsTo('tokenOperation')).toBe(before);
        // Their owner still sees it, untouched, and no audit of ours is on it.
        const view = await call('GET', `/tokens/${theirs}`, officer);
        expect(view.body.audit).toEqual([]);
      },
    );

    it("GET /me/digital-cards lists only the caller's tokens", async () => {
      const mine = await visaToken(ME);
      const theirs = await visaToken(THEM);
      const ids = (await myCards()).map((c) => c.tokenId);
      expect(ids).toContain(mine);
      expect(ids).not.toContain(theirs);
      expect((await myCards(them)).map((c) => c.tokenId)).toContain(theirs);
    });
  });

  describe('the toggle', () => {
    it('turns a Visa token off and on: 202, Pismo operation, our status follows its event; audited as the cardholder', async () => {
      const tokenId = await visaToken(ME);
      expect(await cardOf(tokenId)).toMatchObject({ status: 'active', canTurnOff: true, canTurnOn: false });
      const off = await call('POST', `/me/digital-cards/${tokenId}/turn-off`, me);
      expect(off).toMatchObject({ status: 202, body: { action: 'turn-off', outcome: 'REQUESTED' } });
      const suspended = await until(async () => {
        const c = await cardOf(tokenId);
        return c?.status === 'suspended' && c;
      });
      expect(suspended).toMatchObject({ canTurnOff: false, canTurnOn: true, turnedOffBy: ['cardholder'] });
      const on = await call('POST', `/me/digital-cards/${tokenId}/turn-on`, me, {});
      expect(on.status).toBe(202);
      await until(async () => (await cardOf(tokenId))?.status === 'active');
      const audit = (await call('GET', `/tokens/${tokenId}`, officer)).body.audit as Record<string, unknown>[];
      expect(audit.map((a) => [a.operation, a.outcome, a.userId, a.actorKind]).sort()).toEqual([
        ['resume', 'DONE', ME, 'cardholder'],
        ['suspend', 'DONE', ME, 'cardholder'],
      ]);
    });

    it('a Mastercard token the wallet suspended: a grey toggle with the reason, and turn-on is 409 (nothing sent to MDES)', async () => {
      const tokenId = await mdesToken(ME, true);
      const card = await until(async () => {
        const c = await cardOf(tokenId);
        return c?.status === 'suspended' && c;
      });
      expect(card).toMatchObject({
        canTurnOff: false,
        canTurnOn: false,
        canRemove: true,
        turnedOffBy: ['wallet'],
        // The seed TA's wallet (MDES wallet id 216).
        reason: 'turned off by Google Pay: only Google Pay can turn it back on',
      });
      const sent = stack.mdes.requests.length;
      const on = await call('POST', `/me/digital-cards/${tokenId}/turn-on`, me);
      expect(on).toMatchObject({ status: 409, body: { message: expect.stringContaining('only Google Pay') } });
      expect(stack.mdes.requests.filter((r) => r.operation.includes('unsuspend'))).toHaveLength(0);
      expect(stack.mdes.requests.length).toBe(sent);
    });

    it('turns an active Mastercard token off through MDES Customer Service as the cardholder', async () => {
      const tokenId = await mdesToken(ME);
      const off = await call('POST', `/me/digital-cards/${tokenId}/turn-off`, me, { reason: 'DEVICE_LOST' });
      expect(off).toMatchObject({ status: 202, body: { outcome: 'REQUESTED', expectedStatus: 'suspended' } });
      const audit = (await call('GET', `/tokens/${tokenId}`, officer)).body.audit as Record<string, unknown>[];
      expect(audit).toEqual([
        expect.objectContaining({
          operation: 'suspend',
          outcome: 'DONE',
          userId: ME,
          actorKind: 'cardholder',
          parameters: expect.objectContaining({ route: 'mdes', reason: 'DEVICE_LOST', ReasonCode: 'L' }),
        }),
      ]);
    });
  });

  describe('bad input and faults', () => {
    it('400 naming the field; Pismo refusing 422 with its code; Pismo down 502, never DONE', async () => {
      const tokenId = await visaToken(ME);
      const bad = await call('POST', `/me/digital-cards/${tokenId}/turn-off`, me, { reason: 'OTHER', note: 'x' });
      expect(bad.status).toBe(400);
      expect(String(bad.body.message)).toMatch(/reason.*note|note.*reason/);
      const ops = stack.pismo.tokenOperations;
      ops.injectFault('tokenOperation', { kind: 'status', status: 422, errorCode: 'TKN0042', message: 'no', times: 1 });
      const refused = await call('POST', `/me/digital-cards/${tokenId}/turn-off`, me);
      expect(refused).toMatchObject({ status: 422, body: { message: expect.stringContaining('TKN0042') } });
      ops.injectFault('tokenOperation', { kind: 'status', status: 503, times: 10 });
      const down = await call('POST', `/me/digital-cards/${tokenId}/turn-off`, me);
      ops.clearFaults();
      expect([502, 503]).toContain(down.status);
      const audit = (await call('GET', `/tokens/${tokenId}`, officer)).body.audit as Record<string, unknown>[];
      expect(audit.map((a) => a.outcome).sort()).toEqual(['FAILED', 'REFUSED']);
      expect((await cardOf(tokenId))?.status).toBe('active');
    }, 30_000);
  });
});
