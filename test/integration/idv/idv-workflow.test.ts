import { scanAll } from '../../fixtures/token-table';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { captureStdout } from '../../fixtures/capture-stdout';
import { mdesYellowPath, SEED_ACTIVATION_CODE } from '../../../local/seed/idv-events';
import { eventLike } from '../../../local/seed/pismo-events';
import { until } from '../../fixtures/until';

let stack: LocalStack;
let stdout: ReturnType<typeof captureStdout>;
beforeAll(async () => {
  stdout = captureStdout();
  stack = await startLocalStack({
    logLevel: 'DEBUG',
    // 24 h and 29 days become 50 ms; retries pause 5 ms; a 1-minute code expires after 0.6 s.
    waitOverridesMs: { WaitBeforeReminder: 50, WaitBeforeCleanup: 50 },
    retryOverridesMs: { DeliverOtp: 5, DeliverOtpByEmail: 5 },
    taskTimeoutScale: 0.01,
  });
});
afterAll(async () => {
  stdout.restore();
  await stack.stop();
});

const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);
const execution = (tokenId: string) => stack.stepFunctions.executions.get(`ch-ac-${tokenId}`);
const outboxFor = (re: RegExp) => stack.aws.outbox.filter((m) => re.test(m.body));

const waiting = (tokenId: string) => () =>
  execution(tokenId)?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered');

async function challenges(tokenId: string) {
  const token = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
  const res = await fetch(`${stack.url}/tokens/${tokenId}/challenges`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as { challenges: Record<string, unknown>[] };
}

describe('ID&V workflow (synthesized state machine, run locally)', () => {
  it('SMS: delivers the activation code, removes it, resumes on TC and says the card was added', async () => {
    const flow = mdesYellowPath('idv1');
    await post(flow.ta);
    expect((await post(flow.ac)).body).toMatchObject({ outcome: 'applied' });
    const sms = await until(() => stack.aws.outbox.find((m) => m.body.includes(SEED_ACTIVATION_CODE)));
    expect(sms).toMatchObject({ channel: 'SMS', to: '+5511912347728' });
    await until(waiting('idv1'));
    expect((await post(flow.tc)).status).toBe(202);
    await execution('idv1')?.done;
    expect(execution('idv1')).toMatchObject({ status: 'SUCCEEDED' });
    expect(stack.aws.outbox.some((m) => m.to === '+5511912347728' && /added to Google Pay/.test(m.body))).toBe(true);
    const [challenge] = (await challenges('idv1')).challenges;
    expect(challenge).toMatchObject({
      status: 'ACTIVATED',
      channel: 'SMS',
      deliveredTo: '*********7728',
      method: 'SMS',
    });
    expect(challenge).not.toHaveProperty('sealedOtp');
    const token = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
    const view = (await (
      await fetch(`${stack.url}/tokens/idv1`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      timeline: { items: { callMethod: string; facts: Record<string, unknown> }[] };
    };
    expect(view.timeline.items.map((i) => i.callMethod)).toEqual(
      expect.arrayContaining(['TA', 'AC', 'OTP_DELIVERED', 'TC', 'CARD_ADDED_NOTIFIED']),
    );
    expect(view.timeline.items.find((i) => i.callMethod === 'OTP_DELIVERED')?.facts).toMatchObject({
      activationMethod: 'SMS',
      maskedDestination: '*********7728',
    });
  });

  it('VTS passcode: finds the account from the card, delivers by SMS, resumes on the ACTIVE status update', async () => {
    const passcode = eventLike('vts-passcode', {
      eventId: 'vp-idv20',
      tokenId: 'idv20',
      timestamp: new Date().toISOString(),
    });
    (passcode.data.network_data as Record<string, unknown>).otpExpirationDate = new Date(
      Date.now() + 30 * 60_000,
    ).toISOString();
    await post(passcode);
    const sms = await until(() => stack.aws.outbox.find((m) => m.body.includes('927945')));
    expect(sms).toMatchObject({ channel: 'SMS', to: '+5531988881234' });
    const exec = stack.stepFunctions.executions.get('ch-vp-idv20');
    await until(() => exec?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered'));
    await post(
      eventLike('vts-token-resume', {
        eventId: 'vr-idv20',
        tokenId: 'idv20',
        cardId: 5271995,
        timestamp: new Date(Date.now() + 1000).toISOString(),
      }),
    );
    await exec?.done;
    expect(exec).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('email: delivers to the email matching the hint', async () => {
    const flow = mdesYellowPath('idv2', { method: '2' });
    await post(flow.ta);
    await post(flow.ac);
    const mail = await until(() =>
      stack.aws.outbox.find((m) => m.channel === 'EMAIL' && m.body.includes(SEED_ACTIVATION_CODE)),
    );
    expect(mail).toMatchObject({ to: 'ana.souza@example.com', subject: 'Your verification code' });
    await until(waiting('idv2'));
    await post(flow.tc);
    await execution('idv2')?.done;
    expect(execution('idv2')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('falls back to email when SMS keeps failing, after retries', async () => {
    stack.aws.smsOutage = true;
    const flow = mdesYellowPath('idv3');
    await post(flow.ta);
    await post(flow.ac);
    await until(waiting('idv3'), 20000);
    stack.aws.smsOutage = false;
    const steps = execution('idv3')?.steps.map((s) => `${s.state}:${s.type}`) ?? [];
    expect(steps).toEqual(
      expect.arrayContaining(['DeliverOtp:failed', 'DeliverOtpByEmail:entered', 'DeliverOtpByEmail:exited']),
    );
    const [challenge] = (await challenges('idv3')).challenges;
    expect(challenge).toMatchObject({ status: 'DELIVERED', channel: 'EMAIL', deliveredTo: 'a***@e***.com' });
    await post(flow.tc);
    await execution('idv3')?.done;
    expect(execution('idv3')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('refuses to send to a phone that does not match the network hint', async () => {
    const flow = mdesYellowPath('idv4', { hint: '(###)###0000' });
    const sentBefore = stack.aws.outbox.length;
    await post(flow.ta);
    await post(flow.ac);
    await until(() => execution('idv4')?.status === 'FAILED');
    const [challenge] = (await challenges('idv4')).challenges;
    expect(challenge).toMatchObject({ status: 'FAILED', failure: 'DESTINATION_MISMATCH' });
    expect(stack.aws.outbox.length).toBe(sentBefore);
  });

  it('expiry: no activation before the code expires → expired, reminder after 24 h, MDES delete after 30 days', async () => {
    const flow = mdesYellowPath('idv5', { expiresInMinutes: 1 });
    const resync = {
      ...flow.ta,
      event_id: 'resync-idv5',
      event_type: 'token_resync',
      data: {
        card_id: 4995608,
        token_id: 'idv5',
        token_status: 'PENDING',
        token_unique_reference: 'DSHRMC0000000000000000000000000000000000000idv5',
      },
    };
    await post(flow.ta);
    await post(resync);
    await post(flow.ac);
    await until(() => execution('idv5')?.status === 'SUCCEEDED');
    const steps = execution('idv5')
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
    expect(outboxFor(/You started adding your card/).length).toBeGreaterThan(0);
    // The signed MDES Token Delete reached the MDES simulator, which deleted the token.
    expect(stack.mdes.vault.get('DSHRMC0000000000000000000000000000000000000idv5')).toMatchObject({ status: 'D' });
    expect(stack.mdes.vault.get('DSHRMC0000000000000000000000000000000000000idv5')?.history.at(-1)).toMatchObject({
      StatusCode: 'D',
      ReasonCode: 'Z',
      AuditInfo: { UserId: 'idv-workflow' },
    });
    const [challenge] = (await challenges('idv5')).challenges;
    expect(challenge).toMatchObject({ status: 'ABANDONED_DELETED' });
  });

  it('the 30-day clean-up is done when MDES already deleted the token (wallet or cardholder)', async () => {
    const tur = 'DSHRMC0000000000000000000000000000000000000idv5b';
    const flow = mdesYellowPath('idv5b', { expiresInMinutes: 1 });
    await post(flow.ta);
    await post({
      ...flow.ta,
      event_id: 'resync-idv5b',
      event_type: 'token_resync',
      data: { card_id: 4995608, token_id: 'idv5b', token_status: 'PENDING', token_unique_reference: tur },
    });
    const vaulted = stack.mdes.vault.get(tur);
    if (vaulted) vaulted.status = 'D'; // deleted at MDES by someone else; our store was not told
    await post(flow.ac);
    await until(() => execution('idv5b')?.status === 'SUCCEEDED');
    expect(execution('idv5b')?.steps.some((s) => s.state === 'DeleteAbandonedToken' && s.type === 'exited')).toBe(true);
    const [challenge] = (await challenges('idv5b')).challenges;
    expect(challenge).toMatchObject({ status: 'ABANDONED_DELETED' });
  });

  it('a code that expired before it arrived is not delivered', async () => {
    const flow = mdesYellowPath('idv6', { expiresInMinutes: -5 });
    await post(flow.ta);
    await post(flow.ac);
    await until(() => execution('idv6')?.steps.some((s) => s.state === 'MarkExpired' && s.type === 'exited'));
    const [challenge] = (await challenges('idv6')).challenges;
    expect(challenge).toMatchObject({ status: 'EXPIRED', failure: 'EXPIRED_ON_ARRIVAL' });
  });

  it('a duplicate AC delivers once', async () => {
    const flow = mdesYellowPath('idv7');
    await post(flow.ta);
    const first = await post(flow.ac);
    const second = await post(flow.ac);
    expect([first.body.outcome, second.body.outcome]).toEqual(['applied', 'duplicate']);
    await until(waiting('idv7'));
    expect((await post(flow.ac)).body).toMatchObject({ outcome: 'duplicate' });
    // Count only when nothing more can be delivered: the challenge's one workflow has finished. (The
    // outbox is shared with other tests' workflows, whose reminders may land at any time: not counted.)
    await post(flow.tc);
    await execution('idv7')?.done;
    expect(execution('idv7')).toMatchObject({ status: 'SUCCEEDED' });
    expect([...stack.stepFunctions.executions.keys()].filter((k) => k.endsWith('-idv7'))).toEqual(['ch-ac-idv7']);
    expect(
      execution('idv7')?.steps.filter((s) => s.state.startsWith('DeliverOtp') && s.type === 'entered'),
    ).toHaveLength(1);
    const [challenge, ...others] = (await challenges('idv7')).challenges;
    expect(others).toEqual([]);
    expect(challenge).toMatchObject({ status: 'ACTIVATED', attempts: 1 });
    const token = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
    const view = (await (
      await fetch(`${stack.url}/tokens/idv7`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { timeline: { items: { callMethod: string }[] } };
    expect(view.timeline.items.filter((i) => i.callMethod === 'OTP_DELIVERED')).toHaveLength(1);
  });

  it('TC racing the delivery still completes the workflow', async () => {
    const flow = mdesYellowPath('idv8');
    await post(flow.ta);
    await post(flow.ac);
    await post(flow.tc); // before the workflow has registered its wait
    await until(() => execution('idv8')?.status === 'SUCCEEDED');
  });

  it('an AC arriving after TC (token already active) is recorded as superseded, not delivered', async () => {
    const flow = mdesYellowPath('idv9');
    await post(flow.ta);
    await post(flow.tc);
    const ac = await post(flow.ac);
    expect(ac.body).toMatchObject({ outcome: 'applied', tokenStatus: 'active' });
    expect(execution('idv9')).toBeUndefined();
    const [challenge] = (await challenges('idv9')).challenges;
    expect(challenge).toMatchObject({ status: 'SUPERSEDED' });
  });

  it('TC without AC (green path) needs no workflow', async () => {
    const flow = mdesYellowPath('idv10');
    await post(flow.ta);
    expect((await post(flow.tc)).body).toMatchObject({ tokenStatus: 'active' });
    expect(execution('idv10')).toBeUndefined();
  });

  describe('POST /tokens/{tokenId}/challenges/{id}/resend', () => {
    const resend = async (tokenId: string, challengeId: string, scope = 'tokens:write') => {
      const token = await stack.issuer.mint({ scope, audience: stack.audience, sub: 'agent-7', name: 'Agent Seven' });
      const res = await fetch(`${stack.url}/tokens/${tokenId}/challenges/${challengeId}/resend`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('asks MDES to resend the code when the TUR is known, as the acting officer', async () => {
      const flow = mdesYellowPath('idv11');
      await post(flow.ta);
      await post({
        ...flow.ta,
        event_id: 'resync-idv11',
        event_type: 'token_resync',
        data: {
          card_id: 4995608,
          token_id: 'idv11',
          token_status: 'PENDING',
          token_unique_reference: 'DSHRMC0000000000000000000000000000000000000idv11',
        },
      });
      await post(flow.ac);
      await until(waiting('idv11'));
      const res = await resend('idv11', 'ch-ac-idv11');
      expect(res).toMatchObject({ status: 202, body: { action: 'MDES_RESEND_REQUESTED' } });
      expect(stack.mdes.requests).toContainEqual(
        expect.objectContaining({ operation: '/token/resendactivationcode', status: 200, userId: 'agent-7' }),
      );
    });

    it('refuses with 409 and the reason when MDES has no TUR yet, 404 for an unknown challenge, 403 without tokens:write', async () => {
      const flow = mdesYellowPath('idv12');
      await post(flow.ta);
      await post(flow.ac);
      await until(waiting('idv12'));
      expect(await resend('idv12', 'ch-ac-idv12')).toMatchObject({
        status: 409,
        body: { message: expect.stringContaining('Token Unique Reference') },
      });
      expect((await resend('idv12', 'ch-nope')).status).toBe(404);
      expect((await resend('idv12', 'ch-ac-idv12', 'tokens:read')).status).toBe(403);
    });
  });

  it('keeps no activation code in logs, stored items or any state input/output', async () => {
    const items = await scanAll(stack.dynamo.client, stack.tableName);
    const states = [...stack.stepFunctions.executions.values()].map((e) => ({
      input: e.input,
      output: e.output,
      steps: e.steps,
    }));
    for (const code of [SEED_ACTIVATION_CODE, '927945']) {
      expect(JSON.stringify(items)).not.toContain(code);
      expect(JSON.stringify(states)).not.toContain(code);
      expect(stdout.text()).not.toContain(code);
    }
    expect(stdout.text()).toContain('deliver-otp done'); // the steps did log...
    expect(stdout.text()).not.toContain(SEED_ACTIVATION_CODE); // ...never the code
    expect(stack.aws.outbox.some((m) => m.body.includes(SEED_ACTIVATION_CODE))).toBe(true); // only the cardholder got it
  });
});
