import { startLocalStack } from '../local/stack/local-stack';
import { mdesYellowPath, SEED_ACTIVATION_CODE } from '../local/seed/idv-events';
import { type BenchEntry, median, percentile } from './bench-report';

const r = (n: number) => Math.round(n * 100) / 100;

/**
 * ID&V workflow figures on the local stack: state transitions per happy-path and per expiry flow
 * (states entered, as Step Functions bills them), and AC-event-to-outbox latency.
 */
export async function benchIdv(flows = 40): Promise<BenchEntry[]> {
  const stack = await startLocalStack({
    logLevel: 'ERROR',
    waitOverridesMs: { WaitBeforeReminder: 1, WaitBeforeCleanup: 1 },
    taskTimeoutScale: 0.002,
  });
  const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);
  const until = async (check: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('bench flow stalled');
      await new Promise((res) => setImmediate(res));
    }
  };
  const latencies: number[] = [];
  const happyTransitions: number[] = [];
  for (let i = 0; i < flows + 3; i++) {
    const id = `bh${i}`;
    const flow = mdesYellowPath(id);
    await post(flow.ta);
    const sent = stack.aws.outbox.length;
    const t = performance.now();
    await post(flow.ac);
    await until(() => stack.aws.outbox.slice(sent).some((m) => m.body.includes(SEED_ACTIVATION_CODE)));
    const ms = performance.now() - t;
    const execution = stack.stepFunctions.executions.get(`ch-ac-${id}`);
    await until(() => execution?.steps.some((s) => s.state === 'WaitForActivation' && s.type === 'entered') ?? false);
    await post(flow.tc);
    await execution?.done;
    if (execution?.status !== 'SUCCEEDED') throw new Error(`happy path ${id} ended ${execution?.status}`);
    if (i >= 3) {
      latencies.push(ms); // the first flows warm the handlers
      happyTransitions.push(execution.steps.filter((s) => s.type === 'entered').length);
    }
  }
  const expiryTransitions: number[] = [];
  for (let i = 0; i < 5; i++) {
    const id = `be${i}`;
    const flow = mdesYellowPath(id, { expiresInMinutes: 1 });
    await post(flow.ta);
    await post(flow.ac);
    const execution = () => stack.stepFunctions.executions.get(`ch-ac-${id}`);
    await until(() => execution()?.status === 'SUCCEEDED');
    expiryTransitions.push(execution()?.steps.filter((s) => s.type === 'entered').length ?? 0);
  }
  await stack.stop();
  latencies.sort((a, b) => a - b);
  return [
    {
      name: 'state transitions per happy-path flow',
      value: median(happyTransitions),
      unit: 'states',
      target: 12,
      detail: 'DeliverOtp → WaitForActivation → NotifyCardAdded → Done',
    },
    {
      name: 'state transitions per expiry flow (reminder + 30-day clean-up)',
      value: median(expiryTransitions),
      unit: 'states',
      detail: 'abandoned provisioning: expire, remind, delete',
    },
    {
      name: 'AC event to SMS in the outbox, p50',
      value: r(percentile(latencies, 50)),
      unit: 'ms',
      detail: `${latencies.length} flows on the local stack`,
    },
    {
      name: 'AC event to SMS in the outbox, p99',
      value: r(percentile(latencies, 99)),
      unit: 'ms',
      detail: 'HTTP ingest → StartExecution → DeliverOtp (Pismo contact lookup, SNS)',
    },
  ];
}
