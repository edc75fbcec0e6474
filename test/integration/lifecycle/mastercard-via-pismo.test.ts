import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { mdesActiveToken } from '../../../local/seed/idv-events';
import { LIFECYCLE_PISMO_PROGRAMS_CONTEXT } from '../../../infra/constructs/lifecycle';
import { captureStdout } from '../../fixtures/capture-stdout';
import { until } from '../../fixtures/until';

/**
 * A Mastercard token whose Pismo program is configured to go through Pismo (context
 * `tokenization:lifecyclePismoMastercardPrograms`): its actions use Pismo's token operations, not
 * MDES Customer Service, and its status follows the simulator's event. Another program's token still
 * goes to MDES.
 */
let stack: LocalStack;
let writer: string;
captureStdout();

const PROGRAM = '5550001';

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'WARN', context: { [LIFECYCLE_PISMO_PROGRAMS_CONTEXT]: PROGRAM } });
  writer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'agent-7',
    name: 'Ana Souza',
  });
}, 60_000);
afterAll(() => stack.stop());

async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${writer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An active Mastercard token of ours in `program`, also known to the Pismo simulator. */
async function mastercardToken(tokenId: string, tur: string, program: string) {
  const [ta, resync] = mdesActiveToken(tokenId, tur);
  if (!ta || !resync) throw new Error('no seed events');
  (ta.data as Record<string, unknown>).program_id = Number(program);
  for (const event of [ta, resync]) {
    event.timestamp = new Date(Date.parse(String(event.timestamp)) - 120_000).toISOString();
    await stack.pismo.send(`${stack.url}/pismo/events`, event);
  }
  stack.pismo.tokenOperations.provision({
    tokenId,
    cardId: '4995608',
    accountId: '100001185',
    network: 'mdes',
    tokenUniqueReference: tur,
  });
}

const statusOf = async (tokenId: string) =>
  ((await call('GET', `/tokens/${tokenId}`)).body.token as { status?: string }).status;

describe('a Mastercard program routed through Pismo', () => {
  it("suspends and resumes through Pismo's token operations; MDES is not called", async () => {
    const tur = 'DSHRMC0000259339000000000000000000000000000pm001';
    await mastercardToken('94001', tur, PROGRAM);
    const mdesBefore = stack.mdes.requests.length;
    const suspended = await call('POST', '/tokens/94001/suspend', { reason: 'FRAUD_SUSPECTED' });
    expect(suspended).toMatchObject({ status: 202, body: { network: 'MDES', route: 'pismo', outcome: 'REQUESTED' } });
    await until(async () => (await statusOf('94001')) === 'suspended');
    const resumed = await call('POST', '/tokens/94001/resume', { reason: 'OTHER' });
    expect(resumed.body).toMatchObject({ route: 'pismo' });
    await until(async () => (await statusOf('94001')) === 'active');
    expect(stack.pismo.tokenOperations.tokens.get('94001')?.history.map((h) => h.operation)).toEqual([
      'SUSPEND',
      'RESUME',
    ]);
    expect(stack.mdes.requests.length).toBe(mdesBefore);
  });

  it("another program's Mastercard token still goes to MDES Customer Service", async () => {
    const tur = 'DSHRMC0000259339000000000000000000000000000pm002';
    await mastercardToken('94002', tur, '5550002');
    const before = stack.pismo.tokenOperations.requestsTo('tokenOperation');
    const res = await call('POST', '/tokens/94002/suspend', { reason: 'FRAUD_SUSPECTED' });
    expect(res).toMatchObject({ status: 202, body: { route: 'mdes' } });
    expect(stack.pismo.tokenOperations.requestsTo('tokenOperation')).toBe(before);
  });
});
