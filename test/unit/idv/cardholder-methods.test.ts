import { activationPathOf, challengeToActivate, type Challenge } from '../../../shared/domain/challenge';
import {
  deliverOtp,
  notifyCardAdded,
  ResendNotPossibleError,
  resendChallenge,
  reviewAbandonedToken,
  settleChallenge,
} from '../../../shared/idv/idv-steps';
import {
  at,
  fakeIdvDeps,
  type FakeIdvDeps,
  givenChallenge,
  givenToken,
  milestones,
  NOW,
  storedChallenge,
} from './fakes';

const REF = { challengeId: 'ch-evt-1', tokenId: 'tok-1' };

/** App-to-app (method 6) and call centre (method 3): the workflow waits for the issuer's activation. */
describe('ID&V steps for app-to-app and call-centre challenges', () => {
  let deps: FakeIdvDeps;
  beforeEach(() => {
    deps = fakeIdvDeps();
  });

  it.each(['APP_TO_APP', 'CALL_CENTER'] as const)(
    'delivers nothing for %s and waits until the same expiry as an OTP',
    async (method) => {
      // Prepare
      await givenChallenge(deps, { status: 'AWAITING_CARDHOLDER', method, expiresAt: at(600) }, undefined);

      // Act
      const out = await deliverOtp(REF, deps);

      // Assess
      expect(out).toEqual({ ...REF, delivered: false, waitSeconds: 600 });
      expect([...deps.sms.sent, ...deps.email.sent]).toEqual([]);
      expect((await storedChallenge(deps, REF))?.status).toBe('AWAITING_CARDHOLDER');
    },
  );

  it.each([
    ['APP_TO_APP', undefined, 'APP_TO_APP'],
    ['CALL_CENTER', undefined, 'CALL_CENTER'],
    ['SMS', 'CALL_CENTER', 'CALL_CENTER'],
    ['APP_TO_APP', 'APP_TO_APP', 'APP_TO_APP'],
  ] as const)(
    'ends on the activation event: a %s challenge (requested by %s) shows %s on the timeline',
    async (method, requestedBy, path) => {
      // Prepare
      await givenToken(deps, 'tok-1', 'active');
      await givenChallenge(
        deps,
        { status: 'AWAITING_CARDHOLDER', method, ...(requestedBy ? { activationRequestedBy: requestedBy } : {}) },
        undefined,
      );

      // Act
      const out = await notifyCardAdded(REF, deps);

      // Assess
      expect(out).toMatchObject({ ...REF, activatedBy: path });
      expect(await storedChallenge(deps, REF)).toMatchObject({ status: 'ACTIVATED', activatedBy: path });
      expect(await milestones(deps, 'tok-1')).toEqual([`ACTIVATED_BY_${path}`, 'CARD_ADDED_NOTIFIED']);
    },
  );

  it('closes an awaiting challenge as expired when the wait times out', async () => {
    // Prepare
    await givenChallenge(deps, { status: 'AWAITING_CARDHOLDER', method: 'APP_TO_APP' }, undefined);

    // Act
    const out = await settleChallenge({ ...REF, outcome: 'EXPIRED', reason: 'States.Timeout' }, deps);

    // Assess
    expect(out.status).toBe('EXPIRED');
    expect(await milestones(deps, 'tok-1')).toEqual(['CHALLENGE_EXPIRED']);
  });

  it('reminds and cleans up an abandoned call-centre challenge like an OTP', async () => {
    // Prepare
    await givenToken(deps, 'tok-1', 'pending_idv', { tokenUniqueReference: 'DWSPMC000000000002' });
    await givenChallenge(deps, { network: 'MDES', status: 'EXPIRED', method: 'CALL_CENTER' }, undefined);

    // Act
    const reminder = await reviewAbandonedToken({ ...REF, stage: 'REMINDER' }, deps);
    const cleanup = await reviewAbandonedToken({ ...REF, stage: 'CLEANUP' }, deps);

    // Assess
    expect(reminder.action).toBe('reminder sent');
    expect(cleanup.action).toBe('MDES token deleted');
    expect((await milestones(deps, 'tok-1')).sort()).toEqual(['ABANDONED_TOKEN_DELETED', 'REMINDER_SENT']);
  });

  it('refuses to resend an app-to-app challenge (there is no code of ours)', async () => {
    // Prepare
    await givenChallenge(deps, { status: 'AWAITING_CARDHOLDER', method: 'APP_TO_APP' }, undefined);

    // Act
    const resending = resendChallenge({ ...REF, userId: 'agent-1', userName: 'Agent' }, deps);

    // Assess
    await expect(resending).rejects.toThrow(ResendNotPossibleError);
  });
});

describe('challengeToActivate (shared/domain/challenge.ts)', () => {
  const challenge = (o: Partial<Challenge>): Challenge => ({
    challengeId: 'ch-1',
    tokenId: 'tok-1',
    cardId: 'card-1',
    network: 'VTS',
    method: 'APP_TO_APP',
    status: 'AWAITING_CARDHOLDER',
    sourceEventId: 'evt-1',
    createdAt: at(-60),
    expiresAt: at(600),
    attempts: 0,
    ...o,
  });

  it.each([
    ['no challenge at all', [], 'APP_TO_APP', 'NO_OPEN_CHALLENGE'],
    ['an expired one (status)', [challenge({ status: 'EXPIRED' })], 'APP_TO_APP', 'CHALLENGE_EXPIRED'],
    ['an open one past its expiry', [challenge({ expiresAt: at(-1) })], 'CALL_CENTER', 'CHALLENGE_EXPIRED'],
    ['an activated one', [challenge({ status: 'ACTIVATED' })], 'CALL_CENTER', 'NO_OPEN_CHALLENGE'],
    [
      'an SMS challenge, for the app',
      [challenge({ method: 'SMS', status: 'DELIVERED' })],
      'APP_TO_APP',
      'NOT_AN_APP_CHALLENGE',
    ],
    [
      'an older open app challenge under a newer expired one',
      [challenge({}), challenge({ challengeId: 'ch-2', createdAt: at(-1), status: 'EXPIRED' })],
      'APP_TO_APP',
      'CHALLENGE_EXPIRED',
    ],
  ] as const)('refuses %s', (_case, challenges, path, reason) => {
    // Act
    const found = challengeToActivate(challenges, path, NOW);

    // Assess
    expect(found).toMatchObject({ reason });
  });

  it.each([
    ['an open app challenge, for the app', challenge({}), 'APP_TO_APP'],
    [
      'a delivered SMS challenge, for the call centre',
      challenge({ method: 'SMS', status: 'DELIVERED' }),
      'CALL_CENTER',
    ],
    ['a call-centre challenge, for the call centre', challenge({ method: 'CALL_CENTER' }), 'CALL_CENTER'],
  ] as const)('accepts %s', (_case, c, path) => {
    // Act
    const found = challengeToActivate([c], path, NOW);

    // Assess
    expect(found).toEqual({ challenge: c });
  });

  it('names the path: requested first, else the method', () => {
    expect(
      [
        { method: 'SMS' as const },
        { method: 'EMAIL' as const },
        { method: 'APP_TO_APP' as const },
        { method: 'CALL_CENTER' as const },
        { method: 'SMS' as const, activationRequestedBy: 'CALL_CENTER' as const },
      ].map(activationPathOf),
    ).toEqual(['OTP', 'OTP', 'APP_TO_APP', 'CALL_CENTER', 'CALL_CENTER']);
  });
});
