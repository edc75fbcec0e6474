import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { captureStdout } from '../../fixtures/capture-stdout';
import { documentedEvent, eventLike } from '../../../local/seed/pismo-events';
import { until } from '../../fixtures/until';

let stack: LocalStack;
let stdout: ReturnType<typeof captureStdout>;
beforeAll(async () => {
  stdout = captureStdout();
  stack = await startLocalStack({
    retryOverridesMs: { DeliverOtp: 5, DeliverOtpByEmail: 5 },
    issuerKeyFile: path.join(mkdtempSync(path.join(tmpdir(), 'issuer-')), 'key.json'),
  });
});
afterAll(async () => {
  stdout.restore();
  await stack.stop();
});

const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);

/** The seed TA (card 4995608, account 100001185) for a fresh token, dated now + `offsetMs`. */
function ta(tokenId: string, offsetMs = 0) {
  return eventLike('mdes-ta', {
    eventId: `ta-${tokenId}`,
    tokenId,
    timestamp: new Date(Date.now() + offsetMs).toISOString(),
  });
}

describe('ID&V delivery started by Pismo documented challenge shapes (local stack)', () => {
  it('a notification carrying data.send_challenge delivers its code by SMS and completes on TC, like AC', async () => {
    const first = ta('scn1');
    first.data.send_challenge = { otp_value: '864209', otp_method: 'OTPSMS' };
    expect((await post(first)).body).toMatchObject({ outcome: 'applied' });
    const sms = await until(() => stack.aws.outbox.find((m) => m.body.includes('864209')));
    expect(sms).toMatchObject({ channel: 'SMS', to: '+5511912347728' });
    const execution = stack.stepFunctions.executions.get('ch-ta-scn1');
    await until(() => execution?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered'));
    const tc = eventLike('mdes-tc', {
      eventId: 'tc-scn1',
      tokenId: 'scn1',
      timestamp: new Date(Date.now() + 2000).toISOString(),
    });
    expect((await post(tc)).status).toBe(202);
    await execution?.done;
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a send_challenge event (documented shape) delivers its otp_value by SMS', async () => {
    await post(ta('scn2'));
    const challenge = documentedEvent('send-challenge-1');
    challenge.event_id = 'sc-scn2';
    challenge.timestamp = new Date(Date.now() + 1000).toISOString();
    challenge.data = { card_id: 4995608, token_id: 'scn2', otp_type: 'OTPSMS', otp_value: '775310' };
    expect((await post(challenge)).body).toMatchObject({ outcome: 'applied', tokenStatus: 'pending_idv' });
    const sms = await until(() => stack.aws.outbox.find((m) => m.body.includes('775310')));
    expect(sms).toMatchObject({ channel: 'SMS', to: '+5511912347728' });
  });
});
