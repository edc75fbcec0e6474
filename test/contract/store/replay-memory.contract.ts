import type { ReplayMemory } from '../../../shared/domain/store';

/**
 * The observable behaviour of the webhook replay memory ({@link ReplayMemory}). Run by
 * memory-store.contract.test.ts (the in-memory fake) and dynamo-store.contract.test.ts (the DynamoDB
 * adapter on dynalite, the reference).
 */

type Answer = { decision: string; n: number };
const now = () => Math.floor(Date.now() / 1000);

/** Registers the replay memory contract; `newMemory` gives an empty memory for each test. */
export function describeReplayMemoryContract(newMemory: () => Promise<ReplayMemory<Answer>>): void {
  let memory: ReplayMemory<Answer>;
  let n = 0;
  const key = () => `jti-hash-${++n}-${Math.random()}`;
  beforeEach(async () => {
    memory = await newMemory();
  });

  it('claims a token id once: first, then replay', async () => {
    const k = key();
    expect(await memory.claim(k, now() + 60)).toBe('first');
    expect(await memory.claim(k, now() + 60)).toBe('replay');
    expect(await memory.claim(key(), now() + 60)).toBe('first');
  });

  it('keeps the first answer: none while the first call decides, then the one saved', async () => {
    const k = key();
    await memory.claim(k, now() + 60);
    expect(await memory.firstAnswer(k)).toBeUndefined();
    await memory.saveAnswer(k, now() + 60, { decision: 'APPROVED', n: 1 });
    expect(await memory.firstAnswer(k)).toEqual({ decision: 'APPROVED', n: 1 });
    expect(await memory.firstAnswer(key())).toBeUndefined();
  });

  it('saving an answer whose claim was lost creates the claim', async () => {
    const k = key();
    await memory.saveAnswer(k, now() + 60, { decision: 'DECLINED', n: 2 });
    expect(await memory.claim(k, now() + 60)).toBe('replay');
    expect(await memory.firstAnswer(k)).toEqual({ decision: 'DECLINED', n: 2 });
  });

  it('treats an expired claim as free (DynamoDB removes TTL items lazily), without its old answer', async () => {
    const k = key();
    await memory.claim(k, now() - 10);
    await memory.saveAnswer(k, now() + 60, { decision: 'APPROVED', n: 3 });
    // Saving the answer kept the claim's expiry: the claim is still expired.
    expect(await memory.claim(k, now() + 60)).toBe('first');
    expect(await memory.firstAnswer(k)).toBeUndefined();
    expect(await memory.claim(k, now() + 60)).toBe('replay');
  });

  it('lets only one of two racing claims be first', async () => {
    const k = key();
    const claims = await Promise.all([memory.claim(k, now() + 60), memory.claim(k, now() + 60)]);
    expect(claims.sort()).toEqual(['first', 'replay']);
  });
}
