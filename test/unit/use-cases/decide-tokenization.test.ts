import { loadRuleSet } from '../../../shared/decision/rule-sets';
import type { RuleSet } from '../../../shared/domain/decision';
import { type DecideDeps, decideTokenization } from '../../../shared/use-cases/decide-tokenization';
import { DECISION_SCENARIOS } from '../../../local/pismo-scenarios';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';
import { ingestPismoEvent } from '../../../shared/use-cases/ingest-pismo-event';
import { eventLike } from '../../fixtures/pismo-events';

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
    store.beforeDecisionStoreCall = () => new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    const result = await decideTokenization(scenario('mdes-green'), { ...deps, storeTimeoutMs: 50 });
    expect(result.response).toMatchObject({ decision: 'DECLINED', reason_codes: ['STORE_UNAVAILABLE'] });
    expect(result.record.storeFailure).toBe('READ_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(400);
  });
});
