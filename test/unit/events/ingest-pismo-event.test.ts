import fc from 'fast-check';
import { ConcurrencyError, ValidationError } from '../../../shared/domain/errors';
import { REDACTED } from '../../../shared/domain/redaction';
import { reportIngestOutcome } from '../../../shared/events/report-outcome';
import type { Observability } from '../../../shared/adapters/observability/powertools';
import { ingestPismoEvent, STATE_RETRY } from '../../../shared/events/ingest-pismo-event';
import type { IdvWorkflowPort } from '../../../shared/adapters/aws/idv-workflow';
import { fakeOtpSealer } from '../../fixtures/fake-otp-sealer';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';
import {
  addUnknownFieldsEverywhere,
  DOCUMENTED_EVENT_NAMES,
  documentedEvent,
  eventLike,
  seedEvent,
  seedEventNames,
} from '../../../local/seed/pismo-events';

/** A workflow port that records the challenges it was asked to start. */
function recordingWorkflow(): IdvWorkflowPort & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    start: async ({ challengeId }) => {
      started.push(challengeId);
      return 'started';
    },
    resume: async () => true,
  };
}

/** Every stored timeline entry, flattened. */
function entriesOf(store: MemoryTokenStore) {
  return [...store.timelines.values()].flatMap((t) => [...t.values()]);
}

/**
 * Store integrity: every token state's fields were written by events that are on its timeline
 * (a state without its timeline entry is what a crash after the state write leaves behind).
 */
function statesWithoutTimeline(store: MemoryTokenStore): string[] {
  const problems: string[] = [];
  for (const [tokenId, { state }] of store.states) {
    const onTimeline = new Set([...(store.timelines.get(`T#${tokenId}`)?.values() ?? [])].map((e) => e.eventId));
    for (const clock of Object.values(state.clocks)) {
      const eventId = clock.split('#').at(-1) ?? '';
      if (!onTimeline.has(eventId)) problems.push(`${tokenId}: ${eventId}`);
    }
  }
  return problems;
}

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

  describe('contention', () => {
    /** Makes the next `n` state writes lose their race to another writer. */
    function loseRaces(n: number) {
      let lost = 0;
      store.beforePutState = () => {
        if (lost++ >= n) return;
        const current = store.states.get('17556');
        if (current) store.states.set('17556', { ...current, version: current.version + 1 });
      };
    }

    it('backs off with full jitter and applies after more lost races than the old 5 attempts allowed', async () => {
      await ingestPismoEvent(seedEvent('mdes-ta'), { store });
      loseRaces(8);
      const delays: number[] = [];
      const out = await ingestPismoEvent(seedEvent('mdes-tc'), {
        store,
        sleep: async (ms) => void delays.push(ms),
        random: () => 0.5,
      });
      expect(out).toMatchObject({ outcome: 'applied', tokenStatus: 'active' });
      // Half of min(cap, base·2^n): growing, capped.
      expect(delays).toEqual([10, 20, 40, 80, 160, 320, 500, 500]);
    });

    it('gives up with a retryable ConcurrencyError within the sleep budget, with nothing written', async () => {
      await ingestPismoEvent(seedEvent('mdes-ta'), { store });
      const timelineBefore = store.timelines.get('T#17556')?.size;
      loseRaces(Number.POSITIVE_INFINITY);
      const delays: number[] = [];
      const err = await ingestPismoEvent(seedEvent('mdes-tc'), {
        store,
        sleep: async (ms) => void delays.push(ms),
        random: () => 0.999,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConcurrencyError);
      expect((err as ConcurrencyError).statusCode).toBe(503);
      expect(delays.length).toBeLessThan(STATE_RETRY.maxAttempts);
      expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(STATE_RETRY.budgetMs);
      expect(store.states.get('17556')?.state.status).toBe('requested');
      expect(store.timelines.get('T#17556')?.size).toBe(timelineBefore);
    });
  });

  it('writes nothing for an invalid event and lists the problems', async () => {
    const bad = seedEvent('mdes-ta');
    delete bad.event_id;
    const err = await ingestPismoEvent(bad, { store }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details).toEqual([expect.stringContaining('event_id')]);
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

  describe('documented event shapes', () => {
    it.each(DOCUMENTED_EVENT_NAMES)('accepts and stores %s', async (name) => {
      const out = await ingestPismoEvent(documentedEvent(name), { store });
      expect(out).toMatchObject({ outcome: 'applied', recognized: true, schemaVersion: '1', unknownFields: [] });
      expect(entriesOf(store).map((e) => e.eventId)).toContain(documentedEvent(name).event_id);
    });

    it('applies a patch status through the same merge: DEACTIVATED deletes, a later ACTIVE cannot revive', async () => {
      const at = (s: number) => `2024-05-02T10:00:0${s}.000Z`;
      const patch = (id: string, status: string, s: number) => ({
        ...documentedEvent('patch-1'),
        event_id: id,
        timestamp: at(s),
        data: { account_id: 1, card_id: 2, token_id: 3, patch: { status } },
      });
      await ingestPismoEvent(patch('p1', 'ACTIVE', 1), { store });
      expect(store.states.get('3')?.state.status).toBe('active');
      await ingestPismoEvent(patch('p2', 'DEACTIVATED', 2), { store });
      await ingestPismoEvent(patch('p3', 'ACTIVE', 3), { store });
      expect(store.states.get('3')?.state).toMatchObject({ status: 'deleted', statusEventId: 'p2' });
    });

    it('keeps the network of the token when a patch (which names none) arrives later', async () => {
      await ingestPismoEvent(seedEvent('mdes-tc'), { store });
      const patch = { ...documentedEvent('patch-1'), timestamp: '2021-01-01T00:00:00.000Z' };
      patch.data = { card_id: 4995608, token_id: 17556, patch: { status: 'SUSPENDED' } };
      await ingestPismoEvent(patch, { store });
      expect(store.states.get('17556')?.state).toMatchObject({ status: 'suspended', facts: { network: 'MDES' } });
    });

    it('stores a pan_update on both cards, without a token state', async () => {
      const out = await ingestPismoEvent(documentedEvent('pan-update-1'), { store });
      expect(out).toMatchObject({ outcome: 'applied', tokenId: null, cardId: '42488842' });
      expect(store.timelines.get('C#42488842')?.size).toBe(1);
      expect(store.timelines.get('C#42488843')?.size).toBe(1);
      expect(store.states.size).toBe(0);
      expect((await ingestPismoEvent(documentedEvent('pan-update-1'), { store })).outcome).toBe('duplicate');
    });

    it('stores an unknown event type on its token timeline, recognized false, moving no status', async () => {
      const raw = { ...documentedEvent('patch-1'), event_type: 'token_renamed-1' };
      const out = await ingestPismoEvent(raw, { store });
      expect(out).toMatchObject({ outcome: 'applied', recognized: false, eventType: 'token_renamed' });
      expect([...(store.timelines.get('T#42488842')?.values() ?? [])]).toEqual([
        expect.objectContaining({ eventType: 'token_renamed', recognized: false }),
      ]);
      expect(store.states.get('42488842')?.state.status).toBeUndefined();
    });
  });

  describe('ID&V delivery', () => {
    it.each([
      ['a notification carrying data.send_challenge', () => documentedEvent('notification-1'), '123456'],
      ['a send_challenge event', () => documentedEvent('send-challenge-1'), '948472'],
      ['an MDES AC (as before)', () => seedEvent('mdes-ac'), '523894'],
    ])('starts delivery for %s like AC does', async (_name, build, code) => {
      const workflow = recordingWorkflow();
      const raw = build();
      const otpSealer = fakeOtpSealer();
      const out = await ingestPismoEvent(raw, { store, workflow, otpSealer });
      expect(out.challenge).toMatchObject({ status: 'PENDING', workflow: 'started' });
      expect(workflow.started).toEqual([`ch-${String(raw.event_id)}`]);
      const [challenge] = [...store.challenges.values()];
      expect(challenge).toMatchObject({ method: 'SMS', sealedOtp: expect.any(String) });
      expect(challenge).not.toHaveProperty('otp');
      const binding = { challengeId: String(challenge?.challengeId), tokenId: String(challenge?.tokenId) };
      await expect(otpSealer.open(String(challenge?.sealedOtp), binding)).resolves.toBe(code);
      expect(JSON.stringify([...store.challenges.values()])).not.toContain(code);
      expect(JSON.stringify(entriesOf(store))).not.toContain(code);
    });

    it('never stores a code it cannot seal: the challenge fails with CODE_NOT_SEALED', async () => {
      const workflow = recordingWorkflow();
      const out = await ingestPismoEvent(seedEvent('mdes-ac'), { store, workflow });
      expect(out.challenge).toMatchObject({ status: 'FAILED', workflow: 'none' });
      const [challenge] = [...store.challenges.values()];
      expect(challenge).toMatchObject({ failure: 'CODE_NOT_SEALED' });
      expect(challenge?.sealedOtp).toBeUndefined();
    });

    it('does not start delivery for a TA without send_challenge', async () => {
      const workflow = recordingWorkflow();
      const out = await ingestPismoEvent(seedEvent('mdes-ta'), { store, workflow });
      expect(out.challenge).toBeUndefined();
      expect(workflow.started).toEqual([]);
    });
  });

  describe('unknown fields', () => {
    it('accepts 5 unknown fields at every level, keeps them in the stored payload redacted, and reports them', async () => {
      const raw = documentedEvent('notification-1');
      const added = addUnknownFieldsEverywhere(raw);
      (raw.data as Record<string, unknown>).future_card = '4111111111111111';
      (raw.data as Record<string, unknown>).cvv2 = '123';
      const out = await ingestPismoEvent(raw, { store });
      expect(out.outcome).toBe('applied');
      expect(out.unknownFields).toEqual(expect.arrayContaining(['future_field_0', 'data.future_field_4']));
      const [entry] = entriesOf(store);
      const payload = entry?.payload ?? '';
      for (const value of added.values()) expect(payload).toContain(JSON.stringify(value));
      expect(payload).toContain('"future_card":"******1111"');
      expect(payload).toContain(`"cvv2":"${REDACTED}"`);
      expect(payload).not.toContain('4111111111111111');
      expect(entry?.unknownFields).toEqual(out.unknownFields);
    });
  });

  describe('privacy of the stored event', () => {
    it('drops device IP, GPS and MDES location, wallet account hashes and hardware ids', async () => {
      await ingestPismoEvent(seedEvent('vts-approve-provisioning'), { store });
      await ingestPismoEvent(seedEvent('mdes-ta'), { store });
      const stored = JSON.stringify([...entriesOf(store), ...[...store.states.values()]]);
      for (const value of [
        '189.121.201.167',
        '-19.9388/-43.9327',
        'DF7C1D317DF3A83838BBAB39F0844FD86F42774EA17AEB06C500DEB95345199B',
        '135E2B5D3',
        'FD8F4942',
        '123CCB2F30BA420B89F9BD5E7151540EE44DDDB8B5140CDEA34AA61F625EF215',
        '02:00:00:00:00:00',
        '8425434b344e3034',
      ]) {
        expect(stored).not.toContain(value);
      }
      expect(stored).toContain('deviceCountry'); // the coarse location is kept
    });
  });

  describe('hostile bodies (crash safety)', () => {
    it('refuses arrays nested 3,000 deep before anything is written', async () => {
      let deep: unknown = 1;
      for (let i = 0; i < 3000; i++) deep = [deep];
      const raw = seedEvent('mdes-tc');
      (raw.data.network_data as Record<string, unknown>).x = deep;
      await expect(ingestPismoEvent(raw, { store })).rejects.toBeInstanceOf(ValidationError);
      expect({ reads: store.reads, writes: store.writes }).toEqual({ reads: 0, writes: 0 });
    });

    it('leaves no token state without its timeline entry, whatever the input (property)', async () => {
      const bases = [...seedEventNames().map(seedEvent), ...DOCUMENTED_EVENT_NAMES.map(documentedEvent)];
      const hostile = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.integer({ min: 20, max: 4000 }).map((depth) => {
          let v: unknown = 'x';
          for (let i = 0; i < depth; i++) v = depth % 2 ? [v] : { v };
          return v;
        }),
        fc.string({ maxLength: 2000 }),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(bases.length - 1), fc.nat(), hostile, fc.boolean(), async (b, where, value, asKey) => {
          const raw = structuredClone(bases[b]) as Record<string, unknown> & { data: Record<string, unknown> };
          raw.event_id = `fuzz-${run++}`;
          const objects: Record<string, unknown>[] = [];
          const stack: unknown[] = [raw];
          for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
            if (v && typeof v === 'object' && !Array.isArray(v)) objects.push(v as Record<string, unknown>);
            if (v && typeof v === 'object') stack.push(...Object.values(v));
          }
          const target = objects[where % objects.length] ?? raw;
          const keys = Object.keys(target);
          const key = asKey || keys.length === 0 ? `fuzz_${where % 7}` : (keys[where % keys.length] ?? 'k');
          target[key] = value;
          await ingestPismoEvent(raw, { store }).catch((e: unknown) => {
            if (!(e instanceof ValidationError)) throw e;
          });
          expect(statesWithoutTimeline(store)).toEqual([]);
        }),
        { numRuns: 300 },
      );
      expect(store.states.size).toBeGreaterThan(0);
    });
  });
});

describe('reportIngestOutcome', () => {
  function fakeObservability() {
    const metrics: [string, number][] = [];
    const warnings: string[] = [];
    const obs = {
      metrics: { addMetric: (name: string, _unit: string, value: number) => void metrics.push([name, value]) },
      logger: { info: () => undefined, warn: (message: string) => void warnings.push(message) },
    } as unknown as Observability;
    return { obs, metrics, warnings };
  }

  it('counts unknown fields and unknown event types', async () => {
    const store = new MemoryTokenStore();
    const raw = { ...documentedEvent('patch-1'), event_type: 'token_renamed-1', surprise: 1 };
    const outcome = await ingestPismoEvent(raw, { store });
    const { obs, metrics, warnings } = fakeObservability();
    reportIngestOutcome(obs, outcome, 'http');
    expect(metrics).toEqual(
      expect.arrayContaining([
        ['EventsApplied', 1],
        ['UnknownEventType', 1],
        ['UnknownEventFields', 1],
      ]),
    );
    expect(warnings).toEqual(['unknown event type stored', 'unknown event fields kept']);
  });

  it('counts an unknown call method of a known type apart', async () => {
    const raw = eventLike('vts-get-cvm', { eventId: 'm-1' });
    raw.data.network_call_method = 'VTS_FUTURE';
    const outcome = await ingestPismoEvent(raw, { store: new MemoryTokenStore() });
    const { obs, metrics } = fakeObservability();
    reportIngestOutcome(obs, outcome, 'sqs');
    expect(metrics).toEqual([
      ['EventsApplied', 1],
      ['UnknownCallMethod', 1],
    ]);
  });
});
