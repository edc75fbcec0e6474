import { DECISION_DEFAULTS } from '../../../shared/config';
import { loadRuleSet, parseRuleSet } from '../../../shared/decision/rule-sets';
import { type DecideDeps, decideTokenization } from '../../../shared/decision/decide-tokenization';
import { decide, type DecisionSignals } from '../../../shared/domain/decision';
import { DECISION_SCENARIOS } from '../../../local/pismo-simulator/scenarios';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';
import defaultV1 from '../../../shared/decision/rule-sets/default-v1.json';
import defaultV2 from '../../../shared/decision/rule-sets/default-v2.json';

/** ADR 0035: a rule may waive ID&V (issue 16: a provisioning from the issuer's app is green). */
const v1 = loadRuleSet('default-v1');
const v2 = loadRuleSet('default-v2');
const app = { panSource: 'APP', cardStatus: 'NORMAL' } as const satisfies DecisionSignals;

type Nd = { de124_member_defined_data: { mdes_data: { token_authorization: Record<string, unknown> } } };
const ta = (request: Record<string, unknown>) =>
  (request.original_network_data as Nd).de124_member_defined_data.mdes_data.token_authorization;
/** The MDES green scenario (PAN source 3 "via application", wallet recommends approve) with device score 1. */
const appWithWeakDevice = (tokenId: number) => {
  const request = structuredClone(DECISION_SCENARIOS.find((s) => s.name === 'mdes-green')?.request ?? {});
  request.token_id = tokenId;
  Object.assign(ta(request), { sf9_wallet_provider_device_score: '1' });
  expect(ta(request)).toMatchObject({
    sf2_primary_account_number_source: '3',
    sf7_wallet_provider_token_recomendation: '1',
  });
  return request;
};

describe('default-v2: issuer-app provisioning waives ID&V', () => {
  it('is the default rule set', () => {
    expect(DECISION_DEFAULTS.ruleSet).toBe('default-v2');
  });

  it('approves via-application with a weak device score, with both reasons and the waiving rule', () => {
    const d = decide(v2, { ...app, walletDeviceScore: 1 });
    expect(d.outcome).toBe('APPROVE');
    expect(d.reasonCodes).toEqual(['DEVICE_SCORE', 'ISSUER_APP']);
    expect(d.waivedBy).toEqual(['issuer-app-provisioning']);
    expect(d.firedRules).toEqual([
      { id: 'device-score-low', outcome: 'REQUIRE_ID_AND_V', reasonCode: 'DEVICE_SCORE' },
      { id: 'issuer-app-provisioning', outcome: 'APPROVE', reasonCode: 'ISSUER_APP', waivesIdAndV: true },
    ]);
  });

  it('waives every ID&V reason that fired (weak scores, soft velocity, country mismatch), listing them all', () => {
    const d = decide(v2, {
      ...app,
      walletDeviceScore: 1,
      walletAccountScore: 1,
      tokensProvisionedRecently: 3,
      deviceCountryMismatch: true,
    });
    expect(d).toMatchObject({ outcome: 'APPROVE', waivedBy: ['issuer-app-provisioning'] });
    expect(d.reasonCodes).toEqual(['VELOCITY', 'DEVICE_SCORE', 'ACCOUNT_SCORE', 'COUNTRY_MISMATCH', 'ISSUER_APP']);
  });

  it.each([
    ['a blocked card', { cardStatus: 'BLOCKED' }, ['CARD_STATUS']],
    ['Pismo custom codes', { customCodes: ['X1'] }, ['PISMO_CUSTOM_CODE']],
    ['the OTP limit', { otpMaxReached: true }, ['OTP_MAX_REACHED']],
    ['hard velocity', { tokensProvisionedRecently: 6 }, ['VELOCITY']],
    ['a high Visa score', { network: 'VTS', visaTokenScore: 90 }, ['NETWORK_RISK_SCORE']],
  ] as const)('never lowers a decline: via-application with %s is declined', (_, extra, reasons) => {
    const d = decide(v2, { ...app, walletDeviceScore: 1, ...extra } as DecisionSignals);
    expect(d.outcome).toBe('DECLINE');
    expect(d.reasonCodes).toEqual(reasons);
    expect(d.waivedBy).toBeUndefined();
  });

  it.each([['MANUAL'], ['ON_FILE'], ['OTHER'], [undefined]] as const)(
    'still asks for ID&V when the PAN source is %s and the device score is weak',
    (panSource) => {
      const d = decide(v2, { cardStatus: 'NORMAL', panSource, walletDeviceScore: 1 });
      expect(d.outcome).toBe('REQUIRE_ID_AND_V');
      expect(d.reasonCodes).toContain('DEVICE_SCORE');
      expect(d.reasonCodes).not.toContain('ISSUER_APP');
      expect(d.waivedBy).toBeUndefined();
    },
  );

  it("never more permissive than the wallet: the wallet's own ID&V or decline recommendation is followed", () => {
    const idv = decide(v2, { ...app, walletDeviceScore: 1, walletRecommendation: 'REQUIRE_ID_AND_V' });
    expect(idv).toMatchObject({ outcome: 'REQUIRE_ID_AND_V', reasonCodes: ['DEVICE_SCORE', 'WALLET_RECOMMENDATION'] });
    expect(idv.waivedBy).toBeUndefined();
    const red = decide(v2, { ...app, walletRecommendation: 'DECLINE' });
    expect(red).toMatchObject({ outcome: 'DECLINE', reasonCodes: ['WALLET_RECOMMENDATION'] });
    expect(red.waivedBy).toBeUndefined();
  });

  it('records no waiver when nothing asked for ID&V (a plain green issuer-app provisioning)', () => {
    const d = decide(v2, app);
    expect(d).toMatchObject({ outcome: 'APPROVE', reasonCodes: ['ISSUER_APP'] });
    expect(d.waivedBy).toBeUndefined();
  });
});

describe('default-v1 keeps its meaning', () => {
  it('still asks for ID&V on via-application with a weak device score (its rule does not waive)', () => {
    const d = decide(v1, { ...app, walletDeviceScore: 1 });
    expect(d).toMatchObject({ outcome: 'REQUIRE_ID_AND_V', reasonCodes: ['DEVICE_SCORE'] });
    expect(d.waivedBy).toBeUndefined();
  });

  it('default-v2 is default-v1 plus waivesIdAndV on issuer-app-provisioning (rules otherwise identical)', () => {
    const strip = (rules: typeof v1.rules) => rules.map(({ description: _d, waivesIdAndV: _w, ...r }) => r);
    expect(strip(v2.rules)).toEqual(strip(v1.rules));
    expect(v2.rules.filter((r) => r.waivesIdAndV).map((r) => r.id)).toEqual(['issuer-app-provisioning']);
    expect(v1.rules.some((r) => 'waivesIdAndV' in r)).toBe(false);
    expect([v1.version, v2.version]).toEqual(['default-v1', 'default-v2']);
    expect(v2.activationMethods).toEqual(v1.activationMethods);
    expect(v2.velocityWindowHours).toBe(v1.velocityWindowHours);
  });
});

describe('rule-set schema: waivesIdAndV', () => {
  const withRule = (rule: Record<string, unknown>) => ({ ...structuredClone(defaultV2), rules: [rule] });
  const rule = { id: 'r', description: '', when: [{ signal: 'panSource', op: 'eq', value: 'APP' }], reasonCode: 'R' };

  it('refuses it on a rule whose outcome is not APPROVE (a decline or ID&V rule cannot waive)', () => {
    for (const outcome of ['DECLINE', 'REQUIRE_ID_AND_V'])
      expect(() => parseRuleSet(withRule({ ...rule, outcome, waivesIdAndV: true }))).toThrow(
        /rule r waives ID&V but its outcome is not APPROVE/,
      );
  });

  it('refuses a non-boolean and accepts it on an APPROVE rule', () => {
    expect(() => parseRuleSet(withRule({ ...rule, outcome: 'APPROVE', waivesIdAndV: 'yes' }))).toThrow(/waivesIdAndV/);
    expect(parseRuleSet(withRule({ ...rule, outcome: 'APPROVE', waivesIdAndV: true })).rules[0]?.waivesIdAndV).toBe(
      true,
    );
    expect(parseRuleSet(defaultV1).version).toBe('default-v1');
  });

  it('a waivesIdAndV: false rule waives nothing', () => {
    const rs = parseRuleSet({
      ...structuredClone(defaultV2),
      rules: defaultV2.rules.map((r) => ({ ...r, waivesIdAndV: false })),
    });
    expect(decide(rs, { ...app, walletDeviceScore: 1 }).outcome).toBe('REQUIRE_ID_AND_V');
  });
});

describe('decideTokenization with default-v2: the record shows the waiver', () => {
  let store: MemoryTokenStore;
  let deps: DecideDeps;
  beforeEach(() => {
    store = new MemoryTokenStore();
    deps = { store, liveRuleSet: v2, failMode: 'DECLINE', storeTimeoutMs: 200 };
  });

  it('answers APPROVED with both reasons, no activation methods, and records waivedBy', async () => {
    const { response, record } = await decideTokenization(appWithWeakDevice(27101), deps);
    expect(response).toMatchObject({
      decision: 'APPROVED',
      reason_codes: ['DEVICE_SCORE', 'ISSUER_APP'],
      rule_set_version: 'default-v2',
      activation_methods: [],
    });
    expect(record.waivedBy).toEqual(['issuer-app-provisioning']);
    const stored = store.decisions.get('T#27101')?.[0];
    expect(stored).toMatchObject({
      decision: 'APPROVED',
      reasonCodes: ['DEVICE_SCORE', 'ISSUER_APP'],
      waivedBy: ['issuer-app-provisioning'],
      ruleSetVersion: 'default-v2',
    });
    expect(stored?.firedRules).toContainEqual({
      id: 'issuer-app-provisioning',
      outcome: 'APPROVE',
      reasonCode: 'ISSUER_APP',
      waivesIdAndV: true,
    });
  });

  it('still declines a blocked card from the issuer app, with no waiver recorded', async () => {
    const request = appWithWeakDevice(27102);
    (request.card as Record<string, unknown>).status = 'BLOCKED';
    const { response, record } = await decideTokenization(request, deps);
    expect(response).toMatchObject({ decision: 'DECLINED', reason_codes: ['CARD_STATUS'] });
    expect(record).not.toHaveProperty('waivedBy');
  });

  it('still asks for ID&V when the PAN was keyed in (SF2 2) with the same weak device score', async () => {
    const request = appWithWeakDevice(27103);
    ta(request).sf2_primary_account_number_source = '2';
    const { response, record } = await decideTokenization(request, deps);
    expect(response.decision).toBe('REQUIRE_ADDITIONAL_AUTHENTICATION');
    expect(response.reason_codes).toEqual(['DEVICE_SCORE', 'PAN_SOURCE_MANUAL']);
    expect(record).not.toHaveProperty('waivedBy');
  });

  it('records no waiver when the store fails and the DECLINE fail mode answers', async () => {
    store.beforeDecisionStoreCall = () => Promise.reject(new Error('down'));
    const { response, record } = await decideTokenization(appWithWeakDevice(27104), deps);
    expect(response).toMatchObject({ decision: 'DECLINED', reason_codes: ['STORE_UNAVAILABLE'] });
    expect(record.waivedBy).toBeUndefined();
  });

  it('shadow mode: a live default-v1 asks for ID&V while the shadow default-v2 records its waiver', async () => {
    deps = { ...deps, liveRuleSet: v1, shadowRuleSet: v2 };
    const { response, record } = await decideTokenization(appWithWeakDevice(27105), deps);
    expect(response.decision).toBe('REQUIRE_ADDITIONAL_AUTHENTICATION');
    expect(record.waivedBy).toBeUndefined();
    expect(record.shadow).toEqual({
      ruleSetVersion: 'default-v2',
      decision: 'APPROVED',
      reasonCodes: ['DEVICE_SCORE', 'ISSUER_APP'],
      firedRules: [{ id: 'device-score-low' }, { id: 'issuer-app-provisioning' }],
      waivedBy: ['issuer-app-provisioning'],
    });
  });

  it('shadow mode: a shadow that waives nothing records no waivedBy', async () => {
    deps = { ...deps, liveRuleSet: v2, shadowRuleSet: v1 };
    const { response, record } = await decideTokenization(appWithWeakDevice(27106), deps);
    expect(response.decision).toBe('APPROVED');
    expect(record.shadow?.decision).toBe('REQUIRE_ADDITIONAL_AUTHENTICATION');
    expect(record.shadow).not.toHaveProperty('waivedBy');
  });
});
