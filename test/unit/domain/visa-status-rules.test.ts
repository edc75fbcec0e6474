import {
  checkVisaStatusRule,
  VISA_STATUS_TABLE,
  VISA_TOKEN_ACTIONS,
  type VisaTokenAction,
  visaStatusCells,
} from '../../../shared/domain/visa-status-rules';
import { TOKEN_STATUSES, type TokenStatus } from '../../../shared/domain/token-status';

// The expected table, written out cell by cell (not derived from the code under test).
// Columns: requested, pending_idv, active, suspended, deleted, declined, failed.
const EXPECTED: Record<VisaTokenAction, string> = {
  suspend: '..Y....',
  resume: '...Y...',
  delete: 'YYYY...',
  activate: '.Y.....',
  approveDeviceBinding: '..Y....',
};

const cells = VISA_TOKEN_ACTIONS.flatMap((action) =>
  TOKEN_STATUSES.map((status, i) => [action, status, EXPECTED[action][i] === 'Y'] as const),
);

describe('Visa token status rules', () => {
  it('covers the five actions and every token status', () => {
    expect(Object.keys(VISA_STATUS_TABLE).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(TOKEN_STATUSES).toEqual([
      'requested',
      'pending_idv',
      'active',
      'suspended',
      'deleted',
      'declined',
      'failed',
    ]);
    expect(cells).toHaveLength(35);
  });

  it.each(cells)('%s on a %s token → allowed: %s', (action, status, allowed) => {
    const verdict = checkVisaStatusRule(action, status);
    expect(verdict.allowed).toBe(allowed);
    if (!verdict.allowed) {
      expect(verdict.rule).toMatch(/^Visa token lifecycle: /);
      expect(verdict.rule).toContain(action);
    }
  });

  it('names the status and the allowed ones in a refusal', () => {
    expect(checkVisaStatusRule('resume', 'active')).toEqual({
      allowed: false,
      rule: 'Visa token lifecycle: resume is not allowed for a token in status Active (allowed: Suspended)',
    });
    expect(checkVisaStatusRule('delete', 'deleted')).toEqual({
      allowed: false,
      rule: 'Visa token lifecycle: delete is not allowed for a token in status Deleted (allowed: Requested, Pending ID&V, Active, Suspended)',
    });
  });

  it('never allows anything on a terminal or failed token', () => {
    for (const status of ['deleted', 'declined', 'failed'] as TokenStatus[])
      for (const action of VISA_TOKEN_ACTIONS) expect(checkVisaStatusRule(action, status).allowed).toBe(false);
  });

  it('lists the same cells as the checker', () => {
    expect(visaStatusCells().map((c) => [c.action, c.status, c.allowed])).toEqual(cells.map((c) => [...c]));
  });
});
