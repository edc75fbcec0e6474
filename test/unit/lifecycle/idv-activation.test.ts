import type { Challenge } from '../../../shared/domain/challenge';
import type { TokenState } from '../../../shared/domain/token-state';
import type { TokenStatus } from '../../../shared/domain/token-status';
import { PismoRejectedError } from '../../../shared/adapters/pismo/errors';
import { activateByApp } from '../../../shared/lifecycle/app-to-app';
import { ChallengeNotOpenError, performTokenAction } from '../../../shared/lifecycle/lifecycle';
import type { LifecycleDeps, MdesLifecyclePort, PismoLifecyclePort } from '../../../shared/lifecycle/ports';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const NOW = new Date('2026-11-02T10:00:00.000Z');
const AGENT = { userId: 'agent-7', userName: 'Ana Souza' };
const ACCOUNT_ID = '100002000';
const HOLDER = { userId: ACCOUNT_ID, userName: 'Cardholder (issuer app)', kind: 'cardholder' as const };
const ACCOUNT = '100002000';
const TUR = 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e';
const MC_VIA_PISMO = 'prog-77';
const at = (s: number) => new Date(NOW.getTime() + s * 1000).toISOString();

type Variant = 'VTS' | 'MDES' | 'MDES-via-Pismo';

function tokenState(variant: Variant, status: TokenStatus = 'pending_idv'): TokenState {
  return {
    tokenId: 't1',
    status,
    statusAt: at(-120),
    facts: {
      network: variant === 'VTS' ? 'VTS' : 'MDES',
      cardId: '5271995',
      accountId: ACCOUNT,
      tokenUniqueReference: TUR,
      ...(variant === 'MDES-via-Pismo' ? { programId: MC_VIA_PISMO } : {}),
    },
    clocks: {},
    firstEventAt: at(-120),
    lastEventAt: at(-120),
  };
}

function challenge(o: Partial<Challenge> = {}): Challenge {
  return {
    challengeId: 'ch-evt-1',
    tokenId: 't1',
    cardId: '5271995',
    accountId: ACCOUNT,
    network: 'VTS',
    method: 'APP_TO_APP',
    status: 'AWAITING_CARDHOLDER',
    sourceEventId: 'evt-1',
    createdAt: at(-60),
    expiresAt: at(600),
    attempts: 0,
    ...o,
  };
}

async function setup(variant: Variant, status?: TokenStatus, challenges: Challenge[] = [challenge()]) {
  const store = new MemoryTokenStore();
  await store.putTokenState(tokenState(variant, status), undefined);
  for (const c of challenges) await store.putChallenge({ ...c, network: variant === 'VTS' ? 'VTS' : 'MDES' });
  const pismo = {
    performTokenOperation: jest.fn<ReturnType<PismoLifecyclePort['performTokenOperation']>, [unknown, unknown]>(
      async () => ({}),
    ),
    performCardTokenOperation: jest.fn(async () => ({})),
    getCardTokens: jest.fn(async () => ({ tokens: [] })),
    accountOfCard: jest.fn(async () => ACCOUNT as string | undefined),
  };
  const mdes = {
    customerId: 'CID-A',
    lookup: jest.fn<ReturnType<MdesLifecyclePort['lookup']>, [string, unknown]>(async () => undefined),
    perform: jest.fn<ReturnType<MdesLifecyclePort['perform']>, [string, unknown]>(async () => ({})),
  };
  const deps: LifecycleDeps = {
    store,
    pismo,
    mdes: () => mdes,
    pismoMastercardPrograms: [MC_VIA_PISMO],
    now: () => NOW,
  };
  return { store, deps, pismo, mdes };
}

const callCentre = (deps: LifecycleDeps, body: object = {}) =>
  performTokenAction(
    {
      tokenId: 't1',
      action: 'activate',
      body: { reason: 'CARDHOLDER_REQUEST', method: 'CALL_CENTER', ...body },
      officer: AGENT,
    },
    deps,
  );

describe('ID&V activation by the call centre (POST /tokens/{tokenId}/activate, method CALL_CENTER)', () => {
  it.each([
    ['VTS', { activationCode: 'K7Q2' }, 'pismo', 'CALL_CENTER_ACTIVATION'],
    ['MDES-via-Pismo', { activationCode: 'K7Q2' }, 'pismo', 'CALL_CENTER_ACTIVATION'],
    ['MDES', {}, 'mdes', undefined],
  ] as const)(
    'activates a %s token on its open challenge, audited with the agent',
    async (variant, body, route, op) => {
      // Prepare
      const { deps, store, pismo, mdes } = await setup(variant, 'pending_idv', [challenge({ method: 'CALL_CENTER' })]);

      // Act
      const result = await callCentre(deps, body);

      // Assess
      expect(result).toMatchObject({
        outcome: 'REQUESTED',
        route,
        challengeId: 'ch-evt-1',
        activationPath: 'CALL_CENTER',
      });
      if (op)
        expect(pismo.performTokenOperation).toHaveBeenCalledWith(
          { accountId: ACCOUNT, cardId: '5271995', tokenId: 't1' },
          expect.objectContaining({ operationType: op, activationCode: 'K7Q2' }),
        );
      else
        expect(mdes.perform).toHaveBeenCalledWith('activate', expect.objectContaining({ tur: TUR, reasonCode: 'C' }));
      const [audit] = await store.listAudit({ tokenId: 't1' }, 5);
      expect(audit).toMatchObject({
        operation: 'activate',
        outcome: 'DONE',
        userId: AGENT.userId,
        userName: AGENT.userName,
      });
      expect(audit?.parameters).toMatchObject({ method: 'CALL_CENTER', challengeId: 'ch-evt-1' });
      expect(await store.getChallenge('t1', 'ch-evt-1')).toMatchObject({
        status: 'AWAITING_CARDHOLDER',
        activationRequestedBy: 'CALL_CENTER',
        activationRequestedAt: NOW.toISOString(),
      });
    },
  );

  it('takes an SMS challenge too (the cardholder called instead of typing the code)', async () => {
    // Prepare
    const { deps, pismo } = await setup('VTS', 'pending_idv', [challenge({ method: 'SMS', status: 'DELIVERED' })]);

    // Act
    const result = await callCentre(deps, { activationCode: 'K7Q2' });

    // Assess
    expect(result.outcome).toBe('REQUESTED');
    expect(pismo.performTokenOperation).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['no challenge', [], 'NO_OPEN_CHALLENGE'],
    ['an expired challenge', [challenge({ status: 'EXPIRED', method: 'CALL_CENTER' })], 'CHALLENGE_EXPIRED'],
    [
      'an open challenge past its expiry',
      [challenge({ expiresAt: at(-1), method: 'CALL_CENTER' })],
      'CHALLENGE_EXPIRED',
    ],
    ['a failed challenge', [challenge({ status: 'FAILED', method: 'SMS' })], 'NO_OPEN_CHALLENGE'],
  ] as const)('answers 409 with the reason for %s, nothing sent, audited', async (_case, challenges, reason) => {
    // Prepare
    const { deps, store, pismo } = await setup('VTS', 'pending_idv', [...challenges]);

    // Act
    const acting = callCentre(deps, { activationCode: 'K7Q2' });

    // Assess
    await expect(acting).rejects.toMatchObject({ statusCode: 409, reason, message: expect.stringContaining(reason) });
    await expect(acting).rejects.toBeInstanceOf(ChallengeNotOpenError);
    expect(pismo.performTokenOperation).not.toHaveBeenCalled();
    expect((await store.listAudit({ tokenId: 't1' }, 5))[0]).toMatchObject({ outcome: 'REFUSED', httpStatus: 409 });
  });

  it('answers 422 with Pismo code when Pismo refuses; the challenge stays open', async () => {
    // Prepare
    const { deps, store, pismo } = await setup('VTS', 'pending_idv', [challenge({ method: 'CALL_CENTER' })]);
    pismo.performTokenOperation.mockRejectedValueOnce(
      new PismoRejectedError('CALL_CENTER_ACTIVATION', 422, { errorCode: 'INVALID_ACTIVATION_CODE', message: 'wrong' }),
    );

    // Act
    const acting = callCentre(deps, { activationCode: 'K7Q2' });

    // Assess
    await expect(acting).rejects.toMatchObject({ statusCode: 422, errorCode: 'INVALID_ACTIVATION_CODE' });
    const c = await store.getChallenge('t1', 'ch-evt-1');
    expect(c?.status).toBe('AWAITING_CARDHOLDER');
    expect(c?.activationRequestedBy).toBeUndefined();
    expect((await store.listAudit({ tokenId: 't1' }, 5))[0]?.parameters).toMatchObject({
      pismoErrorCode: 'INVALID_ACTIVATION_CODE',
    });
    // Retrying after a refusal calls Pismo again (the challenge is still open).
    await callCentre(deps, { activationCode: 'K7Q3' });
    expect(pismo.performTokenOperation).toHaveBeenCalledTimes(2);
  });

  it('is idempotent: a repeated activation sends nothing more, before and after the network event', async () => {
    // Prepare
    const { deps, store, pismo } = await setup('VTS', 'pending_idv', [challenge({ method: 'CALL_CENTER' })]);
    await callCentre(deps, { activationCode: 'K7Q2' });

    // Act
    const again = await callCentre(deps, { activationCode: 'K7Q2' });
    const s = await store.getTokenState('t1');
    if (!s) throw new Error('token t1 missing');
    await store.putTokenState({ ...s.state, status: 'active' }, s.version);
    const afterEvent = await callCentre(deps, { activationCode: 'K7Q2' });

    // Assess
    expect(again).toMatchObject({ outcome: 'ALREADY_DONE', challengeId: 'ch-evt-1' });
    expect(afterEvent).toMatchObject({ outcome: 'ALREADY_DONE' });
    expect(pismo.performTokenOperation).toHaveBeenCalledTimes(1);
  });

  it('keeps the body strict: Pismo needs the code, MDES takes none, activate takes no other method', async () => {
    // Prepare
    const vts = await setup('VTS');
    const mc = await setup('MDES');

    // Act / Assess
    await expect(callCentre(vts.deps)).rejects.toMatchObject({ statusCode: 400 });
    await expect(callCentre(mc.deps, { activationCode: '1234' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(callCentre(vts.deps, { activationCode: '1', method: 'BANK_APP' })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(callCentre(vts.deps, { activationCode: '1', extra: true })).rejects.toMatchObject({ statusCode: 400 });
    expect(vts.pismo.performTokenOperation).not.toHaveBeenCalled();
  });
});

describe('ID&V activation by the issuer app (app-to-app)', () => {
  it.each([
    ['VTS', 'CALL_CENTER_ACTIVATION', true],
    ['MDES', 'CARDHOLDER_STEPUP_APP_TO_APP', false],
    ['MDES-via-Pismo', 'CARDHOLDER_STEPUP_APP_TO_APP', false],
  ] as const)('activates a %s token through Pismo %s, audited with the account', async (variant, op, withCode) => {
    // Prepare
    const { deps, store, pismo, mdes } = await setup(variant);

    // Act
    const result = await activateByApp({ tokenId: 't1', actor: HOLDER }, deps);

    // Assess
    expect(result).toMatchObject({ outcome: 'REQUESTED', route: 'pismo', activationPath: 'APP_TO_APP' });
    expect(mdes.perform).not.toHaveBeenCalled();
    const sent = pismo.performTokenOperation.mock.calls[0]?.[1] as { operationType: string; activationCode?: string };
    expect(sent.operationType).toBe(op);
    if (withCode) expect(sent.activationCode).toMatch(/^[A-Z2-9]{8}$/);
    else expect(sent.activationCode).toBeUndefined();
    const [audit] = await store.listAudit({ tokenId: 't1' }, 5);
    expect(audit).toMatchObject({
      operation: 'activate-app-to-app',
      outcome: 'DONE',
      userId: ACCOUNT,
      actorKind: 'cardholder',
    });
    // The issuer's code is never kept.
    expect(JSON.stringify(await store.listAudit({ tokenId: 't1' }, 5))).not.toContain(sent.activationCode ?? '#');
    expect(await store.getChallenge('t1', 'ch-evt-1')).toMatchObject({ activationRequestedBy: 'APP_TO_APP' });
  });

  it('answers 404 for an unknown token', async () => {
    // Prepare
    const { deps, pismo } = await setup('VTS');

    // Act
    const unknown = activateByApp({ tokenId: 't9', actor: HOLDER }, deps);

    // Assess
    await expect(unknown).rejects.toMatchObject({ statusCode: 404 });
    expect(pismo.performTokenOperation).not.toHaveBeenCalled();
  });

  it.each([
    ['an SMS challenge', [challenge({ method: 'SMS', status: 'DELIVERED' })], 'NOT_AN_APP_CHALLENGE'],
    ['an expired app challenge', [challenge({ expiresAt: at(-5) })], 'CHALLENGE_EXPIRED'],
    ['no challenge', [], 'NO_OPEN_CHALLENGE'],
  ] as const)('answers 409 for %s', async (_case, challenges, reason) => {
    // Prepare
    const { deps, pismo } = await setup('MDES', 'pending_idv', [...challenges]);

    // Act
    const acting = activateByApp({ tokenId: 't1', actor: HOLDER }, deps);

    // Assess
    await expect(acting).rejects.toMatchObject({ statusCode: 409, reason });
    expect(pismo.performTokenOperation).not.toHaveBeenCalled();
  });

  it('is idempotent', async () => {
    // Prepare
    const { deps, pismo } = await setup('MDES');
    await activateByApp({ tokenId: 't1', actor: HOLDER }, deps);

    // Act
    const again = await activateByApp({ tokenId: 't1', actor: HOLDER }, deps);

    // Assess
    expect(again.outcome).toBe('ALREADY_DONE');
    expect(pismo.performTokenOperation).toHaveBeenCalledTimes(1);
  });
});
