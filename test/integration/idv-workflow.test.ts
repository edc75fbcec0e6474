import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { mdesYellowPath, SEED_ACTIVATION_CODE } from '../fixtures/idv-events';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'ERROR',
    waitOverridesMs: { WaitBeforeReminder: 50, WaitBeforeCleanup: 50 },
    retryOverridesMs: { DeliverOtp: 5, DeliverOtpByEmail: 5 },
  });
});
afterAll(() => stack.stop());

const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);

async function until<T>(check: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ID&V workflow (synthesized state machine, run locally)', () => {
  it('delivers the MDES activation code by SMS, resumes on TC and says the card was added', async () => {
    const flow = mdesYellowPath('idv1');
    await post(flow.ta);
    const ac = await post(flow.ac);
    expect(ac.status).toBe(202);
    const sms = await until(() => stack.aws.outbox.find((m) => m.body.includes(SEED_ACTIVATION_CODE))).catch((e) => {
      console.log(
        JSON.stringify(
          [...stack.stepFunctions.executions.values()].map((x) => ({ ...x, done: undefined })),
          null,
          1,
        ).slice(0, 3000),
        ac.body,
        stack.aws.outbox,
      );
      throw e;
    });
    expect(sms).toMatchObject({ channel: 'SMS', to: '+5511912347728' });
    const execution = stack.stepFunctions.executions.get('ch-ac-idv1');
    await until(() =>
      execution?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered') ? true : undefined,
    );
    const tc = await post(flow.tc);
    expect(tc.status).toBe(202);
    await execution?.done;
    if (execution?.status !== 'SUCCEEDED')
      console.log(JSON.stringify(execution?.steps.map((s) => [s.state, s.type, JSON.stringify(s.data).slice(0, 200)])));
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(stack.aws.outbox.some((m) => m.to === '+5511912347728' && /added to Google Pay/.test(m.body))).toBe(true);
  });
});
