import { CARD_STATUSES, type KnownCardStatus } from '../../../shared/domain/card';
import { decideForToken, loadCardPolicy, parseCardPolicy, ruleFor } from '../../../shared/cards/policy';
import defaultV1 from '../../../shared/cards/policies/default-v1.json';

const policy = loadCardPolicy('default-v1');

/** The issue's defaults, status by status. */
const EXPECTED: Record<KnownCardStatus, 'suspend' | 'resume' | 'delete' | 'none'> = {
  CREATED: 'none',
  UNBOUND: 'none',
  UMBOUND: 'none',
  UNNUMBERED: 'none',
  NORMAL: 'resume',
  REISSUED: 'none',
  BLOCKED: 'suspend',
  PENDING: 'suspend',
  WARNING: 'suspend',
  INOPERATIVE: 'suspend',
  LOST: 'suspend',
  ROBBED: 'suspend',
  THEFT: 'suspend',
  FRAUD: 'delete',
  CANCELED: 'delete',
  EXPIRED: 'delete',
  DELETED: 'delete',
  DAMAGED: 'delete',
  BROKEN: 'delete',
  DEFECT: 'delete',
};
const TOKEN_STATUSES = ['requested', 'pending_idv', 'active', 'suspended', 'deleted', 'declined', 'failed'];

describe('card-status policy default-v1', () => {
  it('loads, validated, in enforce mode; shadow mode can be forced by the environment', () => {
    expect(policy).toMatchObject({ version: 'default-v1', mode: 'enforce' });
    expect(loadCardPolicy('default-v1', 'shadow').mode).toBe('shadow');
    expect(() => loadCardPolicy('nope')).toThrow(/unknown card policy nope; bundled: default-v1/);
  });

  it('refuses a policy with a status missing, an unknown status, or an unknown action', () => {
    const statuses = { ...defaultV1.statuses } as Record<string, unknown>;
    delete statuses.FRAUD;
    expect(() => parseCardPolicy({ ...defaultV1, statuses })).toThrow(/no rule for FRAUD/);
    expect(() =>
      parseCardPolicy({ ...defaultV1, statuses: { ...defaultV1.statuses, MELTED: { action: 'none', reason: 'x' } } }),
    ).toThrow(/unknown card status MELTED/);
    expect(() =>
      parseCardPolicy({ ...defaultV1, statuses: { ...defaultV1.statuses, BLOCKED: { action: 'burn', reason: 'x' } } }),
    ).toThrow(/invalid card policy: statuses.BLOCKED.action/);
    expect(() => parseCardPolicy({ ...defaultV1, extra: 1 })).toThrow(/invalid card policy/);
  });

  it('matrix: every transition of the documented enum, on every token status, does what the defaults say', () => {
    // The action depends on the new status only; the previous one is recorded, never decisive.
    for (const previous of [...CARD_STATUSES, undefined]) {
      for (const next of CARD_STATUSES) {
        const rule = ruleFor(policy, next);
        expect({ previous, next, action: rule.action }).toEqual({ previous, next, action: EXPECTED[next] });
        for (const status of TOKEN_STATUSES) {
          for (const suspendedByPolicy of [false, true]) {
            const d = decideForToken(rule.action, { tokenId: 't', status, suspendedByPolicy });
            const acts =
              (EXPECTED[next] === 'suspend' && status === 'active') ||
              (EXPECTED[next] === 'resume' && status === 'suspended' && suspendedByPolicy) ||
              (EXPECTED[next] === 'delete' && status !== 'deleted' && status !== 'declined');
            expect({ next, status, suspendedByPolicy, d }).toEqual({
              next,
              status,
              suspendedByPolicy,
              d: acts ? { action: EXPECTED[next] } : { skip: expect.any(String) },
            });
          }
        }
      }
    }
  });

  it('leaves the tokens alone for an unknown card status', () => {
    expect(ruleFor(policy, 'MELTED').action).toBe('none');
    expect(decideForToken('none', { tokenId: 't', status: 'active', suspendedByPolicy: false })).toEqual({
      skip: expect.any(String),
    });
  });

  it('resumes only the tokens it suspended, never one suspended by someone else', () => {
    expect(decideForToken('resume', { tokenId: 't', status: 'suspended', suspendedByPolicy: false })).toEqual({
      skip: 'suspended by someone else, not by this policy',
    });
  });
});
