import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { captureStdout } from '../../fixtures/capture-stdout';
import { mdesYellowPath, SEED_ACTIVATION_CODE } from '../../../local/seed/idv-events';
import { eventLike } from '../../../local/seed/pismo-events';
import { until } from '../../fixtures/until';

/**
 * ID&V by app-to-app (method 6) and call centre (method 3) on the local stack: the synthesized
 * state machine waits (AWAITING_CARDHOLDER, nothing delivered), the issuer activates (an agent, or
 * the cardholder's app through `POST /me/digital-cards/{tokenId}/activate`), the simulator's confirming event
 * (Pismo `patch` ACTIVE, or MDES's activation through it) ends the workflow, and the timeline says
 * which path activated the token.
 */
let stack: LocalStack;
let writer: string;
let reader: string;
captureStdout();

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'WARN',
    waitOverridesMs: { WaitBeforeReminder: 50, WaitBeforeCleanup: 50 },
    retryOverridesMs: { DeliverOtp: 5, DeliverOtpByEmail: 5 },
    taskTimeoutScale: 0.01,
  });
  const mint = (scope: string) =>
    stack.issuer.mint({ scope, audience: stack.audience, sub: 'agent-7', name: 'Ana Souza' });
  writer = await mint('tokens:read tokens:write');
  reader = await mint('tokens:read');
}, 60_000);
afterAll(() => stack.stop());

const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);
async function call(method: 'GET' | 'POST', path: string, body?: unknown, token = writer) {
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
const challenges = async (tokenId: string) =>
  (await call('GET', `/tokens/${tokenId}/challenges`, undefined, reader)).body.challenges as Record<string, unknown>[];
const timeline = async (tokenId: string) =>
  (
    (await call('GET', `/tokens/${tokenId}`, undefined, reader)).body.timeline as {
      items: { callMethod: string; facts: Record<string, unknown> }[];
    }
  ).items.map((i) => i.callMethod);
const waiting = (name: string) => () =>
  stack.stepFunctions.executions.get(name)?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered');

/** An MDES yellow path with the cardholder's method, its TUR known to us and to MDES (a resync). */
async function mdesPending(tokenId: string, method: '3' | '6', expiresInMinutes = 30) {
  const flow = mdesYellowPath(tokenId, { method, expiresInMinutes });
  // Dated in the past: the confirming event (dated when the simulator applies the activation) is newer.
  flow.ta.timestamp = new Date(Date.now() - 3000).toISOString();
  flow.ac.timestamp = new Date(Date.now() - 2000).toISOString();
  const tur = `DSHRMC${tokenId.padStart(42, '0')}`;
  await post(flow.ta);
  await post({
    ...flow.ta,
    event_id: `resync-${tokenId}`,
    event_type: 'token_resync',
    data: { card_id: 4995608, token_id: tokenId, token_status: 'PENDING', token_unique_reference: tur },
  });
  expect((await post(flow.ac)).body).toMatchObject({ outcome: 'applied' });
  return { flow, tur, execution: `ch-ac-${tokenId}` };
}

/** A Visa passcode event for the call centre (otpMethodIdentifier kfa87fjrnnyuvy), and the token at Pismo. */
async function visaPending(tokenId: string, expiresInMinutes = 30) {
  const passcode = eventLike('vts-passcode', {
    eventId: `vp-${tokenId}`,
    tokenId,
    timestamp: new Date().toISOString(),
  });
  const nd = passcode.data.network_data as Record<string, unknown>;
  nd.otpMethodIdentifier = 'kfa87fjrnnyuvy';
  nd.otpExpirationDate = new Date(Date.now() + expiresInMinutes * 60_000).toISOString();
  stack.pismo.tokenOperations.provision({
    tokenId,
    cardId: '5271995',
    accountId: '100002000',
    network: 'vts',
    status: 'INACTIVE',
  });
  expect((await post(passcode)).body).toMatchObject({ outcome: 'applied' });
  expect((await challenges(tokenId))[0]).toMatchObject({ status: 'AWAITING_CARDHOLDER', method: 'CALL_CENTER' });
  return { execution: `ch-vp-${tokenId}` };
}

describe('ID&V by call centre and app-to-app (local stack)', () => {
  it('MDES method 6: waits AWAITING_CARDHOLDER with nothing delivered, the code kept nowhere', async () => {
    const sent = stack.aws.outbox.length;
    const { execution } = await mdesPending('idvm6', '6');
    await until(waiting(execution));
    const [challenge] = await challenges('idvm6');
    expect(challenge).toMatchObject({ status: 'AWAITING_CARDHOLDER', method: 'APP_TO_APP' });
    expect(challenge).not.toHaveProperty('sealedOtp');
    const steps = stack.stepFunctions.executions.get(execution)?.steps ?? [];
    expect(steps.find((s) => s.state === 'DeliverOtp' && s.type === 'exited')).toBeDefined();
    expect(stack.aws.outbox.slice(sent).some((m) => m.body.includes(SEED_ACTIVATION_CODE))).toBe(false);
  });

  it('MDES call centre (method 3, MDES route): the agent activates, MDES confirms, the workflow ends with ACTIVATED_BY_CALL_CENTER', async () => {
    const { execution, tur } = await mdesPending('idvm3', '3');
    await until(waiting(execution));
    const res = await call('POST', '/tokens/idvm3/activate', { reason: 'CARDHOLDER_REQUEST', method: 'CALL_CENTER' });
    expect(res).toMatchObject({
      status: 202,
      body: { route: 'mdes', outcome: 'REQUESTED', challengeId: execution, activationPath: 'CALL_CENTER' },
    });
    expect(stack.mdes.vault.get(tur)?.history.at(-1)).toMatchObject({ StatusCode: 'A', ReasonCode: 'C' });
    await until(() => stack.stepFunctions.executions.get(execution)?.status === 'SUCCEEDED');
    expect((await challenges('idvm3'))[0]).toMatchObject({ status: 'ACTIVATED', activatedBy: 'CALL_CENTER' });
    expect(await timeline('idvm3')).toEqual(expect.arrayContaining(['ACTIVATE', 'ACTIVATED_BY_CALL_CENTER']));
    // Repeated: idempotent, nothing more sent to MDES.
    const again = await call('POST', '/tokens/idvm3/activate', { reason: 'CARDHOLDER_REQUEST', method: 'CALL_CENTER' });
    expect(again).toMatchObject({ status: 202, body: { outcome: 'ALREADY_DONE' } });
    expect(stack.mdes.vault.get(tur)?.history.filter((h) => h.StatusCode === 'A')).toHaveLength(1);
  });

  it('Visa call centre: Pismo CALL_CENTER_ACTIVATION with the agent code; its patch ends the workflow', async () => {
    const { execution } = await visaPending('93003');
    await until(waiting(execution));
    const res = await call('POST', '/tokens/93003/activate', {
      reason: 'CARDHOLDER_REQUEST',
      method: 'CALL_CENTER',
      activationCode: 'K7Q2',
    });
    expect(res).toMatchObject({ status: 202, body: { route: 'pismo', outcome: 'REQUESTED' } });
    expect(stack.pismo.tokenOperations.tokens.get('93003')?.history.at(-1)).toMatchObject({
      operation: 'CALL_CENTER_ACTIVATION',
      status: 'ACTIVE',
    });
    await until(() => stack.stepFunctions.executions.get(execution)?.status === 'SUCCEEDED');
    expect((await challenges('93003'))[0]).toMatchObject({ status: 'ACTIVATED', activatedBy: 'CALL_CENTER' });
    const audit = (await call('GET', '/tokens/93003', undefined, reader)).body;
    expect(JSON.stringify(audit)).not.toContain('K7Q2');
  });

  it('Pismo refuses: 422 with its code, the challenge stays open; a later try succeeds', async () => {
    const { execution } = await visaPending('93004');
    await until(waiting(execution));
    stack.pismo.tokenOperations.injectFault('tokenOperation', {
      kind: 'status',
      status: 422,
      errorCode: 'INVALID_ACTIVATION_CODE',
      message: 'activation code refused',
      times: 1,
    });
    const body = { reason: 'CARDHOLDER_REQUEST', method: 'CALL_CENTER', activationCode: 'BAD1' };
    const refused = await call('POST', '/tokens/93004/activate', body);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('INVALID_ACTIVATION_CODE');
    expect((await challenges('93004'))[0]).toMatchObject({ status: 'AWAITING_CARDHOLDER' });
    expect(stack.stepFunctions.executions.get(execution)?.status).toBe('RUNNING');
    expect((await call('POST', '/tokens/93004/activate', { ...body, activationCode: 'K7Q2' })).status).toBe(202);
    await until(() => stack.stepFunctions.executions.get(execution)?.status === 'SUCCEEDED');
  });

  it('expiry: an app challenge not activated in time expires, gets the reminder and clean-up; activating then is 409', async () => {
    const { execution } = await mdesPending('idvm6x', '6', 1);
    await until(() => stack.stepFunctions.executions.get(execution)?.status === 'SUCCEEDED');
    const steps = stack.stepFunctions.executions
      .get(execution)
      ?.steps.filter((s) => s.type === 'entered')
      .map((s) => s.state);
    expect(steps).toEqual([
      'DeliverOtp',
      'WaitForActivation',
      'MarkExpired',
      'WaitBeforeReminder',
      'SendReminder',
      'StillAbandoned',
      'WaitBeforeCleanup',
      'DeleteAbandonedToken',
      'Done',
    ]);
    const res = await call('POST', '/tokens/idvm6x/activate', { reason: 'CARDHOLDER_REQUEST', method: 'CALL_CENTER' });
    expect(res.status).toBe(409);
    expect(res.body.message).toEqual(expect.stringMatching(/NO_OPEN_CHALLENGE|CHALLENGE_EXPIRED/));
  });

  it('409 with the reason when the token has no challenge; 403 without tokens:write', async () => {
    await post(eventLike('mdes-ta', { eventId: 'ta-idvnc', tokenId: 'idvnc', timestamp: new Date().toISOString() }));
    const body = { reason: 'CARDHOLDER_REQUEST', method: 'CALL_CENTER' };
    const res = await call('POST', '/tokens/idvnc/activate', body);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('NO_OPEN_CHALLENGE');
    expect((await call('POST', '/tokens/idvnc/activate', body, reader)).status).toBe(403);
  });

  describe('app-to-app: POST /me/digital-cards/{tokenId}/activate with the cardholder token', () => {
    const holder = (accountId: string) =>
      stack.issuer.mint({ scope: 'cardholder', audience: stack.cardholderAudience, sub: accountId });
    const activate = async (tokenId: string, accountId: string) => {
      const res = await fetch(`${stack.url}/me/digital-cards/${tokenId}/activate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await holder(accountId)}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('Mastercard: CARDHOLDER_STEPUP_APP_TO_APP at Pismo, its patch ends the workflow with ACTIVATED_BY_APP_TO_APP; idempotent', async () => {
      const tokenId = '94006';
      const { execution } = await mdesPending(tokenId, '6');
      stack.pismo.tokenOperations.provision({
        tokenId,
        cardId: '4995608',
        accountId: '100001185',
        network: 'mdes',
        status: 'INACTIVE',
      });
      await until(waiting(execution));
      expect((await activate(tokenId, '100002000')).status).toBe(404); // not theirs
      const res = await activate(tokenId, '100001185');
      expect(res).toMatchObject({
        status: 202,
        body: { action: 'activate', outcome: 'REQUESTED', challengeId: execution },
      });
      expect(stack.pismo.tokenOperations.tokens.get(tokenId)?.history.at(-1)).toMatchObject({
        operation: 'CARDHOLDER_STEPUP_APP_TO_APP',
        status: 'ACTIVE',
      });
      await until(() => stack.stepFunctions.executions.get(execution)?.status === 'SUCCEEDED');
      expect((await challenges(tokenId))[0]).toMatchObject({ status: 'ACTIVATED', activatedBy: 'APP_TO_APP' });
      expect(await timeline(tokenId)).toEqual(
        expect.arrayContaining(['ACTIVATE_APP_TO_APP', 'ACTIVATED_BY_APP_TO_APP']),
      );
      expect(await activate(tokenId, '100001185')).toMatchObject({ status: 202, body: { outcome: 'ALREADY_DONE' } });
      expect(stack.pismo.tokenOperations.tokens.get(tokenId)?.history).toHaveLength(1);
    });

    it('Visa: CALL_CENTER_ACTIVATION with an issuer code never kept; the workflow ends', async () => {
      const tokenId = '94007';
      const passcode = eventLike('vts-passcode', {
        eventId: `vp-${tokenId}`,
        tokenId,
        timestamp: new Date().toISOString(),
      });
      passcode.data.account_id = 100002000;
      const nd = passcode.data.network_data as Record<string, unknown>;
      nd.otpMethodIdentifier = 'jjfa8f7jnfyfgg';
      nd.otpExpirationDate = new Date(Date.now() + 30 * 60_000).toISOString();
      stack.pismo.tokenOperations.provision({
        tokenId,
        cardId: '5271995',
        accountId: '100002000',
        network: 'vts',
        status: 'INACTIVE',
      });
      await post(passcode);
      const execution = `ch-vp-${tokenId}`;
      await until(waiting(execution));
      expect((await challenges(tokenId))[0]).toMatchObject({ status: 'AWAITING_CARDHOLDER', method: 'APP_TO_APP' });
      const res = await activate(tokenId, '100002000');
      expect(res).toMatchObject({ status: 202, body: { outcome: 'REQUESTED' } });
      expect(stack.pismo.tokenOperations.tokens.get(tokenId)?.history.at(-1)).toMatchObject({
        operation: 'CALL_CENTER_ACTIVATION',
      });
      await until(() => stack.stepFunctions.executions.get(execution)?.status === 'SUCCEEDED');
      expect((await challenges(tokenId))[0]).toMatchObject({ status: 'ACTIVATED', activatedBy: 'APP_TO_APP' });
    });

    it('409 with the reason for a token whose challenge is not for the app (an SMS code)', async () => {
      const flow = mdesYellowPath('94008');
      await post(flow.ta);
      await post(flow.ac);
      await until(waiting('ch-ac-94008'));
      const res = await activate('94008', '100001185');
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('NOT_AN_APP_CHALLENGE');
    });
  });
});
