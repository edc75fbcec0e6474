import { POLICY_OFFICER, type TokenActionRequest } from '../../../shared/cards/ports';
import type { TokenState } from '../../../shared/domain/token-state';
import type { TokenStatus } from '../../../shared/domain/token-status';
import { PismoRejectedError, PismoUnavailableError } from '../../../shared/adapters/pismo/errors';
import type { LifecycleDeps, MdesLifecyclePort, PismoLifecyclePort } from '../../../shared/lifecycle/ports';
import { commentOf, LifecycleTokenActions, lifecycleReasonOf } from '../../../functions/cards/lifecycle-token-actions';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const AT = '2026-11-01T10:00:00.000Z';

function visaToken(tokenId: string, status: TokenStatus): TokenState {
  return {
    tokenId,
    status,
    statusAt: AT,
    facts: { network: 'VTS', cardId: '5271995', accountId: '100002000' },
    clocks: {},
    firstEventAt: AT,
    lastEventAt: AT,
  };
}

function request(tokenId: string, action: TokenActionRequest['action'] = 'suspend'): TokenActionRequest {
  return {
    tokenId,
    cardId: '5271995',
    action,
    reason: `card 5271995 BLOCKED at ${AT}: temporary block`,
    officer: POLICY_OFFICER,
    cardEventId: 'evt-42',
  };
}

async function setup(status: TokenStatus) {
  const store = new MemoryTokenStore();
  await store.putTokenState(visaToken('tok-1', status), undefined);
  const pismo = {
    performTokenOperation: jest.fn<ReturnType<PismoLifecyclePort['performTokenOperation']>, [unknown, unknown]>(
      async () => ({}),
    ),
    performCardTokenOperation: jest.fn(async () => ({})),
    getCardTokens: jest.fn(async () => ({ tokens: [] })),
    accountOfCard: jest.fn(async () => '100002000' as string | undefined),
  };
  const mdes = jest.fn((): MdesLifecyclePort => {
    throw new Error('a Visa token never reaches MDES');
  });
  const deps: LifecycleDeps = {
    store,
    pismo,
    mdes,
    pismoMastercardPrograms: [],
    now: () => new Date('2026-11-02T10:00:00.000Z'),
  };
  return { store, pismo, actions: new LifecycleTokenActions(deps) };
}

describe('LifecycleTokenActions (the policy through the lifecycle use case)', () => {
  it('suspends an active token through Pismo: done, audited with the policy as the officer and the card event', async () => {
    const { store, pismo, actions } = await setup('active');
    await expect(actions.suspend(request('tok-1'))).resolves.toEqual({ outcome: 'done' });
    expect(pismo.performTokenOperation).toHaveBeenCalledWith(
      { accountId: '100002000', cardId: '5271995', tokenId: 'tok-1' },
      expect.objectContaining({ operationType: 'SUSPEND' }),
    );
    const [audit] = await store.listAudit({ tokenId: 'tok-1' }, 10);
    expect(audit).toMatchObject({ userId: 'card-lifecycle-policy', outcome: 'DONE', operation: 'suspend' });
    expect(audit?.parameters).toMatchObject({ reason: 'OTHER' });
    expect(audit?.parameters?.comment).toContain('card 5271995 BLOCKED');
    expect(audit?.parameters?.comment).toContain('(event evt-42)');
  });

  it("maps Pismo's refusal to refused, with its message (recorded, not retried)", async () => {
    const { pismo, actions } = await setup('active');
    pismo.performTokenOperation.mockRejectedValueOnce(
      new PismoRejectedError('SUSPEND', 422, { errorCode: 'TKN-001', message: 'token not found' }),
    );
    const result = await actions.suspend(request('tok-1'));
    expect(result).toMatchObject({ outcome: 'refused' });
    expect(result.outcome === 'refused' && result.detail).toContain('TKN-001');
  });

  it('maps a status-rule violation to refused (suspend of a deleted token)', async () => {
    const { pismo, actions } = await setup('deleted');
    const result = await actions.suspend(request('tok-1'));
    expect(result).toMatchObject({ outcome: 'refused' });
    expect(pismo.performTokenOperation).not.toHaveBeenCalled();
  });

  it('is idempotent per card event: a re-run on a token already suspended is done, nothing sent', async () => {
    const { pismo, actions } = await setup('suspended');
    await expect(actions.suspend(request('tok-1'))).resolves.toEqual({ outcome: 'done' });
    expect(pismo.performTokenOperation).not.toHaveBeenCalled();
    // The same for a resume of a token already active (our status is what the action asks).
    const active = await setup('active');
    await expect(active.actions.resume(request('tok-1', 'resume'))).resolves.toEqual({ outcome: 'done' });
    expect(active.pismo.performTokenOperation).not.toHaveBeenCalled();
  });

  it('throws when Pismo is unavailable (the fan-out retries with backoff)', async () => {
    const { pismo, actions } = await setup('active');
    pismo.performTokenOperation.mockRejectedValueOnce(new PismoUnavailableError('SUSPEND', 'timeout', true));
    await expect(actions.suspend(request('tok-1'))).rejects.toBeInstanceOf(PismoUnavailableError);
  });

  it('picks the lifecycle reason from the action and the card status, and keeps the comment within 200 characters', () => {
    expect(lifecycleReasonOf(request('t'))).toBe('OTHER');
    expect(lifecycleReasonOf(request('t', 'delete'))).toBe('ACCOUNT_CLOSED');
    expect(lifecycleReasonOf({ ...request('t'), reason: 'card 1 FRAUD at T' })).toBe('FRAUD_SUSPECTED');
    const long = commentOf({ ...request('t'), reason: `card 1 BLOCKED ${'x'.repeat(300)}\n` });
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).toMatch(/\(event evt-42\)$/);
  });
});
