import { ConcurrencyError, ValidationError } from '../../../shared/domain/errors';
import { ingestPismoEvent } from '../../../shared/use-cases/ingest-pismo-event';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';
import { eventLike, seedEvent } from '../../fixtures/pismo-events';

describe('ingestPismoEvent', () => {
  let store: MemoryTokenStore;
  beforeEach(() => {
    store = new MemoryTokenStore();
  });

  it('applies a new event with one read and two writes', async () => {
    const out = await ingestPismoEvent(seedEvent('mdes-ta'), { store });
    expect(out).toMatchObject({ outcome: 'applied', tokenId: '17556', tokenStatus: 'requested', stateChanged: true });
    expect({ reads: store.reads, writes: store.writes }).toEqual({ reads: 1, writes: 2 });
  });

  it('reports a redelivery as duplicate without rewriting the state', async () => {
    await ingestPismoEvent(seedEvent('mdes-ta'), { store });
    const version = store.states.get('17556')?.version;
    const out = await ingestPismoEvent(seedEvent('mdes-ta'), { store });
    expect(out).toMatchObject({ outcome: 'duplicate', stateChanged: false });
    expect(store.states.get('17556')?.version).toBe(version);
    expect(store.timelines.get('T#17556')?.size).toBe(1);
  });

  it('completes on redelivery after a crash between the state and the timeline write', async () => {
    store.beforeAddTimeline = () => {
      throw new Error('crash');
    };
    await expect(ingestPismoEvent(seedEvent('mdes-tc'), { store })).rejects.toThrow('crash');
    expect(store.states.get('17556')?.state.status).toBe('active');
    store.beforeAddTimeline = undefined;
    const out = await ingestPismoEvent(seedEvent('mdes-tc'), { store });
    expect(out.outcome).toBe('applied');
    expect(store.timelines.get('T#17556')?.size).toBe(1);
  });

  it('re-reads and merges when another writer changed the token in between', async () => {
    await ingestPismoEvent(seedEvent('mdes-ta'), { store });
    let raced = false;
    store.beforePutState = async () => {
      if (raced) return;
      raced = true;
      // A competing container applies TC between our read and our write.
      const competitor = new MemoryTokenStore();
      await ingestPismoEvent(seedEvent('mdes-tc'), { store: competitor });
      const current = store.states.get('17556');
      const tc = competitor.states.get('17556');
      if (current && tc) store.states.set('17556', { state: tc.state, version: current.version + 1 });
    };
    const out = await ingestPismoEvent(seedEvent('mdes-ac'), { store });
    expect(out.outcome).toBe('applied');
    const state = store.states.get('17556')?.state;
    expect(state?.status).toBe('active'); // TC (later) wins over AC
    expect(state?.facts.maskedDestination).toBe('(###)###7728'); // AC's facts were merged, not lost
  });

  it('gives up with a retryable error when contention never ends', async () => {
    await ingestPismoEvent(seedEvent('mdes-ta'), { store });
    store.beforePutState = () => {
      const current = store.states.get('17556');
      if (current) store.states.set('17556', { ...current, version: current.version + 1 });
    };
    await expect(ingestPismoEvent(seedEvent('mdes-tc'), { store })).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('writes nothing for an invalid event and lists the problems', async () => {
    const bad = seedEvent('mdes-ta');
    delete bad.data.card_id;
    const err = await ingestPismoEvent(bad, { store }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details).toEqual([expect.stringContaining('data.card_id')]);
    expect({ reads: store.reads, writes: store.writes }).toEqual({ reads: 0, writes: 0 });
  });

  it('stores an unknown call method on the timeline and reports it', async () => {
    const raw = eventLike('vts-get-cvm', { eventId: 'new-method-1' });
    raw.data.network_call_method = 'VTS_FUTURE_THING';
    const out = await ingestPismoEvent(raw, { store });
    expect(out).toMatchObject({ outcome: 'applied', recognized: false, callMethod: 'VTS_FUTURE_THING' });
    const [entry] = store.timelines.get('T#17579')?.values() ?? [];
    expect(entry).toMatchObject({ callMethod: 'VTS_FUTURE_THING', recognized: false });
  });

  it('keeps a refusal on the card timeline without creating a token', async () => {
    const out = await ingestPismoEvent(seedEvent('mdes-te-refusal'), { store });
    expect(out).toMatchObject({ outcome: 'applied', tokenId: null, cardId: '4995608' });
    expect(store.states.size).toBe(0);
    expect(store.timelines.get('C#4995608')?.size).toBe(1);
  });

  it('stores the redacted envelope: no activation code or OTP in the timeline', async () => {
    await ingestPismoEvent(seedEvent('mdes-ac'), { store });
    await ingestPismoEvent(seedEvent('vts-passcode'), { store });
    const everything = JSON.stringify([...store.timelines.values()].map((t) => [...t.values()]));
    expect(everything).not.toContain('523894');
    expect(everything).not.toContain('927945');
    expect(everything).toContain('[REDACTED]');
  });
});
