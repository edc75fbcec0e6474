import { loadRuleSet } from '../../../shared/decision/rule-sets';
import type { RuleSet } from '../../../shared/domain/decision';
import {
  type DecideDeps,
  type DecisionCall,
  decideTokenization,
  type PismoDecisionResponse,
} from '../../../shared/decision/decide-tokenization';
import { DECISION_SCENARIOS } from '../../../local/pismo-simulator/scenarios';
import { MemoryReplayMemory } from '../../fixtures/memory-replay-memory';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';
import { ingestPismoEvent } from '../../../shared/events/ingest-pismo-event';
import { eventLike } from '../../../local/seed/pismo-events';

const live = loadRuleSet('default-v1');
const scenario = (name: string) => {
  const s = DECISION_SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(name);
  return structuredClone(s.request);
};

describe('decideTokenization', () => {
  let store: MemoryTokenStore;
  let deps: DecideDeps;
  beforeEach(() => {
    store = new MemoryTokenStore();
    deps = { store, liveRuleSet: live, failMode: 'DECLINE', storeTimeoutMs: 200 };
  });

  it.each(DECISION_SCENARIOS.map((s) => [s.name, s.expected, s.changes] as const))(
    'decides %s as %s (%s)',
    async (name, expected) => {
      const { response, record } = await decideTokenization(scenario(name), deps);
      expect(response.decision).toBe(expected);
      expect(response.rule_set_version).toBe('default-v1');
      expect(record).toMatchObject({ decision: expected, ruleSetVersion: 'default-v1', latencyMs: expect.any(Number) });
      if (expected !== 'APPROVED') expect(response.reason_codes.length).toBeGreaterThan(0);
      expect(store.decisions.get(`T#${String(scenario(name).token_id)}`)?.[0]?.decisionId).toBe(response.decision_id);
    },
  );

  it('explains the yellow MDES path with the rules that fired and offers the activation methods', async () => {
    const { response, record } = await decideTokenization(scenario('mdes-yellow'), deps);
    expect(record.firedRules.map((r) => r.id)).toEqual(['device-score-low', 'pan-keyed-manually']);
    expect(response.reason_codes).toEqual(['DEVICE_SCORE', 'PAN_SOURCE_MANUAL', 'WALLET_RECOMMENDATION']);
    expect(response.activation_methods).toEqual([
      { type: 'OTP_SMS', destination: null },
      { type: 'OTP_EMAIL', destination: null },
      { type: 'CALL_CENTER', destination: null },
    ]);
  });

  it('looks the contacts up while the store is queried when the wallet already asks for ID&V', async () => {
    // The store answers only once the phone lookup has run: sequential code would time out and decline.
    const order: string[] = [];
    let storeStarted: () => void = () => undefined;
    const started = new Promise<void>((r) => (storeStarted = r));
    let releaseStore: () => void = () => undefined;
    const released = new Promise<void>((r) => (releaseStore = r));
    const list = store.listTokensOfCard.bind(store);
    store.listTokensOfCard = async (...args) => {
      order.push('store query started');
      storeStarted();
      await released;
      order.push('store query done');
      return list(...args);
    };
    deps.contacts = {
      mobilePhone: async () => {
        order.push('phone lookup started');
        await started;
        releaseStore();
        return '+5511987657728';
      },
      email: async () => 'ana@example.com',
    };
    const { response } = await decideTokenization(scenario('mdes-yellow'), deps);
    expect(order).toEqual(['phone lookup started', 'store query started', 'store query done']);
    expect(response.decision).toBe('REQUIRE_ADDITIONAL_AUTHENTICATION');
    expect(response.activation_methods[0]).toEqual({ type: 'OTP_SMS', destination: expect.stringMatching(/7728$/) });
    // A wallet that approves: no lookup unless the rules ask for ID&V.
    order.length = 0;
    store.listTokensOfCard = list;
    await decideTokenization(scenario('mdes-green'), deps);
    expect(order).not.toContain('phone lookup started');
  });

  it('counts tokens provisioned for the card within the window (velocity) from the store', async () => {
    for (let i = 0; i < 6; i++) {
      await ingestPismoEvent(
        eventLike('mdes-ta', { eventId: `v${i}`, tokenId: 900 + i, timestamp: new Date().toISOString() }),
        { store },
      );
    }
    const { record, response } = await decideTokenization(scenario('mdes-green'), deps);
    expect(record.signals).toMatchObject({ tokensProvisionedRecently: 6 });
    expect(response).toMatchObject({ decision: 'DECLINED', reason_codes: ['VELOCITY'] });
  });

  it('records the shadow rule set decision but returns the live one', async () => {
    const strict: RuleSet = {
      ...live,
      version: 'strict-v2',
      rules: [
        {
          id: 'all',
          description: '',
          when: [{ signal: 'network', op: 'present' }],
          outcome: 'DECLINE',
          reasonCode: 'ALL',
        },
      ],
    };
    const { response, record } = await decideTokenization(scenario('mdes-green'), { ...deps, shadowRuleSet: strict });
    expect(response.decision).toBe('APPROVED');
    expect(record.shadow).toEqual({
      ruleSetVersion: 'strict-v2',
      decision: 'DECLINED',
      reasonCodes: ['ALL'],
      firedRules: [{ id: 'all' }],
    });
  });

  it('declines an invalid request with INVALID_REQUEST and its problems, and records it', async () => {
    const bad = scenario('mdes-green');
    delete bad.card;
    const { response, record } = await decideTokenization(bad, deps);
    expect(response).toMatchObject({
      decision: 'DECLINED',
      reason_codes: ['INVALID_REQUEST'],
      details: [expect.stringContaining('card')],
    });
    expect([...store.decisions.keys()]).toEqual([expect.stringMatching(/^I#\d{4}-\d{2}-\d{2}$/)]);
    expect(record.decision).toBe('DECLINED');
  });

  it.each([
    ['DECLINE', 'DECLINED'],
    ['DEFER', 'NO_DECISION'],
  ] as const)('follows fail mode %s when the store is down', async (failMode, decision) => {
    store.beforeDecisionStoreCall = () => {
      throw new Error('ServiceUnavailable');
    };
    const result = await decideTokenization(scenario('mdes-green'), { ...deps, failMode });
    expect(result).toMatchObject({
      storeFailed: true,
      recordWrite: 'failed',
      response: { decision, reason_codes: ['STORE_UNAVAILABLE'] },
    });
    expect(result.record.storeFailure).toBe('READ_ERROR Error');
  });

  it('treats a store slower than its budget as down', async () => {
    // The store answers only when the test lets it: the decision can come back only through its timeout
    // (no wall-clock assertion, so a busy machine cannot fail it).
    const held: (() => void)[] = [];
    store.beforeDecisionStoreCall = () => new Promise<void>((resolve) => held.push(resolve));
    const result = await decideTokenization(scenario('mdes-green'), { ...deps, storeTimeoutMs: 50 });
    expect(result.response).toMatchObject({ decision: 'DECLINED', reason_codes: ['STORE_UNAVAILABLE'] });
    expect(result.record.storeFailure).toBe('READ_TIMEOUT');
    expect(held.length).toBeGreaterThan(0);
    held.forEach((release) => release());
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const recordsIn = (store: MemoryTokenStore) => [...store.decisions.values()].flat();

describe('decideTokenization with replay memory', () => {
  let store: MemoryTokenStore;
  let memory: MemoryReplayMemory<PismoDecisionResponse>;
  let deps: DecideDeps;
  let n = 0;
  const call = (): DecisionCall => ({ replayKey: `jti-hash-${++n}`, acceptedUntil: Date.now() / 1000 + 60 });
  beforeEach(() => {
    store = new MemoryTokenStore();
    memory = new MemoryReplayMemory<PismoDecisionResponse>();
    deps = { store, liveRuleSet: live, failMode: 'DECIDE', storeTimeoutMs: 200, replay: memory };
  });

  describe('decideTokenization', () => {
    it('answers a replayed token with the first answer and records one decision', async () => {
      const token = call();
      const first = await decideTokenization(scenario('mdes-yellow'), deps, token);
      const again = await decideTokenization(scenario('mdes-yellow'), deps, token);
      expect(first.replayed).toBe(false);
      expect(again).toEqual({ replayed: true, response: first.response });
      expect(recordsIn(store).map((r) => r.decisionId)).toEqual([first.response.decision_id]);
    });

    it('gives concurrent replays of one token the first answer, never a second decision', async () => {
      const token = call();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => decideTokenization(scenario('mdes-green'), deps, token)),
      );
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect(new Set(results.map((r) => r.response.decision_id)).size).toBe(1);
      expect(recordsIn(store)).toHaveLength(1);
    });

    it('replays the first answer of an invalid request too, recorded once', async () => {
      const token = call();
      const first = await decideTokenization({ card: 'nope' }, deps, token);
      const again = await decideTokenization({ card: 'nope' }, deps, token);
      expect(again).toEqual({ replayed: true, response: first.response });
      expect(recordsIn(store)).toHaveLength(1);
    });

    it('decides two different tokens with the same body twice (the memory is per token)', async () => {
      await decideTokenization(scenario('mdes-green'), deps, call());
      await decideTokenization(scenario('mdes-green'), deps, call());
      expect(recordsIn(store)).toHaveLength(2);
    });

    it('answers 409 and decides nothing when the first call of the token has not answered in time', async () => {
      const token = call();
      memory.items.set(token.replayKey, { until: token.acceptedUntil }); // claimed, never answered
      await expect(
        decideTokenization(scenario('mdes-green'), { ...deps, storeTimeoutMs: 30 }, token),
      ).rejects.toMatchObject({
        statusCode: 409,
      });
      expect(recordsIn(store)).toHaveLength(0);
    });

    it('still decides, and says so, when the replay memory is down', async () => {
      memory.before = () => {
        throw new Error('ServiceUnavailable');
      };
      const result = await decideTokenization(scenario('mdes-green'), deps, call());
      expect(result).toMatchObject({ replayed: false, replayMemoryFailed: true, response: { decision: 'APPROVED' } });
      expect(recordsIn(store)).toHaveLength(1);
    });
  });
});

describe('decideTokenization under a slow store (issue 11 §10)', () => {
  let store: MemoryTokenStore;
  const slow = (readMs: () => number, writeMs: () => number): DecideDeps['store'] => ({
    listTokensOfCard: async (cardId, limit) => {
      await sleep(readMs());
      return store.listTokensOfCard(cardId, limit);
    },
    putDecision: async (owner, record) => {
      await sleep(writeMs());
      return store.putDecision(owner, record);
    },
  });
  const depsWith = (s: DecideDeps['store'], failMode: DecideDeps['failMode'] = 'DECIDE'): DecideDeps => ({
    store: s,
    liveRuleSet: live,
    failMode,
    storeTimeoutMs: 50,
  });
  beforeEach(() => {
    store = new MemoryTokenStore();
  });

  describe('decideTokenization', () => {
    it('reports a record write still in flight at the timeout as pending, then as written when it lands', async () => {
      const result = await decideTokenization(
        scenario('mdes-green'),
        depsWith(
          slow(
            () => 0,
            () => 200,
          ),
        ),
      );
      expect(result.recordWrite).toBe('pending');
      expect(result.storeFailed).toBe(false);
      expect(result.record.storeFailure).toBeUndefined();
      expect(recordsIn(store)).toHaveLength(0);
      await expect(result.recordSettled).resolves.toBe('written');
      expect(recordsIn(store).map((r) => r.decisionId)).toEqual([result.response.decision_id]);
    });

    it('reports failed only for a write that really failed, and pending for one that fails late', async () => {
      const failing: DecideDeps['store'] = {
        listTokensOfCard: (cardId, limit) => store.listTokensOfCard(cardId, limit),
        putDecision: async () => {
          throw new Error('ValidationException');
        },
      };
      const failed = await decideTokenization(scenario('mdes-green'), depsWith(failing));
      expect(failed.recordWrite).toBe('failed');
      // The write is held until the decision has answered: it fails after the store timeout, whatever the load.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const lateFailing: DecideDeps['store'] = {
        ...failing,
        putDecision: async () => {
          await held;
          throw new Error('ServiceUnavailable');
        },
      };
      const late = await decideTokenization(scenario('mdes-green'), depsWith(lateFailing));
      expect(late.recordWrite).toBe('pending');
      release();
      await expect(late.recordSettled).resolves.toBe('failed');
    });

    it('decides on the network data when the history read times out (default DECIDE), recording READ_TIMEOUT', async () => {
      const result = await decideTokenization(
        scenario('mdes-green'),
        depsWith(
          slow(
            () => 200,
            () => 0,
          ),
        ),
      );
      expect(result.response).toMatchObject({
        decision: 'APPROVED',
        reason_codes: expect.arrayContaining(['STORE_UNAVAILABLE']),
      });
      expect(result).toMatchObject({ storeFailed: true, recordWrite: 'written' });
      expect(result.record.storeFailure).toBe('READ_TIMEOUT');
      expect(result.record.signals).not.toHaveProperty('tokensProvisionedRecently');
    });

    it('is never more permissive than the wallet when deciding without the history', async () => {
      const result = await decideTokenization(
        scenario('mdes-red'),
        depsWith(
          slow(
            () => 200,
            () => 0,
          ),
        ),
      );
      expect(result.response.decision).toBe('DECLINED');
    });

    it('under 200 concurrent decisions on a browned-out store, declines no one for it and logs only the truth', async () => {
      // Reads and writes take 0-120 ms against a 50 ms budget: most calls hit one timeout or both.
      const jitter = () => Math.random() * 120;
      const deps = depsWith(slow(jitter, jitter));
      const results = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const result = await decideTokenization(scenario('mdes-green'), deps);
          // What the handler would log at this moment must hold at this moment.
          const inStore = recordsIn(store).some((r) => r.decisionId === result.response.decision_id);
          return { result, inStore };
        }),
      );
      expect(results.filter(({ result }) => result.response.decision !== 'APPROVED')).toEqual([]);
      expect(results.some(({ result }) => result.storeFailed)).toBe(true);
      for (const { result, inStore } of results) {
        if (result.recordWrite === 'written') expect(inStore).toBe(true);
        expect(result.recordWrite).not.toBe('failed'); // every write lands: none may be called failed
      }
      const pending = results.filter(({ result }) => result.recordWrite === 'pending');
      expect(pending.length).toBeGreaterThan(0);
      const settled = await Promise.all(results.map(({ result }) => result.recordSettled));
      expect(settled.every((s) => s === 'written')).toBe(true);
      expect(recordsIn(store)).toHaveLength(200);
    });
  });
});
