import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ENV } from '../../../shared/config';
import type { DecisionRecord } from '../../../shared/domain/store';
import { DECISION_SCENARIOS } from '../../../local/pismo-simulator/scenarios';
import { PismoSimulator, SIMULATED_ISSUER, SIMULATED_ORG_ID } from '../../../local/pismo-simulator/server';
import { captureStdout } from '../../fixtures/capture-stdout';

/**
 * The decision handler's logs and records under an injected slow store (issue 11 §10): the table is
 * replaced by an in-memory one whose reads and writes take as long as the test says.
 */
const mockTable = {
  readMs: 0,
  writeMs: 0,
  decisions: [] as DecisionRecord[],
  jtis: new Map<string, { answer?: unknown }>(),
};
const mockSleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

jest.mock('../../../shared/adapters/dynamo/token-store', () => ({
  DynamoTokenStore: class {
    async listTokensOfCard() {
      await mockSleep(mockTable.readMs);
      return { items: [] };
    }
    async putDecision(_owner: unknown, record: DecisionRecord) {
      await mockSleep(mockTable.writeMs);
      mockTable.decisions.push(record);
    }
  },
}));
jest.mock('../../../shared/adapters/dynamo/webhook-replay-store', () => ({
  DynamoReplayMemory: class {
    async claim(key: string) {
      if (mockTable.jtis.has(key)) return 'replay';
      mockTable.jtis.set(key, {});
      return 'first';
    }
    async saveAnswer(key: string, _until: number, answer: unknown) {
      mockTable.jtis.set(key, { answer });
    }
    async firstAnswer(key: string) {
      return mockTable.jtis.get(key)?.answer;
    }
  },
}));

type Handler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let sim: PismoSimulator;
let handler: Handler;
let stdout: ReturnType<typeof captureStdout>;
// Powertools writes WARN and ERROR through console.warn/error, i.e. to stderr.
const stderr: string[] = [];
let stderrSpy: jest.SpyInstance;

beforeAll(async () => {
  sim = await PismoSimulator.start();
  Object.assign(process.env, {
    [ENV.tableName]: 'tokens',
    [ENV.pismoJwksUrl]: sim.jwksUrl,
    [ENV.pismoOrgId]: SIMULATED_ORG_ID,
    [ENV.pismoJwtIssuer]: SIMULATED_ISSUER,
    [ENV.decisionStoreTimeoutMs]: '50',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  stdout = captureStdout();
  stderrSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  handler = ((await import('../../../functions/decision/decide-tokenization')) as { handler: Handler }).handler;
});
afterAll(async () => {
  stdout.restore();
  stderrSpy.mockRestore();
  await sim.stop();
});
beforeEach(() => {
  mockTable.readMs = 0;
  mockTable.writeMs = 0;
});

const context = { awsRequestId: 'test', functionName: 'DecideTokenization' } as Context;
const body = JSON.stringify(DECISION_SCENARIOS.find((s) => s.name === 'mdes-green')?.request);

async function invoke(authorization?: string) {
  const event = {
    version: '2.0',
    routeKey: 'POST /pismo/tokenization-decisions',
    rawPath: '/pismo/tokenization-decisions',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', authorization: authorization ?? `Bearer ${await sim.sign(body)}` },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' }, requestId: 'test' },
  };
  const res = await handler(event, context);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as { decision: string; decision_id: string } };
}

/** The JSON log lines mentioning this decision. */
function logsOf(decisionId: string): { level: string; message: string; recordWrite?: string; storeFailure?: string }[] {
  return [stdout.text(), ...stderr]
    .join('\n')
    .split('\n')
    .filter((l) => l.includes(decisionId) && l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; message: string });
}

async function until(condition: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await mockSleep(10);
  }
}

describe('decide-tokenization handler under a slow store', () => {
  describe('handler', () => {
    it('never logs "not recorded" for a write still in flight, and logs the write when it lands', async () => {
      mockTable.writeMs = 300;
      const res = await invoke();
      expect(res.status).toBe(200);
      const id = res.body.decision_id;
      expect(mockTable.decisions.some((d) => d.decisionId === id)).toBe(false);
      expect(logsOf(id)).toEqual([
        expect.objectContaining({
          level: 'WARN',
          message: expect.stringContaining('recording continued past the timeout'),
          recordWrite: 'pending',
        }),
      ]);
      // Wait for both the landed record and its log line: on a busy machine either can come first.
      await until(() => mockTable.decisions.some((d) => d.decisionId === id) && logsOf(id).length >= 2);
      expect(logsOf(id)).toContainEqual(
        expect.objectContaining({ level: 'INFO', message: 'decision record written after the timeout' }),
      );
      expect(logsOf(id).some((l) => /not recorded/.test(l.message))).toBe(false);
    });

    it('logs a slow history read as READ_TIMEOUT and still decides (default fail mode)', async () => {
      mockTable.readMs = 300;
      const res = await invoke();
      expect(res.body.decision).toBe('APPROVED');
      expect(logsOf(res.body.decision_id)).toEqual([
        expect.objectContaining({
          message: 'tokenization decision',
          storeFailure: 'READ_TIMEOUT',
          recordWrite: 'written',
        }),
      ]);
    });

    it('answers a replayed token with the first answer, logged as a replay, and records once', async () => {
      const authorization = `Bearer ${await sim.sign(body)}`;
      const first = await invoke(authorization);
      const again = await invoke(authorization);
      expect(again).toEqual(first);
      // On a busy machine the first record can land after the store budget (logged as pending): wait for
      // it, then check the replay added none.
      const records = () => mockTable.decisions.filter((d) => d.decisionId === first.body.decision_id);
      await until(() => records().length > 0);
      expect(records()).toHaveLength(1);
      const messages = logsOf(first.body.decision_id).map((l) => l.message);
      expect(messages.filter((m) => m === 'tokenization decision')).toHaveLength(1);
      expect(messages).toContain('replayed decision call answered with the first answer');
    });
  });
});
