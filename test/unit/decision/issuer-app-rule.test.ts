import { loadRuleSet } from '../../../shared/decision/rule-sets';
import { decideTokenization } from '../../../shared/decision/decide-tokenization';
import { decide } from '../../../shared/domain/decision';
import { DECISION_SCENARIOS } from '../../../local/pismo-simulator/scenarios';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

/** Issue 16: a provisioning pushed from the issuer's app (PAN source "via application") is green. */
const live = loadRuleSet('default-v1');
const mdesGreen = () => structuredClone(DECISION_SCENARIOS.find((s) => s.name === 'mdes-green')?.request ?? {});
type Nd = { de124_member_defined_data: { mdes_data: { token_authorization: Record<string, unknown> } } };
const ta = (request: Record<string, unknown>) =>
  (request.original_network_data as Nd).de124_member_defined_data.mdes_data.token_authorization;

describe('default-v1: provisioning from the issuer app', () => {
  it('approves it with ISSUER_APP as the reason (MDES PAN source 3 = "Card added via application")', async () => {
    const request = mdesGreen();
    expect(ta(request).sf2_primary_account_number_source).toBe('3');
    const deps = {
      store: new MemoryTokenStore(),
      liveRuleSet: live,
      failMode: 'DECLINE' as const,
      storeTimeoutMs: 200,
    };
    const { response, record } = await decideTokenization(request, deps);
    expect(response.decision).toBe('APPROVED');
    expect(response.reason_codes).toEqual(['ISSUER_APP']);
    expect(record.firedRules.map((r) => r.id)).toEqual(['issuer-app-provisioning']);
  });

  it('does not fire for a PAN keyed in or from a card on file (the rule is the panSource, nothing else)', async () => {
    for (const [source, fired] of [
      ['1', false],
      ['2', false],
      ['3', true],
    ] as const) {
      const request = mdesGreen();
      ta(request).sf2_primary_account_number_source = source;
      const deps = {
        store: new MemoryTokenStore(),
        liveRuleSet: live,
        failMode: 'DECLINE' as const,
        storeTimeoutMs: 200,
      };
      const { record } = await decideTokenization(request, deps);
      expect([source, record.firedRules.some((r) => r.id === 'issuer-app-provisioning')]).toEqual([source, fired]);
    }
  });

  it('never overrides a red rule: a blocked card from the issuer app is still declined', () => {
    const d = decide(live, { panSource: 'APP', cardStatus: 'BLOCKED' });
    expect(d.outcome).toBe('DECLINE');
    expect(d.reasonCodes).toEqual(['CARD_STATUS']);
    expect(d.firedRules.map((r) => r.id)).toContain('issuer-app-provisioning');
  });

  it('applies to Visa too (panSource MOBILE_BANKING_APP is read as APP)', () => {
    expect(decide(live, { network: 'VTS', panSource: 'APP', cardStatus: 'NORMAL' })).toMatchObject({
      outcome: 'APPROVE',
      reasonCodes: ['ISSUER_APP'],
    });
  });
});
