import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { randomBytes } from 'node:crypto';
import { synthesizeTemplates } from '../../../local/model/cloud-template';
import { DEV_ISSUER } from '../../../local/dev-issuer/issuer';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { containsPanLikeDigits } from '../../../shared/adapters/mdes/identifiers';
import { TOKEN_OPERATIONS } from '../../../shared/customer-service/customer-service';
import { mdesActiveToken, mdesYellowPath } from '../../../local/seed/idv-events';
import { eventLike } from '../../../local/seed/pismo-events';

/**
 * Every action on a token is audited the same way, whatever the route (DESIGN §3a): this test takes
 * the write routes from the synthesized template (not from a list kept here), drives each with valid
 * input against the local stack, and finds the audit record each one left. A new write route fails
 * it until it is given a driver below (and an audit).
 */
let stack: LocalStack;
let officer: string;

beforeAll(async () => {
  stack = await startLocalStack();
  officer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'agent-9',
    name: 'Audit Tester',
  });
}, 60_000);
afterAll(() => stack.stop());

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A fresh 48-character MDES-style TUR (hex after the prefix; never a card-number-like digit run). */
function newTur(): string {
  for (;;) {
    const tur = `DAPLMC${randomBytes(21).toString('hex')}`;
    if (!containsPanLikeDigits(tur)) return tur;
  }
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The audit records under one owner key (the token, its TUR, or the day). */
async function auditUnder(pk: string): Promise<Record<string, unknown>[]> {
  const out = await stack.dynamo.client.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': { S: pk }, ':sk': { S: 'AUDIT#' } },
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

/** A Mastercard test PAN of a card being reissued (only this test's simulator holds it). */
const REISSUED_CARD = '5555555555554444';

const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);

type SimStatus = 'U' | 'A' | 'S';
/** What each write operation needs at MDES, and a valid body for it. */
const WRITE_OPERATIONS: Record<string, { status: SimStatus; suspenders?: string[]; body: Record<string, unknown> }> = {
  suspend: { status: 'A', body: { ReasonCode: 'T', CommentText: 'audit test' } },
  unsuspend: { status: 'S', suspenders: ['I'], body: { ReasonCode: 'F' } },
  delete: { status: 'A', body: { ReasonCode: 'C' } },
  activate: { status: 'U', body: { ReasonCode: 'A' } },
  'resend-activation-code': { status: 'U', body: { ActivationMethodId: '1' } },
  'reset-mobile-pin': { status: 'A', body: { ReasonCode: 'N' } },
  update: { status: 'A', body: { ExpirationDate: '0931' } },
  'update-assurance': { status: 'A', body: {} },
  messages: {
    status: 'A',
    body: {
      MessageText: 'Statement credit',
      MessageExpiration: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      MessageIdentifier: 'msg-audit',
      MessageLanguageCode: 'en',
      IssuerApplicationMessageDisplay: 'TRUE',
    },
  },
};

/** One driven action: the request, and where its audit record must be. */
interface Driven {
  label: string;
  status: number;
  pk: string;
  operation: string;
  /** The success status the route answers (default 200). */
  ok?: number;
  /** Who the audit record names (default the officer, agent-9; a cardholder route: the account). */
  userId?: string;
}

let seq = 0;
/** Drivers per route key: valid input, then the owner key its audit record hangs under. */
const DRIVERS: Record<string, () => Promise<Driven[]>> = {
  'POST /cs/turs/{tur}/{operation}': async () =>
    Promise.all(
      Object.entries(WRITE_OPERATIONS).map(async ([operation, op]) => {
        const tur = newTur();
        stack.mdes.provision({ tur, status: op.status, suspenders: op.suspenders });
        const res = await call('POST', `/cs/turs/${tur}/${operation}`, op.body);
        return { label: `turs/${operation}`, status: res.status, pk: `TUR#${tur}`, operation };
      }),
    ),
  'POST /cs/tokens/{tokenId}/{operation}': async () =>
    Promise.all(
      Object.entries(WRITE_OPERATIONS).map(async ([operation, op]) => {
        const tokenId = `aud${++seq}${Date.now().toString(36)}`;
        const tur = newTur();
        for (const e of mdesActiveToken(tokenId, tur)) await post(e);
        stack.mdes.provision({ tur, status: op.status, suspenders: op.suspenders });
        const res = await call('POST', `/cs/tokens/${tokenId}/${operation}`, op.body);
        return { label: `tokens/${operation}`, status: res.status, pk: `TOKEN#${tokenId}`, operation };
      }),
    ),
  'POST /cs/search': async () => {
    const tokenId = `aud${++seq}${Date.now().toString(36)}`;
    const tur = newTur();
    for (const e of mdesActiveToken(tokenId, tur)) await post(e);
    const res = await call('POST', '/cs/search', { TokenUniqueReference: tur });
    return [{ label: 'search', status: res.status, pk: `TOKEN#${tokenId}`, operation: 'search' }];
  },
  'POST /cs/accounts/update': async () => {
    stack.mdes.provision({ tur: newTur(), accountPan: REISSUED_CARD });
    const res = await call('POST', '/cs/accounts/update', { CurrentAccountPan: REISSUED_CARD, ExpirationDate: '1231' });
    return [
      {
        label: 'accounts/update',
        status: res.status,
        pk: `AUDIT#DAY#${new Date().toISOString().slice(0, 10)}`,
        operation: 'update-account',
      },
    ];
  },
  'POST /tokens/{tokenId}/challenges/{challengeId}/resend': async () => {
    const tokenId = `aud${++seq}${Date.now().toString(36)}`;
    const flow = mdesYellowPath(tokenId);
    await post(flow.ta);
    await post({
      ...flow.ta,
      event_id: `resync-${tokenId}`,
      event_type: 'token_resync',
      data: { card_id: 4995608, token_id: tokenId, token_status: 'PENDING', token_unique_reference: newTur() },
    });
    await post(flow.ac);
    const res = await call('POST', `/tokens/${tokenId}/challenges/ch-ac-${tokenId}/resend`);
    return [{ label: 'challenge resend', status: res.status, pk: `TOKEN#${tokenId}`, operation: 'resend-challenge' }];
  },
};

/** A Visa token of ours (digits: a Pismo id) on `cardId`, active or suspended, known to the Pismo simulator. */
async function visaToken(
  cardId: string,
  status: 'ACTIVE' | 'SUSPENDED',
  extra: { pendingDeviceBinding?: string } = {},
) {
  const tokenId = `9${Date.now() % 100_000_000}${++seq}`;
  const e = eventLike(status === 'ACTIVE' ? 'vts-token-resume' : 'vts-token-suspended', {
    eventId: `aud-${tokenId}`,
    tokenId,
    cardId: Number(cardId),
    timestamp: new Date(Date.now() - 60_000).toISOString(),
  });
  e.data.account_id = 100002000;
  (e.data.network_data as Record<string, unknown>).deviceID = `dev-${cardId}`;
  await post(e);
  stack.pismo.tokenOperations.provision({ tokenId, cardId, accountId: '100002000', network: 'vts', status, ...extra });
  return tokenId;
}
const newCard = () => `7${Date.now() % 100_000_000}${++seq}`;
/** The lifecycle routes (docs/flows/lifecycle.md): token, card and device actions. */
const lifecycleToken =
  (action: string, status: 'ACTIVE' | 'SUSPENDED', body: Record<string, unknown> = {}, extra = {}) =>
  async (): Promise<Driven[]> => {
    const tokenId = await visaToken(newCard(), status, extra);
    const res = await call('POST', `/tokens/${tokenId}/${action}`, { reason: 'OTHER', ...body });
    const operation = action === 'approve-device-binding' ? 'approveDeviceBinding' : action;
    return [{ label: `lifecycle ${action}`, status: res.status, pk: `TOKEN#${tokenId}`, operation, ok: 202 }];
  };
const lifecycleCard = (action: string, status: 'ACTIVE' | 'SUSPENDED') => async (): Promise<Driven[]> => {
  const cardId = newCard();
  const tokenId = await visaToken(cardId, status);
  const res = await call('POST', `/cards/${cardId}/tokens/${action}`, { reason: 'OTHER' });
  return [
    { label: `lifecycle card ${action}`, status: res.status, pk: `TOKEN#${tokenId}`, operation: `card-${action}` },
  ];
};
Object.assign(DRIVERS, {
  'POST /tokens/{tokenId}/suspend': lifecycleToken('suspend', 'ACTIVE'),
  'POST /tokens/{tokenId}/resume': lifecycleToken('resume', 'SUSPENDED'),
  'POST /tokens/{tokenId}/delete': lifecycleToken('delete', 'ACTIVE'),
  'POST /tokens/{tokenId}/approve-device-binding': lifecycleToken(
    'approve-device-binding',
    'ACTIVE',
    {},
    {
      pendingDeviceBinding: 'device-2',
    },
  ),
  // Activation of a Mastercard token waiting for ID&V, through MDES Customer Service.
  'POST /tokens/{tokenId}/activate': async (): Promise<Driven[]> => {
    const tokenId = `aud${++seq}${Date.now().toString(36)}`;
    const tur = newTur();
    const [ta] = mdesActiveToken(tokenId, tur);
    await post(ta);
    await post({
      ...ta,
      event_id: `resync-${tokenId}`,
      event_type: 'token_resync',
      data: { card_id: 4995608, token_id: tokenId, token_status: 'PENDING', token_unique_reference: tur },
    });
    stack.mdes.provision({ tur, status: 'U' });
    const res = await call('POST', `/tokens/${tokenId}/activate`, { reason: 'CARDHOLDER_REQUEST' });
    return [
      { label: 'lifecycle activate', status: res.status, pk: `TOKEN#${tokenId}`, operation: 'activate', ok: 202 },
    ];
  },
  'POST /cards/{cardId}/tokens/suspend': lifecycleCard('suspend', 'ACTIVE'),
  'POST /cards/{cardId}/tokens/resume': lifecycleCard('resume', 'SUSPENDED'),
  'POST /cards/{cardId}/tokens/delete': lifecycleCard('delete', 'ACTIVE'),
  'POST /devices/tokens/suspend': async (): Promise<Driven[]> => {
    const cardId = newCard();
    const tokenId = await visaToken(cardId, 'ACTIVE');
    const res = await call('POST', '/devices/tokens/suspend', {
      deviceId: `dev-${cardId}`,
      cardIds: [cardId],
      reason: 'DEVICE_LOST',
    });
    return [{ label: 'lifecycle device suspend', status: res.status, pk: `TOKEN#${tokenId}`, operation: 'suspend' }];
  },
  // Reconciliation "check now": audited under the day (a card may hold several tokens).
  'POST /reconciliation/cards/{cardId}': async (): Promise<Driven[]> => {
    const cardId = newCard();
    await visaToken(cardId, 'ACTIVE');
    const res = await call('POST', `/reconciliation/cards/${cardId}`);
    const day = new Date().toISOString().slice(0, 10);
    return [{ label: 'reconcile card', status: res.status, pk: `AUDIT#DAY#${day}`, operation: 'reconcile-card' }];
  },
});

/** The cardholder routes (docs/flows/cardholder.md): the issuer's app, as the account's cardholder. */
const CARDHOLDER_ACCOUNT = '100002000';
const cardholderAction =
  (action: string, status: 'ACTIVE' | 'SUSPENDED', operation: string) => async (): Promise<Driven[]> => {
    const tokenId = await visaToken(newCard(), status);
    // A turn-on lifts only the cardholder's own suspension: theirs first.
    if (status === 'SUSPENDED')
      await stack.dynamo.client.send(
        new PutItemCommand({
          TableName: stack.tableName,
          Item: marshall({
            PK: `TOKEN#${tokenId}`,
            SK: `AUDIT#2026-01-01T00:00:00.000Z#seed-${tokenId}`,
            auditId: `seed-${tokenId}`,
            at: '2026-01-01T00:00:00.000Z',
            operation: 'suspend',
            customerId: 'pismo',
            tokenId,
            userId: CARDHOLDER_ACCOUNT,
            userName: 'Cardholder (issuer app)',
            actorKind: 'cardholder',
            outcome: 'DONE',
            httpStatus: 200,
            latencyMs: 1,
          }),
        }),
      );
    const token = await stack.issuer.mint({
      scope: 'cardholder',
      audience: stack.cardholderAudience,
      sub: CARDHOLDER_ACCOUNT,
    });
    const res = await fetch(`${stack.url}/me/digital-cards/${tokenId}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return [
      {
        label: `cardholder ${action}`,
        status: res.status,
        pk: `TOKEN#${tokenId}`,
        operation,
        ok: 202,
        userId: CARDHOLDER_ACCOUNT,
      },
    ];
  };
Object.assign(DRIVERS, {
  'POST /me/digital-cards/{tokenId}/turn-off': cardholderAction('turn-off', 'ACTIVE', 'suspend'),
  'POST /me/digital-cards/{tokenId}/turn-on': cardholderAction('turn-on', 'SUSPENDED', 'resume'),
  'POST /me/digital-cards/{tokenId}/remove': cardholderAction('remove', 'ACTIVE', 'delete'),
});
/** App-to-app ID&V (docs/flows/idv.md): a Visa token waiting for ID&V with an open app challenge. */
Object.assign(DRIVERS, {
  'POST /me/digital-cards/{tokenId}/activate': async (): Promise<Driven[]> => {
    const cardId = newCard();
    const tokenId = `9${Date.now() % 100_000_000}${++seq}`;
    const e = eventLike('vts-passcode', { eventId: `aud-${tokenId}`, tokenId, cardId: Number(cardId) });
    e.timestamp = new Date(Date.now() - 60_000).toISOString();
    e.data.account_id = Number(CARDHOLDER_ACCOUNT);
    const nd = e.data.network_data as Record<string, unknown>;
    nd.otpMethodIdentifier = 'jjfa8f7jnfyfgg'; // app to app
    nd.otpExpirationDate = new Date(Date.now() + 30 * 60_000).toISOString();
    await post(e);
    stack.pismo.tokenOperations.provision({
      tokenId,
      cardId,
      accountId: CARDHOLDER_ACCOUNT,
      network: 'vts',
      status: 'INACTIVE',
    });
    const token = await stack.issuer.mint({
      scope: 'cardholder',
      audience: stack.cardholderAudience,
      sub: CARDHOLDER_ACCOUNT,
    });
    const res = await fetch(`${stack.url}/me/digital-cards/${tokenId}/activate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return [
      {
        label: 'cardholder app-to-app activate',
        status: res.status,
        pk: `TOKEN#${tokenId}`,
        operation: 'activate-app-to-app',
        ok: 202,
        userId: CARDHOLDER_ACCOUNT,
      },
    ];
  },
});

/** Push provisioning and card on file (docs/flows/cardholder.md): audited under the day, the account as actor. */
const cardholderPost = async (path: string, body: unknown) => {
  const token = await stack.issuer.mint({
    scope: 'cardholder',
    audience: stack.cardholderAudience,
    sub: CARDHOLDER_ACCOUNT,
  });
  return fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
};
const today = () => `AUDIT#DAY#${new Date().toISOString().slice(0, 10)}`;
const derCert = () => Buffer.concat([Buffer.from([0x30, 0x82]), randomBytes(300)]).toString('base64');
const pushProvisioning = (wallet: string, body: Record<string, unknown>) => async (): Promise<Driven[]> => {
  const cardId = newCard();
  await visaToken(cardId, 'ACTIVE');
  const res = await cardholderPost(`/me/cards/${cardId}/push-provisioning/${wallet}`, {
    requestId: `aud-${wallet}-${Date.now().toString(36)}`,
    ...body,
  });
  return [
    {
      label: `push ${wallet}`,
      status: res.status,
      pk: today(),
      operation: `push-provisioning-${wallet}`,
      userId: CARDHOLDER_ACCOUNT,
    },
  ];
};
Object.assign(DRIVERS, {
  'POST /me/cards/{cardId}/push-provisioning/apple-pay': pushProvisioning('apple-pay', {
    certificates: [derCert(), derCert()],
    nonce: randomBytes(4).toString('base64'),
    nonceSignature: randomBytes(64).toString('base64'),
  }),
  'POST /me/cards/{cardId}/push-provisioning/google-pay': pushProvisioning('google-pay', {
    walletAccountId: 'wa-audit',
    deviceId: 'dev-audit',
  }),
  'POST /me/cards/{cardId}/push-provisioning/samsung-pay': pushProvisioning('samsung-pay', {
    deviceId: 'dev-audit',
    walletUserId: 'wu-audit',
  }),
  'POST /me/cards/{cardId}/cards-on-file': async (): Promise<Driven[]> => {
    const cardId = newCard();
    await visaToken(cardId, 'ACTIVE');
    const res = await cardholderPost(`/me/cards/${cardId}/cards-on-file`, {
      requestId: `aud-cof-${Date.now().toString(36)}`,
      pan: '4111111111111111',
      cvv: '123',
      expiry: '1230',
      cardName: 'Audit',
      printedName: 'AUDIT TESTER',
    });
    const label = 'card on file';
    return [
      { label, status: res.status, pk: today(), operation: 'create-card-on-file', ok: 201, userId: CARDHOLDER_ACCOUNT },
    ];
  },
  'POST /me/cards/{cardId}/cards-on-file/{cardOnFileId}/status': async (): Promise<Driven[]> => {
    const cardId = newCard();
    await visaToken(cardId, 'ACTIVE');
    const cardUuid = randomBytes(16).toString('hex');
    stack.pismo.walletData.cardsOnFile.set(cardUuid, {
      cardUuid,
      accountId: CARDHOLDER_ACCOUNT,
      cardId,
      cardName: 'Audit',
      status: 'ACTIVE',
      lastFour: '1111',
      createdAt: new Date().toISOString(),
    });
    const res = await cardholderPost(`/me/cards/${cardId}/cards-on-file/${cardUuid}/status`, { status: 'SUSPENDED' });
    const label = 'card on file status';
    return [
      { label, status: res.status, pk: today(), operation: 'card-on-file-suspended', userId: CARDHOLDER_ACCOUNT },
    ];
  },
});

describe('audit of every write route', () => {
  describe('the synthesized template', () => {
    it('has exactly the write routes driven here (a new one needs a driver and an audit)', () => {
      const writeRoutes = stack.model.routes
        .filter((r) => WRITE_METHODS.has(r.method) && !r.path.startsWith('/pismo/'))
        .map((r) => r.routeKey)
        .sort();
      expect(writeRoutes.length).toBeGreaterThan(0);
      expect(writeRoutes).toEqual(Object.keys(DRIVERS).sort());
    });
  });

  describe('IAM of the write routes', () => {
    it("grants each write route's function table writes (its audit record needs them)", () => {
      const stacks = synthesizeTemplates({ 'tokenization:jwtIssuer': DEV_ISSUER });
      const writeRoutes = stack.model.routes.filter(
        (r) => WRITE_METHODS.has(r.method) && !r.path.startsWith('/pismo/'),
      );
      const writers = writeRoutes.map((route) => {
        const [stackName, logicalId] = route.functionId.split('/');
        const template = stacks.find((s) => s.stackName === stackName)?.template;
        const role = (template?.Resources[logicalId ?? '']?.Properties?.Role as { 'Fn::GetAtt'?: string[] })?.[
          'Fn::GetAtt'
        ]?.[0];
        const actions = Object.values(template?.Resources ?? {})
          .filter((r) => r.Type === 'AWS::IAM::Policy')
          .filter((r) => JSON.stringify(r.Properties?.Roles ?? []).includes(`"${role}"`))
          .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
          .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
        return [route.routeKey, actions.includes('dynamodb:PutItem')];
      });
      expect(writers).toEqual(writeRoutes.map((r) => [r.routeKey, true]));
    }, 60_000);
  });

  describe('each write route', () => {
    it('leaves a final audit record (not PENDING) naming the officer for every valid action', async () => {
      const writeRoutes = stack.model.routes.filter(
        (r) => WRITE_METHODS.has(r.method) && !r.path.startsWith('/pismo/'),
      );
      const driven: Driven[] = [];
      for (const route of writeRoutes) driven.push(...(await (DRIVERS[route.routeKey] ?? (async () => []))()));
      // every write operation of the CS API, on both token routes
      const writeOps = Object.entries(TOKEN_OPERATIONS)
        .filter(([, d]) => d.write)
        .map(([n]) => n);
      expect(Object.keys(WRITE_OPERATIONS).sort()).toEqual(writeOps.sort());

      const found = await Promise.all(
        driven.map(async (d) => {
          const records = (await auditUnder(d.pk)).filter((r) => r.operation === d.operation);
          return [d.label, d.status, records.map((r) => [r.outcome, r.userId])];
        }),
      );
      expect(found).toEqual(
        driven.map((d) => [
          d.label,
          d.ok ?? (d.label === 'challenge resend' ? 202 : 200),
          [['DONE', d.userId ?? 'agent-9']],
        ]),
      );
    }, 60_000);
  });
});
