import { randomBytes } from 'node:crypto';
import { type LocalDynamo, startDynalite } from '../../../local/aws/dynamodb';
import { PismoSimulator, SIMULATED_CLIENT } from '../../../local/pismo-simulator/server';
import type { PismoCardOnFileEvent } from '../../../local/pismo-simulator/wallet-data';
import { DynamoRequestGuards } from '../../../shared/adapters/dynamo/request-guards';
import { DynamoTokenStore } from '../../../shared/adapters/dynamo/token-store';
import { PismoCardOnFileClient } from '../../../shared/adapters/pismo/card-on-file';
import { PismoRejectedError, PismoUnavailableError } from '../../../shared/adapters/pismo/errors';
import { PismoPushProvisioningClient } from '../../../shared/adapters/pismo/push-provisioning';
import { createCardOnFile, listCardsOnFile, updateCardOnFileStatus } from '../../../shared/cardholder/card-on-file';
import {
  pushProvision,
  type PushProvisioningDeps,
  WalletNotOfferedError,
} from '../../../shared/cardholder/push-provisioning';
import {
  CardNotUsableError,
  RateLimitedError,
  RequestAlreadyDoneError,
} from '../../../shared/cardholder/request-guard';
import { type AppError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { ingestPismoEvent } from '../../../shared/events/ingest-pismo-event';
import { captureLogs, findPans, scanLogText } from '../../fixtures/pan-scan';
import { createTokenTable, scanAll } from '../../fixtures/token-table';
import { until } from '../../fixtures/until';

/**
 * Issue 16, push provisioning and card on file end to end below the routes: the use cases with the
 * DynamoDB adapters on dynalite and the Pismo adapters on the Pismo simulator.
 */
const TABLE = 'cardholder-provisioning';
const VISA_ACCOUNT = '100002000';
const VISA_CARD = '5271995';
const MC_ACCOUNT = '100001185';
const MC_CARD = '4995608';
const AT = '2026-12-01T10:00:00.000Z';

let dynamo: LocalDynamo;
let pismo: PismoSimulator;
let store: DynamoTokenStore;
let guards: DynamoRequestGuards;
let deps: PushProvisioningDeps;
let seq = 0;
const requestId = () => `req-${Date.now().toString(36)}-${++seq}`;

const config = () => ({
  authUrl: pismo.apiUrl,
  clientId: SIMULATED_CLIENT.id,
  clientSecret: SIMULATED_CLIENT.secret,
  retryBaseMs: 5,
  timeoutMs: 1500,
  breakerVolume: 100,
});

/** A DER-looking certificate (SEQUENCE tag first), base64. */
const cert = () => Buffer.concat([Buffer.from([0x30, 0x82]), randomBytes(600)]).toString('base64');
const applePay = (over: Record<string, unknown> = {}) => ({
  requestId: requestId(),
  certificates: [cert(), cert()],
  nonce: randomBytes(4).toString('base64'),
  nonceSignature: randomBytes(64).toString('base64'),
  ...over,
});

async function card(cardId: string, accountId: string, status = 'NORMAL') {
  const current = await store.getCardState(cardId);
  await store.putCardState(
    {
      cardId,
      status,
      statusKnown: true,
      accountId,
      lastEventId: `ev-${++seq}`,
      lastEventAt: AT,
      firstEventAt: AT,
    },
    current?.version,
  );
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await createTokenTable(dynamo.client, TABLE);
  pismo = await PismoSimulator.start();
  store = new DynamoTokenStore(TABLE, dynamo.client);
  guards = new DynamoRequestGuards(TABLE, dynamo.client);
  deps = {
    store,
    guards,
    pismo: new PismoPushProvisioningClient({ ...config(), baseUrl: `${pismo.apiUrl}/cards-tokenization` }),
    limits: { perWindow: 50, windowSeconds: 3600, requestIdTtlSeconds: 86_400 },
  };
  await card(VISA_CARD, VISA_ACCOUNT);
  await card(MC_CARD, MC_ACCOUNT);
  // The Mastercard card's network is known from its token.
  await store.putTokenState(
    {
      tokenId: '17556',
      facts: { network: 'MDES', cardId: MC_CARD, accountId: MC_ACCOUNT },
      clocks: {},
      firstEventAt: AT,
      lastEventAt: AT,
    },
    undefined,
  );
}, 60_000);
afterAll(async () => {
  await pismo.stop();
  await dynamo.stop();
});
afterEach(() => pismo.walletData.clearFaults());

describe('push provisioning', () => {
  it('Apple Pay: encrypted pass data, activation data and ephemeral key, audited with the account as actor', async () => {
    const result = await pushProvision(
      { accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body: applePay() },
      deps,
    );
    expect(result).toMatchObject({
      wallet: 'apple-pay',
      encryptedPassData: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      activationData: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      ephemeralPublicKey: expect.stringMatching(/^B[A-P]/), // 0x04: an uncompressed EC point
      cardholder: { lastFour: expect.stringMatching(/^\d{4}$/) },
    });
    const audit = await store.listAudit({ day: new Date().toISOString().slice(0, 10) }, 50);
    expect(audit.find((a) => a.operation === 'push-provisioning-apple-pay')).toMatchObject({
      outcome: 'DONE',
      userId: VISA_ACCOUNT,
      userName: 'cardholder',
      actorKind: 'cardholder',
    });
    // Nothing of the wallet data is stored anywhere.
    const stored = JSON.stringify(await scanAll(dynamo.client, TABLE));
    for (const secret of [result.wallet === 'apple-pay' ? result.activationData : '', result.cardholder.phone ?? ''])
      expect(stored).not.toContain(secret);
  });

  it('Google Pay: the opaque payment card', async () => {
    const result = await pushProvision(
      {
        accountId: VISA_ACCOUNT,
        cardId: VISA_CARD,
        wallet: 'google-pay',
        body: { requestId: requestId(), walletAccountId: 'wa-123', deviceId: 'dev-abc' },
      },
      deps,
    );
    expect(result).toMatchObject({ wallet: 'google-pay', opaquePaymentCard: expect.any(String) });
  });

  it('Samsung Pay: the encrypted payload for a Visa card; a Mastercard card is refused with 422 before Pismo', async () => {
    const body = () => ({ requestId: requestId(), deviceId: 'dev-s', walletUserId: 'wu-1' });
    const ok = await pushProvision(
      { accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'samsung-pay', body: body() },
      deps,
    );
    expect(ok).toMatchObject({ wallet: 'samsung-pay', payload: expect.any(String) });
    const before = pismo.walletData.requestsTo('samsungPay');
    const err = await errorOf(
      pushProvision({ accountId: MC_ACCOUNT, cardId: MC_CARD, wallet: 'samsung-pay', body: body() }, deps),
    );
    expect(err).toBeInstanceOf(WalletNotOfferedError);
    expect([err.statusCode, err.message]).toEqual([
      422,
      expect.stringMatching(/Visa cards only; this card is Mastercard/),
    ]);
    expect(pismo.walletData.requestsTo('samsungPay')).toBe(before);
  });

  it('a repeated request id answers 409 with the first outcome, without a second provisioning', async () => {
    const body = applePay();
    await pushProvision({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body }, deps);
    const before = pismo.walletData.requestsTo('applePay');
    const err = await errorOf(
      pushProvision({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body }, deps),
    );
    expect(err).toBeInstanceOf(RequestAlreadyDoneError);
    expect(err.statusCode).toBe(409);
    expect(err.details).toEqual([
      'first outcome: DONE',
      expect.stringMatching(/^at: /),
      'operation: push-provisioning-apple-pay',
    ]);
    expect(pismo.walletData.requestsTo('applePay')).toBe(before);
  });

  it('is rate-limited per account in the store (429, nothing sent), other accounts unaffected', async () => {
    await card('7100001', '100003000');
    const limited = { ...deps, limits: { ...deps.limits, perWindow: 2 } };
    pismo.accounts.push({ accountId: '100003000', cardIds: ['7100001'], phones: [], customers: [] });
    const call = () =>
      pushProvision({ accountId: '100003000', cardId: '7100001', wallet: 'apple-pay', body: applePay() }, limited);
    await call();
    await call();
    const before = pismo.walletData.requestsTo('applePay');
    const err = await errorOf(call());
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.statusCode).toBe(429);
    expect(pismo.walletData.requestsTo('applePay')).toBe(before);
    await pushProvision({ accountId: MC_ACCOUNT, cardId: MC_CARD, wallet: 'apple-pay', body: applePay() }, limited);
  });

  it("answers 404 for another account's card and for an unknown card (existence not revealed)", async () => {
    const other = await errorOf(
      pushProvision({ accountId: MC_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body: applePay() }, deps),
    );
    const unknown = await errorOf(
      pushProvision({ accountId: MC_ACCOUNT, cardId: '999999', wallet: 'apple-pay', body: applePay() }, deps),
    );
    expect([other, unknown].map((e) => [e instanceof NotFoundError, e.statusCode, e.message])).toEqual([
      [true, 404, `card ${VISA_CARD} not found`],
      [true, 404, 'card 999999 not found'],
    ]);
  });

  it('answers 409 with the status for a blocked card', async () => {
    await card('7100002', VISA_ACCOUNT, 'BLOCKED');
    const err = await errorOf(
      pushProvision({ accountId: VISA_ACCOUNT, cardId: '7100002', wallet: 'apple-pay', body: applePay() }, deps),
    );
    expect(err).toBeInstanceOf(CardNotUsableError);
    expect([err.statusCode, err.details]).toEqual([409, ['card status: BLOCKED']]);
  });

  it('answers 400 naming the field for missing or malformed input (never the value)', async () => {
    const call = (body: unknown) =>
      errorOf(pushProvision({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body }, deps));
    const missing = await call({ ...applePay(), nonce: undefined });
    const badCert = await call(applePay({ certificates: ['not base64!'] }));
    const noId = await call({ ...applePay(), requestId: undefined });
    expect(missing).toBeInstanceOf(ValidationError);
    expect(missing.details?.join()).toMatch(/^nonce: /);
    expect(badCert.details?.join()).toMatch(/^certificates\.0: must be base64/);
    expect(badCert.details?.join()).not.toContain('not base64!');
    expect(noId.details).toEqual(['requestId: required, 8-64 letters, digits, - or _']);
  });

  it('Pismo refusing: 422 with its code; Pismo down: 502 and nothing recorded as done (the id may be retried)', async () => {
    const body = applePay();
    pismo.walletData.injectFault('applePay', { kind: 'status', status: 422, errorCode: 'CARD_NOT_ELIGIBLE', times: 1 });
    const refused = await errorOf(
      pushProvision({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body }, deps),
    );
    expect(refused).toBeInstanceOf(PismoRejectedError);
    expect([refused.statusCode, refused.message]).toEqual([422, expect.stringContaining('CARD_NOT_ELIGIBLE')]);

    pismo.walletData.injectFault('applePay', { kind: 'status', status: 500, times: 1 });
    const down = await errorOf(
      pushProvision({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body }, deps),
    );
    expect(down).toBeInstanceOf(PismoUnavailableError);
    expect(down.statusCode).toBe(502);
    const claim = await guards.claimRequest(
      { accountId: VISA_ACCOUNT, scope: 'push-provisioning', requestId: body.requestId },
      0,
    );
    expect(claim).toEqual({ first: true });
    await guards.releaseRequest({ accountId: VISA_ACCOUNT, scope: 'push-provisioning', requestId: body.requestId });
    const audit = await store.listAudit({ day: new Date().toISOString().slice(0, 10) }, 100);
    expect(audit.filter((a) => a.operation === 'push-provisioning-apple-pay').map((a) => a.outcome)).toEqual(
      expect.arrayContaining(['REFUSED', 'FAILED']),
    );
    // The same id, Pismo back: done once.
    await pushProvision({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, wallet: 'apple-pay', body }, deps);
  });
});

describe('card on file', () => {
  const PAN = '4111111111111111';
  const CVV = '8317';
  const EXPIRY = '0931';
  const events: PismoCardOnFileEvent[] = [];
  let cof: PismoCardOnFileClient;
  beforeAll(() => {
    cof = new PismoCardOnFileClient({ ...config(), baseUrl: pismo.apiUrl });
    pismo.walletData.onEvent = (e) => {
      events.push(e);
    };
  });
  const cofDeps = () => ({ ...deps, pismo: cof });
  const body = (over: Record<string, unknown> = {}) => ({
    requestId: requestId(),
    pan: PAN,
    cvv: CVV,
    expiry: EXPIRY,
    cardName: 'Groceries',
    printedName: 'DANIEL K',
    ...over,
  });
  const holdsCardData = (value: unknown): boolean =>
    findPans(value).length > 0 ||
    (typeof value === 'string'
      ? value === CVV || value === EXPIRY || value.includes(PAN)
      : Array.isArray(value)
        ? value.some(holdsCardData)
        : typeof value === 'object' && value !== null
          ? Object.values(value).some(holdsCardData)
          : false);

  it('passes PAN, CVV and expiry straight to Pismo and never stores or logs them; the validation state is shown', async () => {
    const logs = captureLogs();
    let created;
    let listed;
    try {
      created = await createCardOnFile({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, body: body() }, cofDeps());
      listed = await listCardsOnFile({ accountId: VISA_ACCOUNT, cardId: VISA_CARD }, cofDeps());
      await until(() => events.length > 0);
      for (const e of events) await ingestPismoEvent(e, { store });
      // A refusal echoing the card number does not carry it either.
      pismo.walletData.injectFault('createCardOnFile', {
        kind: 'status',
        status: 422,
        errorCode: 'INVALID_CARD',
        times: 1,
      });
      const refused = await errorOf(
        createCardOnFile({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, body: body() }, cofDeps()),
      );
      expect(refused.statusCode).toBe(422);
      expect(holdsCardData([refused.message, refused.details])).toBe(false);
    } finally {
      logs.restore();
    }
    expect(created).toMatchObject({ lastFour: '1111', validation: 'PENDING_CONFIRMATION', status: 'PENDING' });
    expect(listed).toEqual([
      expect.objectContaining({ cardOnFileId: created?.cardOnFileId, validation: 'PENDING_CONFIRMATION' }),
    ]);
    expect(holdsCardData([created, listed])).toBe(false);
    const items = await scanAll(dynamo.client, TABLE);
    expect(items.filter(holdsCardData).map((i) => [i.PK, i.SK])).toEqual([]);
    expect(scanLogText(logs.text())).toEqual([]);
    expect(logs.text()).not.toContain(CVV);
    // The cardsonfile event is on the card's timeline, without the card token or the expiry.
    const timeline = await store.listTimeline({ cardId: VISA_CARD }, 50);
    const entry = timeline.items.find((e) => e.callMethod === 'CARD_ON_FILE_PROVISION');
    expect(entry).toMatchObject({ recognized: true, note: 'card on file provision: PENDING (card ending 1111)' });
    expect(entry?.payload).not.toContain(created?.cardOnFileId);
    expect(entry?.payload).not.toContain(`"${EXPIRY}"`);
  });

  it('a repeated request id returns the first card on file, not a second one', async () => {
    const b = body();
    const first = await createCardOnFile({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, body: b }, cofDeps());
    const before = pismo.walletData.requestsTo('createCardOnFile');
    const again = await createCardOnFile({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, body: b }, cofDeps());
    expect(again).toEqual({ ...first, replayed: true });
    expect(pismo.walletData.requestsTo('createCardOnFile')).toBe(before);
  });

  it('changes a status once validated; another card on file id or another account answers 404', async () => {
    const created = await createCardOnFile({ accountId: VISA_ACCOUNT, cardId: VISA_CARD, body: body() }, cofDeps());
    pismo.walletData.confirmValidation(created.cardOnFileId);
    const ok = await updateCardOnFileStatus(
      { accountId: VISA_ACCOUNT, cardId: VISA_CARD, cardOnFileId: created.cardOnFileId, body: { status: 'SUSPENDED' } },
      cofDeps(),
    );
    expect(ok).toEqual({ cardOnFileId: created.cardOnFileId, status: 'SUSPENDED' });
    const unknown = await errorOf(
      updateCardOnFileStatus(
        { accountId: VISA_ACCOUNT, cardId: VISA_CARD, cardOnFileId: 'not-ours', body: { status: 'ACTIVE' } },
        cofDeps(),
      ),
    );
    const otherAccount = await errorOf(listCardsOnFile({ accountId: MC_ACCOUNT, cardId: VISA_CARD }, cofDeps()));
    expect([unknown, otherAccount].map((e) => e instanceof NotFoundError && e.statusCode)).toEqual([404, 404]);
    const bad = await errorOf(
      updateCardOnFileStatus(
        { accountId: VISA_ACCOUNT, cardId: VISA_CARD, cardOnFileId: created.cardOnFileId, body: { status: 'GONE' } },
        cofDeps(),
      ),
    );
    expect(bad.details?.join()).toMatch(/^status: /);
  });

  it('answers 400 naming the field for a bad card number, CVV or expiry, without echoing them', async () => {
    const err = await errorOf(
      createCardOnFile(
        {
          accountId: VISA_ACCOUNT,
          cardId: VISA_CARD,
          body: body({ pan: '4111111111111112', cvv: '12', expiry: '1399' }),
        },
        cofDeps(),
      ),
    );
    expect(err.statusCode).toBe(400);
    expect(err.details?.map((d) => d.split(':')[0])).toEqual(['pan', 'cvv', 'expiry']);
    expect(JSON.stringify(err.details)).not.toMatch(/4111111111111112|"12"|1399/);
  });
});
