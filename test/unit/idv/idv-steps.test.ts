import { NotFoundError } from '../../../shared/domain/errors';
import {
  awaitActivation,
  ChallengeExpired,
  ChallengeNotFound,
  ContactNotFound,
  DestinationMismatch,
  deliverOtp,
  notifyCardAdded,
  ResendNotPossibleError,
  resendChallenge,
  reviewAbandonedToken,
  settleChallenge,
} from '../../../shared/idv/idv-steps';
import { CustomerNotAllowedError } from '../../../shared/adapters/http/errors';
import {
  at,
  EMAIL,
  fakeIdvDeps,
  type FakeIdvDeps,
  givenChallenge,
  givenToken,
  milestones,
  NOW,
  PHONE,
  storedChallenge,
} from './fakes';

const REF = { challengeId: 'ch-evt-1', tokenId: 'tok-1' };

describe('ID&V steps', () => {
  let deps: FakeIdvDeps;
  beforeEach(() => {
    deps = fakeIdvDeps();
  });

  describe('deliverOtp', () => {
    it('sends the code by the chosen channel, then marks the challenge delivered and removes the code', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv', { walletName: 'Google Pay' });
      await givenChallenge(deps, { method: 'SMS', expiresAt: at(600) }, '481516');

      // Act
      const out = await deliverOtp(REF, deps);

      // Assess
      expect(out).toEqual({ ...REF, delivered: true, channel: 'SMS', waitSeconds: 600 });
      expect(deps.sms.sent).toHaveLength(1);
      expect(deps.sms.sent[0]?.to).toBe(PHONE);
      expect(deps.sms.sent[0]?.body).toContain('481516');
      expect(deps.sms.sent[0]?.body).toContain('Google Pay');
      expect(deps.email.sent).toEqual([]);
      const stored = await storedChallenge(deps, REF);
      expect(stored).toMatchObject({
        status: 'DELIVERED',
        channel: 'SMS',
        deliveredTo: '*********7728',
        deliveredAt: NOW.toISOString(),
        attempts: 1,
      });
      expect(stored?.sealedOtp).toBeUndefined();
      expect(await milestones(deps, 'tok-1')).toEqual(['OTP_DELIVERED']);
    });

    it('sends by email when the cardholder chose email', async () => {
      // Prepare
      await givenChallenge(deps, { method: 'EMAIL', maskedHint: 'a***@e***.com' });

      // Act
      const out = await deliverOtp(REF, deps);

      // Assess
      expect(out.channel).toBe('EMAIL');
      expect(deps.email.sent.map((m) => m.to)).toEqual([EMAIL]);
      expect(deps.sms.sent).toEqual([]);
      expect(await storedChallenge(deps, REF)).toMatchObject({ channel: 'EMAIL', deliveredTo: 'a***@e***.com' });
    });

    it('falls back to email when the workflow asks for it, without checking the SMS hint', async () => {
      // Prepare
      await givenChallenge(deps, { method: 'SMS', maskedHint: '(###)###0000' });

      // Act
      const out = await deliverOtp({ ...REF, channel: 'EMAIL' }, deps);

      // Assess
      expect(out).toMatchObject({ delivered: true, channel: 'EMAIL' });
      expect(deps.email.sent.map((m) => m.to)).toEqual([EMAIL]);
      expect(deps.sms.sent).toEqual([]);
    });

    it('refuses the email fallback when it is disabled, sending nothing', async () => {
      // Prepare
      const noFallback = { ...deps, emailFallback: false };
      await givenChallenge(deps, { method: 'SMS' });

      // Act
      const delivering = deliverOtp({ ...REF, channel: 'EMAIL' }, noFallback);

      // Assess
      await expect(delivering).rejects.toThrow(ContactNotFound);
      expect(deps.email.sent).toEqual([]);
      expect((await storedChallenge(deps, REF))?.status).toBe('PENDING');
    });

    it('closes an expired challenge without sending, and removes its code', async () => {
      // Prepare
      await givenChallenge(deps, { expiresAt: at(0) });

      // Act
      const delivering = deliverOtp(REF, deps);

      // Assess
      await expect(delivering).rejects.toThrow(ChallengeExpired);
      expect(deps.sms.sent).toEqual([]);
      const stored = await storedChallenge(deps, REF);
      expect(stored).toMatchObject({ status: 'EXPIRED', failure: 'EXPIRED_ON_ARRIVAL' });
      expect(stored?.sealedOtp).toBeUndefined();
    });

    it('never interpolates a wallet name that is not one of ours', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv', { walletName: 'Call +1 555 0100 to confirm' });
      await givenChallenge(deps);

      // Act
      await deliverOtp(REF, deps);

      // Assess
      const body = deps.sms.sent[0]?.body ?? '';
      expect(body).toContain('your wallet');
      expect(body).not.toContain('555');
    });

    it('fails the challenge when the contact on file does not match the network hint', async () => {
      // Prepare
      await givenChallenge(deps, { maskedHint: '(###)###0000' });

      // Act
      const delivering = deliverOtp(REF, deps);

      // Assess
      await expect(delivering).rejects.toThrow(DestinationMismatch);
      expect(deps.sms.sent).toEqual([]);
      const stored = await storedChallenge(deps, REF);
      expect(stored).toMatchObject({ status: 'FAILED', failure: 'DESTINATION_MISMATCH' });
      expect(stored?.sealedOtp).toBeUndefined();
    });

    it('fails with ContactNotFound when the cardholder has no phone on file', async () => {
      // Prepare
      deps = fakeIdvDeps({ email: EMAIL });
      await givenChallenge(deps);

      // Act
      const delivering = deliverOtp(REF, deps);

      // Assess
      await expect(delivering).rejects.toThrow(ContactNotFound);
      expect((await storedChallenge(deps, REF))?.sealedOtp).toBeDefined();
    });

    it('keeps the code when the provider fails, so the retry can send it', async () => {
      // Prepare
      deps.sms.failWith = new Error('provider down');
      await givenChallenge(deps);

      // Act
      const delivering = deliverOtp(REF, deps);

      // Assess
      await expect(delivering).rejects.toThrow('provider down');
      expect(await storedChallenge(deps, REF)).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect((await storedChallenge(deps, REF))?.sealedOtp).toBeDefined();
    });

    it('sends nothing again for a challenge already delivered (a retried step)', async () => {
      // Prepare
      await givenChallenge(deps, { status: 'DELIVERED', channel: 'SMS', expiresAt: at(120) }, undefined);

      // Act
      const out = await deliverOtp(REF, deps);

      // Assess
      expect(out).toEqual({ ...REF, delivered: true, channel: 'SMS', waitSeconds: 120 });
      expect(deps.sms.sent).toEqual([]);
    });

    it("delivers nothing for a code that is the wallet's to deliver, and waits the default time", async () => {
      // Prepare
      await givenChallenge(
        deps,
        { status: 'NOT_DELIVERED_BY_US', method: 'APP_TO_APP', expiresAt: undefined },
        undefined,
      );

      // Act
      const out = await deliverOtp(REF, deps);

      // Assess
      expect(out).toEqual({ ...REF, delivered: false, waitSeconds: 1800 });
      expect(deps.sms.sent).toEqual([]);
    });

    it('fails with ChallengeNotFound for an unknown challenge', async () => {
      // Act
      const delivering = deliverOtp(REF, deps);

      // Assess
      await expect(delivering).rejects.toThrow(ChallengeNotFound);
    });
  });

  describe('awaitActivation', () => {
    it('registers the task token on a token still waiting', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv');

      // Act
      const out = await awaitActivation({ ...REF, taskToken: 'task-1' }, deps);

      // Assess
      expect(out).toEqual({ registered: true });
      expect((await deps.store.getTokenState('tok-1'))?.state.activationWait).toEqual({
        challengeId: REF.challengeId,
        taskToken: 'task-1',
      });
      expect(deps.workflow.resumed).toEqual([]);
    });

    it('resumes at once when the activation came first', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'active');

      // Act
      await awaitActivation({ ...REF, taskToken: 'task-1' }, deps);

      // Assess
      expect(deps.workflow.resumed).toEqual([{ taskToken: 'task-1', result: { activated: true } }]);
    });

    it('fails the wait at once when the token was deleted meanwhile', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'deleted');

      // Act
      await awaitActivation({ ...REF, taskToken: 'task-1' }, deps);

      // Assess
      expect(deps.workflow.resumed).toEqual([
        { taskToken: 'task-1', result: { error: 'TokenNotActivated', cause: 'token deleted' } },
      ]);
    });

    it('registers nothing for an unknown token', async () => {
      // Act
      const out = await awaitActivation({ ...REF, taskToken: 'task-1' }, deps);

      // Assess
      expect(out).toEqual({ registered: false });
    });
  });

  describe('notifyCardAdded', () => {
    it('marks the challenge activated and tells the cardholder on the channel used', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'active', { walletName: 'Apple Pay' });
      await givenChallenge(deps, { status: 'DELIVERED', channel: 'EMAIL' }, undefined);

      // Act
      const out = await notifyCardAdded(REF, deps);

      // Assess
      expect(out).toEqual({ ...REF, notified: true, activatedBy: 'OTP' });
      expect(deps.email.sent).toHaveLength(1);
      expect(deps.email.sent[0]?.body).toContain('Apple Pay');
      expect(deps.sms.sent).toEqual([]);
      expect(await storedChallenge(deps, REF)).toMatchObject({ status: 'ACTIVATED', activatedBy: 'OTP' });
      expect(await milestones(deps, 'tok-1')).toEqual(['ACTIVATED_BY_OTP', 'CARD_ADDED_NOTIFIED']);
    });

    it('tells nobody twice: a closed challenge is left as it is', async () => {
      // Prepare
      await givenChallenge(deps, { status: 'ACTIVATED' }, undefined);

      // Act
      const out = await notifyCardAdded(REF, deps);

      // Assess
      expect(out).toEqual({ ...REF, notified: false });
      expect(deps.sms.sent).toEqual([]);
      expect(await milestones(deps, 'tok-1')).toEqual([]);
    });
  });

  describe('settleChallenge', () => {
    it('closes an open challenge as expired and removes its code', async () => {
      // Prepare
      await givenChallenge(deps);

      // Act
      const out = await settleChallenge({ ...REF, outcome: 'EXPIRED', reason: 'States.Timeout' }, deps);

      // Assess
      expect(out).toEqual({ ...REF, status: 'EXPIRED' });
      const stored = await storedChallenge(deps, REF);
      expect(stored).toMatchObject({ status: 'EXPIRED', failure: 'States.Timeout' });
      expect(stored?.sealedOtp).toBeUndefined();
      expect(await milestones(deps, 'tok-1')).toEqual(['CHALLENGE_EXPIRED']);
    });

    it('leaves a challenge already closed unchanged', async () => {
      // Prepare
      await givenChallenge(deps, { status: 'ACTIVATED' }, undefined);

      // Act
      const out = await settleChallenge({ ...REF, outcome: 'FAILED', reason: 'ProviderUnavailable' }, deps);

      // Assess
      expect(out.status).toBe('UNCHANGED');
      expect((await storedChallenge(deps, REF))?.status).toBe('ACTIVATED');
    });
  });

  describe('reviewAbandonedToken', () => {
    it('sends a reminder after 24 h to a token still not activated', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv');
      await givenChallenge(deps, { status: 'EXPIRED' }, undefined);

      // Act
      const out = await reviewAbandonedToken({ ...REF, stage: 'REMINDER' }, deps);

      // Assess
      expect(out).toEqual({ ...REF, abandoned: true, action: 'reminder sent' });
      expect(deps.sms.sent.map((m) => m.to)).toEqual([PHONE]);
      expect(await milestones(deps, 'tok-1')).toEqual(['REMINDER_SENT']);
    });

    it('deletes an abandoned MDES token after 30 days', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv', { tokenUniqueReference: 'DWSPMC000000000001' });
      await givenChallenge(deps, { network: 'MDES', status: 'EXPIRED' }, undefined);

      // Act
      const out = await reviewAbandonedToken({ ...REF, stage: 'CLEANUP' }, deps);

      // Assess
      expect(out).toEqual({ ...REF, abandoned: true, action: 'MDES token deleted' });
      expect(deps.mdes.deleted).toEqual(['DWSPMC000000000001']);
      expect((await storedChallenge(deps, REF))?.status).toBe('ABANDONED_DELETED');
      expect(await milestones(deps, 'tok-1')).toEqual(['ABANDONED_TOKEN_DELETED']);
    });

    it('does nothing when MDES already deleted the token (its deletion event arrived)', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'deleted', { tokenUniqueReference: 'DWSPMC000000000001' });
      await givenChallenge(deps, { network: 'MDES', status: 'EXPIRED' }, undefined);

      // Act
      const out = await reviewAbandonedToken({ ...REF, stage: 'CLEANUP' }, deps);

      // Assess
      expect(out).toEqual({ ...REF, abandoned: false, action: 'none: token deleted' });
      expect(deps.mdes.deleted).toEqual([]);
      expect((await storedChallenge(deps, REF))?.status).toBe('EXPIRED');
    });

    it('leaves the challenge for the retry when the MDES delete fails', async () => {
      // Prepare
      deps.mdes.deleteError = new Error('MDES unavailable');
      await givenToken(deps, 'tok-1', 'pending_idv', { tokenUniqueReference: 'DWSPMC000000000001' });
      await givenChallenge(deps, { network: 'MDES', status: 'EXPIRED' }, undefined);

      // Act
      const reviewing = reviewAbandonedToken({ ...REF, stage: 'CLEANUP' }, deps);

      // Assess
      await expect(reviewing).rejects.toThrow('MDES unavailable');
      expect((await storedChallenge(deps, REF))?.status).toBe('EXPIRED');
    });

    it('marks a token without a TUR abandoned without calling MDES', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv');
      await givenChallenge(deps, { network: 'MDES', status: 'EXPIRED' }, undefined);

      // Act
      const out = await reviewAbandonedToken({ ...REF, stage: 'CLEANUP' }, deps);

      // Assess
      expect(out.action).toBe('marked abandoned (no MDES TUR)');
      expect(deps.mdes.deleted).toEqual([]);
      expect((await storedChallenge(deps, REF))?.status).toBe('ABANDONED_DELETED');
    });

    it('does nothing for a token activated meanwhile', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'active');
      await givenChallenge(deps, { status: 'EXPIRED' }, undefined);

      // Act
      const out = await reviewAbandonedToken({ ...REF, stage: 'REMINDER' }, deps);

      // Assess
      expect(out).toEqual({ ...REF, abandoned: false, action: 'none: token active' });
      expect(deps.sms.sent).toEqual([]);
    });
  });

  describe('resendChallenge', () => {
    const officer = { userId: 'u-1', userName: 'Officer One' };

    it('asks MDES for a new code by the challenge method, audited', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv', { tokenUniqueReference: 'DWSPMC000000000001' });
      await givenChallenge(deps, { network: 'MDES', method: 'EMAIL', status: 'DELIVERED' }, undefined);

      // Act
      const out = await resendChallenge({ ...REF, ...officer, allowedCustomers: ['CID1'] }, deps);

      // Assess
      expect(out).toEqual({ action: 'MDES_RESEND_REQUESTED', challengeId: REF.challengeId });
      expect(deps.mdes.resent).toEqual([
        { tokenUniqueReference: 'DWSPMC000000000001', method: 'EMAIL', userId: 'u-1' },
      ]);
      const audit = await deps.store.listAudit({ tokenId: 'tok-1' }, 10);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ operation: 'resend-challenge', customerId: 'CID1', at: NOW.toISOString() });
      expect(deps.workflow.started).toEqual([]);
    });

    it("refuses an MDES resend for a customer the officer's token does not allow", async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv', { tokenUniqueReference: 'DWSPMC000000000001' });
      await givenChallenge(deps, { network: 'MDES' }, undefined);

      // Act
      const resending = resendChallenge(
        { ...REF, ...officer, allowedCustomers: ['OTHER'], customersClaim: 'mdes_customers' },
        deps,
      );

      // Assess
      await expect(resending).rejects.toThrow(CustomerNotAllowedError);
      expect(deps.mdes.resent).toEqual([]);
    });

    it('refuses an MDES resend before the TUR is known', async () => {
      // Prepare
      await givenToken(deps, 'tok-1', 'pending_idv');
      await givenChallenge(deps, { network: 'MDES' }, undefined);

      // Act
      const resending = resendChallenge({ ...REF, ...officer }, deps);

      // Assess
      await expect(resending).rejects.toThrow(ResendNotPossibleError);
      expect(deps.mdes.resent).toEqual([]);
    });

    it('restarts delivery of a code still held, under a new execution name', async () => {
      // Prepare
      await givenChallenge(deps, { network: 'VTS', attempts: 1 });

      // Act
      const out = await resendChallenge({ ...REF, ...officer }, deps);

      // Assess
      expect(out).toEqual({ action: 'REDELIVERY_STARTED', challengeId: REF.challengeId });
      expect(deps.workflow.started).toEqual([{ ...REF, executionName: 'ch-evt-1-r2' }]);
    });

    it('cannot redeliver a code already delivered: delivered codes are deleted', async () => {
      // Prepare
      await givenChallenge(deps, { network: 'VTS', status: 'DELIVERED' }, undefined);

      // Act
      const resending = resendChallenge({ ...REF, ...officer }, deps);

      // Assess
      await expect(resending).rejects.toThrow('the code is no longer held');
      expect(deps.workflow.started).toEqual([]);
    });

    it('cannot redeliver an expired code', async () => {
      // Prepare
      await givenChallenge(deps, { network: 'VTS', expiresAt: at(-1) });

      // Act
      const resending = resendChallenge({ ...REF, ...officer }, deps);

      // Assess
      await expect(resending).rejects.toThrow('the code has expired');
      expect(deps.workflow.started).toEqual([]);
    });

    it('refuses a challenge already activated', async () => {
      // Prepare
      await givenChallenge(deps, { status: 'ACTIVATED' }, undefined);

      // Act
      const resending = resendChallenge({ ...REF, ...officer }, deps);

      // Assess
      await expect(resending).rejects.toThrow('challenge is ACTIVATED');
    });

    it('answers 404 for an unknown challenge', async () => {
      // Act
      const resending = resendChallenge({ ...REF, ...officer }, deps);

      // Assess
      await expect(resending).rejects.toThrow(NotFoundError);
    });
  });
});
