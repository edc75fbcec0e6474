import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PismoSimulator, SIMULATED_CLIENT } from '../../../local/pismo-simulator/server';
import {
  type PismoTokenEvent,
  type PismoTokenOperationsSimulator,
  type PismoTokenStatus,
  type SimNetworkToken,
} from '../../../local/pismo-simulator/token-operations';
import { ValidationError } from '../../../shared/domain/errors';
import {
  PismoCircuitOpenError,
  PismoRejectedError,
  PismoUnavailableError,
} from '../../../shared/adapters/pismo/errors';
import { parsePismoEvent } from '../../../shared/adapters/pismo/event-schemas';
import { normalizePismoEvent } from '../../../shared/adapters/pismo/normalize-event';
import {
  type PismoAttemptInfo,
  type PismoTokenOperationsConfig,
  PismoTokenOperationsClient,
  type TokenOperationInput,
  type TokenOperationType,
} from '../../../shared/adapters/pismo/token-operations';
import { until } from '../../fixtures/until';

let pismo: PismoSimulator;
let ops: PismoTokenOperationsSimulator;
let events: PismoTokenEvent[];

beforeAll(async () => {
  pismo = await PismoSimulator.start();
  ops = pismo.tokenOperations;
});
afterAll(() => pismo.stop());
beforeEach(() => {
  events = [];
  ops.onEvent = (e) => {
    events.push(e);
  };
});
afterEach(() => {
  ops.clearFaults();
  ops.cardOperationResponse = 'no-content';
  ops.tokenLifetimeSeconds = 60;
});

const ACCOUNT = '100002000';

function client(over: Partial<PismoTokenOperationsConfig> = {}) {
  return new PismoTokenOperationsClient({
    baseUrl: `${pismo.apiUrl}/cards-tokenization`,
    authUrl: pismo.apiUrl,
    clientId: SIMULATED_CLIENT.id,
    clientSecret: SIMULATED_CLIENT.secret,
    retryBaseMs: 5,
    timeoutMs: 2000,
    ...over,
  });
}

/** A token on a card of its own (so each test sees only its tokens). */
let seq = 800_000;
function fresh(over: Partial<SimNetworkToken> = {}): SimNetworkToken {
  seq += 2;
  return ops.provision({ tokenId: String(seq), cardId: String(seq + 1), accountId: ACCOUNT, ...over });
}
const ref = (t: SimNetworkToken) => ({ accountId: t.accountId, cardId: t.cardId, tokenId: t.tokenId });
const cardRef = (t: SimNetworkToken) => ({ accountId: t.accountId, cardId: t.cardId });
const reason = 'Suspended due to lost device.';

describe('PismoTokenOperationsClient against the Pismo simulator', () => {
  describe('perform token operation, each operation type', () => {
    const cases: [TokenOperationType, Partial<SimNetworkToken>, PismoTokenStatus, Partial<TokenOperationInput>][] = [
      ['SUSPEND', { status: 'ACTIVE' }, 'SUSPENDED', {}],
      ['RESUME', { status: 'SUSPENDED' }, 'ACTIVE', {}],
      ['DELETE', { status: 'SUSPENDED' }, 'DEACTIVATED', {}],
      ['CALL_CENTER_ACTIVATION', { status: 'INACTIVE' }, 'ACTIVE', { activationCode: '94' }],
      ['CARDHOLDER_STEPUP_APP_TO_APP', { status: 'INACTIVE', network: 'mdes' }, 'ACTIVE', {}],
      ['TOKEN_DEVICE_BIDING_APPROVE', { status: 'ACTIVE', pendingDeviceBinding: 'dev-1' }, 'ACTIVE', {}],
      ['TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER', { status: 'ACTIVE', pendingDeviceBinding: 'dev-2' }, 'ACTIVE', {}],
      ['TOKEN_DEVICE_BINDING_APPROVE_BANK_APP', { status: 'ACTIVE', pendingDeviceBinding: 'dev-3' }, 'ACTIVE', {}],
    ];
    it.each(cases)('%s applies and emits the resulting event', async (operationType, start, expected, extra) => {
      const token = fresh(start);
      const res = await client().performTokenOperation(ref(token), {
        operationType,
        reason,
        operatorId: 'agent-7',
        ...extra,
      });
      expect(res).toMatchObject({ attempts: 1, body: { token_id: Number(token.tokenId), status: expected } });
      expect(res.confirmedByRead).toBeUndefined();
      expect(token.status).toBe(expected);
      expect(token.history).toEqual([{ operation: operationType, status: expected, operatorId: 'agent-7' }]);
      if (start.pendingDeviceBinding) expect(token.boundDevices).toEqual([start.pendingDeviceBinding]);
      const [event] = await until(() => events.length > 0 && events);
      expect(event?.data).toEqual({
        account_id: Number(ACCOUNT),
        card_id: Number(token.cardId),
        token_id: Number(token.tokenId),
        patch: { status: expected },
      });
    });

    it('refuses a device-binding approval on a Mastercard token and Visa App2App step-up (Pismo 4xx kept)', async () => {
      const mdes = fresh({ network: 'mdes', status: 'ACTIVE', pendingDeviceBinding: 'd' });
      await expect(
        client().performTokenOperation(ref(mdes), { operationType: 'TOKEN_DEVICE_BIDING_APPROVE', reason }),
      ).rejects.toMatchObject({ name: 'PismoRejectedError', statusCode: 422, errorCode: 'OPERATION_NOT_SUPPORTED' });
      const visa = fresh({ status: 'INACTIVE' });
      await expect(
        client().performTokenOperation(ref(visa), { operationType: 'CARDHOLDER_STEPUP_APP_TO_APP', reason }),
      ).rejects.toMatchObject({ errorCode: 'OPERATION_NOT_SUPPORTED' });
      expect(visa.status).toBe('INACTIVE');
    });
  });

  describe('request validation, before any call', () => {
    const good: TokenOperationInput = { operationType: 'SUSPEND', reason };
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['a reason of 255 characters', { ...good, reason: 'x'.repeat(255) }, /^reason: /],
      ['a blank reason', { ...good, reason: '   ' }, /^reason: must not be blank/],
      ['a reason with a control character', { ...good, reason: 'lost\u0000' }, /^reason: /],
      ['an operator id of 17 characters', { ...good, operatorId: 'a'.repeat(17) }, /^operatorId: /],
      ['an operator id with a space', { ...good, operatorId: 'agent 7' }, /^operatorId: /],
      ['an unknown operation type', { ...good, operationType: 'TOKEN_DEVICE_BINDING_APPROVE' }, /^operationType: /],
      [
        'CALL_CENTER_ACTIVATION without a code',
        { ...good, operationType: 'CALL_CENTER_ACTIVATION' },
        /^activationCode: required/,
      ],
      ['an activation code with SUSPEND', { ...good, activationCode: '1234' }, /^activationCode: not allowed/],
      [
        'an activation code of 9 characters',
        { ...good, operationType: 'CALL_CENTER_ACTIVATION', activationCode: '987654321' },
        /^activationCode: must be 1-8/,
      ],
      ['an unknown field', { ...good, comment: 'x' }, /^\(input\)|comment/],
    ];
    it.each(bad)('refuses %s with a 400 and sends nothing', async (_name, input, detail) => {
      const before = ops.requests.length;
      const token = fresh();
      const call = client().performTokenOperation(ref(token), input as unknown as TokenOperationInput);
      await expect(call).rejects.toBeInstanceOf(ValidationError);
      const err = (await call.catch((e: unknown) => e)) as ValidationError;
      expect(err.statusCode).toBe(400);
      expect(err.details?.some((d) => detail.test(d))).toBe(true);
      expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('987654321');
      expect(ops.requests.length).toBe(before);
    });

    it('accepts the limits exactly (254-character reason, 16-character operator, 8-character code)', async () => {
      const token = fresh({ status: 'INACTIVE' });
      await expect(
        client().performTokenOperation(ref(token), {
          operationType: 'CALL_CENTER_ACTIVATION',
          reason: 'r'.repeat(254),
          operatorId: 'o'.repeat(16),
          activationCode: 'A1B2C3D4',
        }),
      ).resolves.toMatchObject({ attempts: 1 });
    });

    it('refuses ids that are not Pismo ids and card operations outside SUSPEND/RESUME/DELETE', async () => {
      const before = ops.requests.length;
      const c = client();
      await expect(
        c.performTokenOperation({ accountId: ACCOUNT, cardId: '../admin', tokenId: '1' }, good),
      ).rejects.toMatchObject({ statusCode: 400, details: [expect.stringMatching(/^cardId: /)] });
      await expect(c.getCardTokens({ accountId: 'x', cardId: '1' })).rejects.toBeInstanceOf(ValidationError);
      await expect(
        c.performCardTokenOperation(
          { accountId: ACCOUNT, cardId: '1' },
          {
            operationType: 'CALL_CENTER_ACTIVATION' as 'DELETE',
            reason,
          },
        ),
      ).rejects.toMatchObject({ statusCode: 400 });
      expect(ops.requests.length).toBe(before);
    });
  });

  describe('card token operation', () => {
    it('applies to every token of the card (Pismo answers no content) and emits one event per token', async () => {
      const a = fresh({ status: 'ACTIVE' });
      const b = ops.provision({ tokenId: `${a.tokenId}1`, cardId: a.cardId, accountId: ACCOUNT, status: 'ACTIVE' });
      const res = await client().performCardTokenOperation(cardRef(a), { operationType: 'SUSPEND', reason });
      expect(res).toMatchObject({ attempts: 1, body: undefined, results: undefined });
      expect([a.status, b.status]).toEqual(['SUSPENDED', 'SUSPENDED']);
      await until(() => events.length === 2);
      expect(events.map((e) => [String(e.data.token_id), e.data.patch.status]).sort()).toEqual(
        [
          [a.tokenId, 'SUSPENDED'],
          [b.tokenId, 'SUSPENDED'],
        ].sort(),
      );
    });

    it('returns per-token results as Pismo sends them, a refused token included', async () => {
      ops.cardOperationResponse = 'per-token';
      const suspended = fresh({ status: 'SUSPENDED' });
      const active = ops.provision({ tokenId: `${suspended.tokenId}1`, cardId: suspended.cardId, accountId: ACCOUNT });
      const res = await client().performCardTokenOperation(cardRef(suspended), { operationType: 'RESUME', reason });
      const byId = new Map(res.results?.map((r) => [r.tokenId, r]));
      expect(byId.get(suspended.tokenId)).toMatchObject({ status: 'ACTIVE', result: 'SUCCESS' });
      expect(byId.get(active.tokenId)).toMatchObject({
        status: 'ACTIVE',
        result: 'FAILED',
        errorCode: 'INVALID_TOKEN_STATUS',
        message: expect.stringContaining('resume is not allowed'),
      });
    });
  });

  describe('get card tokens', () => {
    it('lists the seed tokens of a card with their status, network and the item as received', async () => {
      const res = await client().getCardTokens({ accountId: ACCOUNT, cardId: '5271995' });
      const ids = res.tokens.map((t) => t.tokenId);
      expect(ids).toEqual(expect.arrayContaining(['17579', '17580']));
      const t = res.tokens.find((x) => x.tokenId === '17580');
      expect(t).toMatchObject({ network: 'vts', tokenUniqueReference: 'DNITHE000000000000017580' });
      // A field the adapter does not know is kept in `raw`, not rejected.
      expect((t?.raw.token as Record<string, unknown>).device_bindings).toBe(0);
    });

    it('is refused for a card of another account (Pismo 404 kept)', async () => {
      await expect(client().getCardTokens({ accountId: '100001185', cardId: '5271995' })).rejects.toMatchObject({
        name: 'PismoRejectedError',
        httpStatus: 404,
        errorCode: 'CARD_NOT_FOUND',
      });
    });
  });

  describe('account tokens', () => {
    it('asks one token per account and reuses it; concurrent first calls share one request', async () => {
      const c = client();
      const token = fresh();
      const before = ops.accountTokensIssued;
      await Promise.all([c.getCardTokens(cardRef(token)), c.getCardTokens(cardRef(token))]);
      await c.getCardTokens(cardRef(token));
      expect(ops.accountTokensIssued).toBe(before + 1);
      await c.getCardTokens({ accountId: '100001185', cardId: '4995608' });
      expect(ops.accountTokensIssued).toBe(before + 2);
    });

    it('renews a token shortly before it expires, without waiting for a 401', async () => {
      const c = client();
      const token = fresh();
      await c.getCardTokens(cardRef(token));
      const issued = ops.accountTokensIssued;
      const now = Date.now();
      // 60 s tokens, renewed 15 s (a quarter of the lifetime) before they expire.
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 44_000);
      try {
        await c.getCardTokens(cardRef(token));
        expect(ops.accountTokensIssued).toBe(issued);
        clock.mockReturnValue(now + 46_000);
        await c.getCardTokens(cardRef(token));
        expect(ops.accountTokensIssued).toBe(issued + 1);
      } finally {
        clock.mockRestore();
      }
      expect(ops.requests.filter((r) => r.route === 'cardTokens' && r.status === 401)).toHaveLength(0);
    });

    it('renews an expired token once on a 401 and repeats the call (a write too)', async () => {
      const c = client();
      const token = fresh();
      await c.getCardTokens(cardRef(token));
      ops.expireAccountTokens();
      const issued = ops.accountTokensIssued;
      const calls = ops.requestsTo('tokenOperation');
      const res = await c.performTokenOperation(ref(token), { operationType: 'SUSPEND', reason });
      expect(res.attempts).toBe(1);
      expect(ops.accountTokensIssued).toBe(issued + 1);
      expect(ops.requests.slice(-3).map((r) => [r.route, r.status])).toEqual([
        ['tokenOperation', 401],
        ['accountToken', 200],
        ['tokenOperation', 200],
      ]);
      expect(ops.requestsTo('tokenOperation')).toBe(calls + 2);
      expect(token.history).toHaveLength(1);
    });

    it('fails on a second 401 in a row, without a third try', async () => {
      ops.tokenLifetimeSeconds = 0; // every token Pismo issues is already expired
      const token = fresh();
      const calls = ops.requestsTo('cardTokens');
      await expect(client().getCardTokens(cardRef(token))).rejects.toMatchObject({
        name: 'PismoUnavailableError',
        statusCode: 502,
        credentialsRefused: true,
        retryable: false,
      });
      expect(ops.requestsTo('cardTokens')).toBe(calls + 2);
    });

    it('reports refused client credentials without retrying, and never shows the secret', async () => {
      const before = ops.requestsTo('accountToken');
      const err = (await client({ clientSecret: async () => 'wrong-secret-value' })
        .getCardTokens({ accountId: ACCOUNT, cardId: '5271995' })
        .catch((e: unknown) => e)) as PismoUnavailableError;
      expect(err).toMatchObject({ name: 'PismoUnavailableError', credentialsRefused: true, retryable: false });
      expect(ops.requestsTo('accountToken')).toBe(before + 1);
      expect(JSON.stringify({ m: err.message, d: err.details, c: String(err.cause) })).not.toContain('wrong-secret');
    });
  });

  describe('lost writes', () => {
    it.each([
      ['the connection is cut after applying', { kind: 'drop' as const }],
      ['a 500 after applying', { kind: 'status' as const, status: 500, phase: 'after' as const }],
      ['a timeout after applying', { kind: 'timeout' as const, phase: 'after' as const }],
    ])('%s: confirmed by the read and not resent', async (_name, fault) => {
      const token = fresh({ status: 'ACTIVE' });
      const writes = ops.requestsTo('tokenOperation');
      const reads = ops.requestsTo('cardTokens');
      ops.injectFault('tokenOperation', { ...fault, times: 1 });
      const res = await client({ timeoutMs: 500 }).performTokenOperation(ref(token), {
        operationType: 'SUSPEND',
        reason,
      });
      expect(res).toMatchObject({ confirmedByRead: true, attempts: 1, body: undefined });
      expect(ops.requestsTo('tokenOperation')).toBe(writes + 1);
      expect(ops.requestsTo('cardTokens')).toBe(reads + 1);
      expect(token.history).toHaveLength(1);
    });

    it('a card operation whose response was lost is confirmed by the read', async () => {
      const token = fresh({ status: 'SUSPENDED' });
      const writes = ops.requestsTo('cardOperation');
      ops.injectFault('cardOperation', { kind: 'drop', times: 1 });
      const res = await client().performCardTokenOperation(cardRef(token), { operationType: 'DELETE', reason });
      expect(res).toMatchObject({ confirmedByRead: true });
      expect(ops.requestsTo('cardOperation')).toBe(writes + 1);
      expect(token.status).toBe('DEACTIVATED');
    });

    it('a 500 before applying: the read shows it did not happen, so it is resent once', async () => {
      const token = fresh({ status: 'ACTIVE' });
      const writes = ops.requestsTo('tokenOperation');
      ops.injectFault('tokenOperation', { kind: 'status', status: 500, times: 1 });
      const res = await client().performTokenOperation(ref(token), { operationType: 'DELETE', reason });
      expect(res).toMatchObject({ attempts: 2, body: { status: 'DEACTIVATED' } });
      expect(res.confirmedByRead).toBeUndefined();
      expect(ops.requestsTo('tokenOperation')).toBe(writes + 2);
      expect(token.history).toHaveLength(1);
    });

    it('a device-binding approval whose response was lost is not resent (no read can tell)', async () => {
      const token = fresh({ status: 'ACTIVE', pendingDeviceBinding: 'dev-9' });
      const writes = ops.requestsTo('tokenOperation');
      const reads = ops.requestsTo('cardTokens');
      ops.injectFault('tokenOperation', { kind: 'drop', times: 1 });
      await expect(
        client().performTokenOperation(ref(token), { operationType: 'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP', reason }),
      ).rejects.toMatchObject({ name: 'PismoUnavailableError', outcome: 'unknown', statusCode: 502 });
      expect(ops.requestsTo('tokenOperation')).toBe(writes + 1);
      expect(ops.requestsTo('cardTokens')).toBe(reads);
    });

    it('a lost write is not resent when the read to verify it fails', async () => {
      const token = fresh({ status: 'ACTIVE' });
      const writes = ops.requestsTo('tokenOperation');
      ops.injectFault('tokenOperation', { kind: 'status', status: 502 });
      ops.injectFault('cardTokens', { kind: 'status', status: 503 });
      await expect(
        client().performTokenOperation(ref(token), { operationType: 'SUSPEND', reason }),
      ).rejects.toMatchObject({ outcome: 'unknown', message: expect.stringContaining('read to verify it failed') });
      expect(ops.requestsTo('tokenOperation')).toBe(writes + 1);
    });

    it('a 429 (not applied) is resent without a read', async () => {
      const token = fresh({ status: 'ACTIVE' });
      const reads = ops.requestsTo('cardTokens');
      ops.injectFault('tokenOperation', { kind: 'status', status: 429, times: 1 });
      const res = await client().performTokenOperation(ref(token), { operationType: 'SUSPEND', reason });
      expect(res.attempts).toBe(2);
      expect(ops.requestsTo('cardTokens')).toBe(reads);
    });
  });

  describe('reads', () => {
    it('are retried after a 503 and after a timeout', async () => {
      const token = fresh();
      ops.injectFault('cardTokens', { kind: 'status', status: 503, times: 1 });
      expect((await client().getCardTokens(cardRef(token))).attempts).toBe(2);
      ops.injectFault('cardTokens', { kind: 'timeout', times: 1 });
      expect((await client({ timeoutMs: 300 }).getCardTokens(cardRef(token))).attempts).toBe(2);
    });

    it('give up after the retries with Pismo unavailable (502)', async () => {
      const token = fresh();
      const before = ops.requestsTo('cardTokens');
      ops.injectFault('cardTokens', { kind: 'status', status: 500 });
      await expect(client({ retries: 2 }).getCardTokens(cardRef(token))).rejects.toMatchObject({
        name: 'PismoUnavailableError',
        statusCode: 502,
        httpStatus: 500,
        errorCode: 'INTERNAL_ERROR',
      });
      expect(ops.requestsTo('cardTokens')).toBe(before + 3);
    });
  });

  describe('circuit breaker', () => {
    it('opens after repeated failures, refuses without calling, half-opens and closes after a good trial', async () => {
      const c = client({ retries: 0, breakerVolume: 4, breakerResetMs: 150 });
      const token = fresh();
      await c.getCardTokens(cardRef(token)); // the account token (one success) is now cached
      ops.injectFault('cardTokens', { kind: 'status', status: 500 });
      for (let i = 0; i < 2; i++)
        await expect(c.getCardTokens(cardRef(token))).rejects.toBeInstanceOf(PismoUnavailableError);
      expect(c.circuitState).toBe('closed');
      await expect(c.getCardTokens(cardRef(token))).rejects.toBeInstanceOf(PismoUnavailableError);
      expect(c.circuitState).toBe('open');
      const before = ops.requestsTo('cardTokens');
      const refused = c.getCardTokens(cardRef(token));
      await expect(refused).rejects.toBeInstanceOf(PismoCircuitOpenError);
      await expect(refused).rejects.toMatchObject({ statusCode: 503 });
      await expect(c.performTokenOperation(ref(token), { operationType: 'SUSPEND', reason })).rejects.toBeInstanceOf(
        PismoCircuitOpenError,
      );
      expect(ops.requestsTo('cardTokens')).toBe(before);
      ops.clearFaults();
      await until(() => c.circuitState === 'halfOpen');
      await expect(c.getCardTokens(cardRef(token))).resolves.toMatchObject({ attempts: 1 });
      expect(c.circuitState).toBe('closed');
    });

    it('does not count Pismo refusals (4xx) as failures, and keeps {error_code, message}', async () => {
      const c = client({ retries: 0, breakerVolume: 2 });
      const token = fresh({ status: 'ACTIVE' });
      for (let i = 0; i < 4; i++)
        await expect(c.performTokenOperation(ref(token), { operationType: 'RESUME', reason })).rejects.toMatchObject({
          name: 'PismoRejectedError',
          statusCode: 422,
          httpStatus: 422,
          errorCode: 'INVALID_TOKEN_STATUS',
          pismoMessage: expect.stringContaining('Visa token lifecycle: resume is not allowed'),
        });
      ops.injectFault('tokenOperation', { kind: 'status', status: 400, errorCode: 'ERR93836', message: 'Bad request' });
      const err = (await c
        .performTokenOperation(ref(token), { operationType: 'SUSPEND', reason })
        .catch((e: unknown) => e)) as PismoRejectedError;
      expect(err).toBeInstanceOf(PismoRejectedError);
      expect(err).toMatchObject({ errorCode: 'ERR93836', pismoMessage: 'Bad request', statusCode: 422 });
      expect(err.details).toEqual(['HTTP 400 | ERR93836 | Bad request']);
      expect(c.circuitState).toBe('closed');
    });
  });

  describe('secrets', () => {
    it('never shows the activation code, the account token or the secret in errors or attempt reports', async () => {
      const attempts: PismoAttemptInfo[] = [];
      const c = client({ onAttempt: (a) => attempts.push(a) });
      const token = fresh({ status: 'INACTIVE' });
      ops.injectFault('tokenOperation', {
        kind: 'status',
        status: 400,
        errorCode: 'INVALID_CODE',
        message: 'activation code 7H3X9 is wrong',
      });
      const err = (await c
        .performTokenOperation(ref(token), {
          operationType: 'CALL_CENTER_ACTIVATION',
          reason,
          activationCode: '7H3X9',
        })
        .catch((e: unknown) => e)) as PismoRejectedError;
      expect(err.pismoMessage).toBe('activation code [REDACTED] is wrong');
      const shown = JSON.stringify({ m: err.message, d: err.details, p: err.pismoMessage, attempts });
      expect(shown).not.toContain('7H3X9');
      expect(shown).not.toContain(SIMULATED_CLIENT.secret);
      expect(attempts.map((a) => [a.operation, a.status])).toEqual([
        ['accountToken', 200],
        ['performTokenOperation', 400],
      ]);
    });
  });

  describe('events', () => {
    it('the emitted event is a cards-tokenization patch our ingestion reads with the new status', async () => {
      const token = fresh({ status: 'SUSPENDED' });
      await client().performTokenOperation(ref(token), { operationType: 'RESUME', reason });
      const [event] = await until(() => events.length === 1 && events);
      const parsed = parsePismoEvent(event);
      if (!parsed.ok) throw new Error(parsed.issues.join('; '));
      expect(normalizePismoEvent(parsed.event)).toMatchObject({
        eventType: 'patch',
        tokenId: token.tokenId,
        cardId: token.cardId,
        status: 'active',
      });
      expect(ops.events.at(-1)?.delivered).toBe(true);
    });

    it('delivers to a URL, signed like Pismo webhooks', async () => {
      const received: { headers: IncomingHttpHeaders; body: string }[] = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.writeHead(202).end('{}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        ops.onEvent = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pismo/events`;
        const token = fresh({ status: 'ACTIVE' });
        await client().performTokenOperation(ref(token), { operationType: 'DELETE', reason });
        const [delivery] = await until(() => received.length === 1 && received);
        expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
          domain: 'cards-tokenization',
          event_type: 'patch',
          data: { token_id: Number(token.tokenId), patch: { status: 'DEACTIVATED' } },
        });
        expect(delivery?.headers.authorization).toMatch(/^Bearer ey/);
        await until(() => ops.events.at(-1)?.delivered === true);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
});
