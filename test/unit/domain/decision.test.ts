import { decide, type RuleSet } from '../../../shared/domain/decision';
import { loadRuleSet, parseRuleSet } from '../../../shared/decision/rule-sets';

const ruleSet: RuleSet = {
  version: 't1',
  description: 'test',
  velocityWindowHours: 24,
  activationMethods: ['OTP_SMS'],
  rules: [
    {
      id: 'blocked',
      description: '',
      when: [{ signal: 'cardStatus', op: 'eq', value: 'BLOCKED' }],
      outcome: 'DECLINE',
      reasonCode: 'CARD_STATUS',
    },
    {
      id: 'manual',
      description: '',
      when: [{ signal: 'panSource', op: 'eq', value: 'MANUAL' }],
      outcome: 'REQUIRE_ID_AND_V',
      reasonCode: 'PAN_SOURCE_MANUAL',
    },
    {
      id: 'low-device',
      description: '',
      when: [{ signal: 'walletDeviceScore', op: 'lte', value: 1 }],
      outcome: 'REQUIRE_ID_AND_V',
      reasonCode: 'DEVICE_SCORE',
    },
    {
      id: 'no-score',
      description: '',
      when: [
        { signal: 'walletDeviceScore', op: 'missing' },
        { signal: 'network', op: 'eq', value: 'MDES' },
      ],
      outcome: 'REQUIRE_ID_AND_V',
      reasonCode: 'NO_SCORE',
    },
  ],
};

describe('decide', () => {
  it('approves when no rule fires and the wallet agrees', () => {
    expect(decide(ruleSet, { network: 'VTS', walletRecommendation: 'APPROVE' })).toEqual({
      outcome: 'APPROVE',
      ruleSetVersion: 't1',
      firedRules: [],
      reasonCodes: [],
    });
  });

  it('lists every rule that fired and takes the most severe outcome', () => {
    const d = decide(ruleSet, { cardStatus: 'BLOCKED', panSource: 'MANUAL', walletDeviceScore: 1 });
    expect(d.outcome).toBe('DECLINE');
    expect(d.firedRules.map((r) => r.id)).toEqual(['blocked', 'manual', 'low-device']);
    expect(d.reasonCodes).toEqual(['CARD_STATUS']);
  });

  it('is never more permissive than the wallet recommendation', () => {
    expect(decide(ruleSet, { walletRecommendation: 'DECLINE', walletDeviceScore: 5 })).toMatchObject({
      outcome: 'DECLINE',
      reasonCodes: ['WALLET_RECOMMENDATION'],
    });
    expect(decide(ruleSet, { walletRecommendation: 'REQUIRE_ID_AND_V', panSource: 'MANUAL' })).toMatchObject({
      outcome: 'REQUIRE_ID_AND_V',
      reasonCodes: ['PAN_SOURCE_MANUAL', 'WALLET_RECOMMENDATION'],
    });
  });

  it('treats a missing signal as not matching, except for the missing operator', () => {
    expect(decide(ruleSet, { network: 'VTS' }).firedRules).toEqual([]);
    expect(decide(ruleSet, { network: 'MDES' }).firedRules.map((r) => r.id)).toEqual(['no-score']);
  });
});

describe('rule sets', () => {
  it('loads the bundled default rule set', () => {
    expect(loadRuleSet('default-v1')).toMatchObject({
      version: 'default-v1',
      rules: expect.arrayContaining([expect.objectContaining({ id: 'card-not-normal' })]),
    });
  });

  it('refuses an unknown name, naming the bundled ones', () => {
    expect(() => loadRuleSet('nope')).toThrow(/default-v1/);
  });

  it('refuses a rule on an unknown signal, a bad operator value or a duplicate id', () => {
    const base = { version: 'x', description: '', velocityWindowHours: 1, activationMethods: [] };
    const rule = { id: 'a', description: '', outcome: 'DECLINE', reasonCode: 'A' };
    expect(() => parseRuleSet({ ...base, rules: [{ ...rule, when: [{ signal: 'pan', op: 'present' }] }] })).toThrow(
      /rules\.0\.when\.0/,
    );
    expect(() =>
      parseRuleSet({ ...base, rules: [{ ...rule, when: [{ signal: 'activeTokens', op: 'gte', value: 'ten' }] }] }),
    ).toThrow(/invalid rule set/);
    const ok = { ...rule, when: [{ signal: 'activeTokens', op: 'gte', value: 10 }] };
    expect(() => parseRuleSet({ ...base, rules: [ok, ok] })).toThrow(/duplicate rule id a/);
  });
});
