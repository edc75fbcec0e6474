import type { TokenState } from '../../../shared/domain/token-state';
import { activateDigitalCard, type AppActivationPort } from '../../../shared/cardholder/activate';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const ME = '100002000';
const OTHER = '100001185';
const AT = '2026-11-01T10:00:00.000Z';

function token(tokenId: string, facts: TokenState['facts']): TokenState {
  return {
    tokenId,
    status: 'pending_idv',
    statusAt: AT,
    facts: { network: 'MDES', cardId: '5271995', ...facts },
    clocks: {},
    firstEventAt: AT,
    lastEventAt: AT,
  };
}

async function setup() {
  const store = new MemoryTokenStore();
  await store.putTokenState(token('t1', { accountId: ME }), undefined);
  await store.putTokenState(token('t2', { accountId: OTHER, cardId: '777' }), undefined);
  const activate = jest.fn<ReturnType<AppActivationPort['activate']>, Parameters<AppActivationPort['activate']>>(
    async () => ({ outcome: 'REQUESTED', challengeId: 'ch-1', expectedStatus: 'active', auditId: 'a-1' }),
  );
  return { deps: { store, activation: { activate } }, activate };
}

describe('POST /me/digital-cards/{tokenId}/activate (shared/cardholder/activate.ts)', () => {
  it("activates the caller's token through the port, as the cardholder", async () => {
    // Prepare
    const { deps, activate } = await setup();

    // Act
    const result = await activateDigitalCard({ accountId: ME, tokenId: 't1', body: {} }, deps);

    // Assess
    expect(result).toEqual({
      tokenId: 't1',
      action: 'activate',
      outcome: 'REQUESTED',
      challengeId: 'ch-1',
      expectedStatus: 'active',
      auditId: 'a-1',
    });
    expect(activate).toHaveBeenCalledWith({
      tokenId: 't1',
      officer: { userId: ME, userName: 'Cardholder (issuer app)', kind: 'cardholder' },
    });
  });

  it.each([
    ["another account's token", 't2'],
    ['an unknown token', 't9'],
  ])('answers 404 for %s, the same answer, nothing activated', async (_case, tokenId) => {
    // Prepare
    const { deps, activate } = await setup();

    // Act
    const acting = activateDigitalCard({ accountId: ME, tokenId, body: undefined }, deps);

    // Assess
    await expect(acting).rejects.toMatchObject({ statusCode: 404, message: `digital card ${tokenId} not found` });
    expect(activate).not.toHaveBeenCalled();
  });

  it('takes no body fields (400)', async () => {
    // Prepare
    const { deps, activate } = await setup();

    // Act
    const acting = activateDigitalCard({ accountId: ME, tokenId: 't1', body: { activationCode: '1234' } }, deps);

    // Assess
    await expect(acting).rejects.toMatchObject({ statusCode: 400 });
    expect(activate).not.toHaveBeenCalled();
  });
});
