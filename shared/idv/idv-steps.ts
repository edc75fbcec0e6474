/**
 * Flow "idv": delivering ID&V codes (the Step Functions workflow of infra/constructs/idv.ts).
 * Primary course:
 *
 * 1. Ingestion stores a challenge with its sealed code and starts the workflow (flow "events").
 * 2. deliverOtp: the code is opened and sent by the cardholder's chosen channel (SMS or email, the
 *    contact from Pismo checked against the network's hint), then removed from the store.
 * 3. awaitActivation: the workflow's task token is registered on the token and the workflow waits
 *    until the code's expiry.
 * 4. The activation event resumes it (ingestion); notifyCardAdded tells the cardholder.
 * 5. No activation in time: settleChallenge closes the challenge as expired (or failed).
 * 6. reviewAbandonedToken: a reminder after 24 h, an MDES Token Delete after 30 days.
 * 7. An officer may resend (resendChallenge): MDES sends a new code, or the workflow redelivers.
 */
import { type Clock, systemClock } from '../domain/clock';
import {
  activationPathOf,
  type Challenge,
  type ChallengeStatus,
  maskEmail,
  maskPhone,
  matchesHint,
  OPEN_CHALLENGE_STATUSES,
  type OtpSealer,
} from '../domain/challenge';
import { AppError, NotFoundError } from '../domain/errors';
import { isKnownWalletName } from '../domain/wallets';
import { CustomerNotAllowedError } from '../adapters/http/errors';
import type { TokenLifecyclePort } from '../adapters/mdes/token-lifecycle';
import { type MessageKind, renderMessage } from './messages';
import type { MessageSender } from '../adapters/aws/senders';
import type { ContactDirectory } from '../adapters/pismo/accounts-client';
import type { AuditPort, ChallengePort, TimelinePort, TokenStatePort } from '../domain/store';
import { auditedAction } from '../domain/audit';
import type { IdvWorkflowPort } from '../adapters/aws/idv-workflow';

/**
 * The ID&V workflow's steps. Each state's input and output carry ids and flags only: the code is
 * read from the challenge item inside `deliverOtp` and removed there.
 */
export interface IdvDeps {
  store: TokenStatePort & TimelinePort & ChallengePort & AuditPort;
  contacts: ContactDirectory;
  sms: MessageSender;
  email: MessageSender;
  workflow: IdvWorkflowPort;
  mdes: TokenLifecyclePort;
  /** Opens the sealed code just before it is sent (the only place it is ever in clear). */
  otpSealer: OtpSealer;
  /** Send the code by email when SMS fails and the cardholder has an email. */
  emailFallback: boolean;
  /** Wait when the network gave no expiry. */
  defaultWaitSeconds: number;
  now?: Clock;
}

/** Workflow input: ids only. */
export interface ChallengeRef {
  challengeId: string;
  tokenId: string;
}

/** Stable error names the state machine's Retry/Catch match. */
class WorkflowError extends AppError {
  constructor(message: string) {
    super(message, 'conflict');
  }
}
export class ChallengeNotFound extends WorkflowError {}
export class ChallengeExpired extends WorkflowError {}
export class ContactNotFound extends WorkflowError {}
export class DestinationMismatch extends WorkflowError {}

const OPEN = OPEN_CHALLENGE_STATUSES;

/** Puts a workflow milestone on the token's timeline (ids, method and masked destination only). */
async function milestone(
  deps: IdvDeps,
  c: Pick<Challenge, 'tokenId' | 'challengeId'>,
  what:
    | 'OTP_DELIVERED'
    | 'CARD_ADDED_NOTIFIED'
    | 'ACTIVATED_BY_OTP'
    | 'ACTIVATED_BY_APP_TO_APP'
    | 'ACTIVATED_BY_CALL_CENTER'
    | 'CHALLENGE_EXPIRED'
    | 'CHALLENGE_FAILED'
    | 'REMINDER_SENT'
    | 'ABANDONED_TOKEN_DELETED',
  facts: Record<string, string | undefined> = {},
): Promise<void> {
  const at = (deps.now ?? systemClock)().toISOString();
  await deps.store.addTimelineEntry(
    { tokenId: c.tokenId },
    {
      eventId: `${c.challengeId}-${what.toLowerCase()}`,
      eventType: 'idv_workflow',
      occurredAt: at,
      callMethod: what,
      recognized: true,
      facts: Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)),
      payload: JSON.stringify({ challengeId: c.challengeId }),
      receivedAt: at,
    },
  );
}

function waitSecondsOf(c: Challenge, deps: IdvDeps): number {
  if (!c.expiresAt) return deps.defaultWaitSeconds;
  const now = (deps.now ?? systemClock)().getTime();
  return Math.max(1, Math.ceil((Date.parse(c.expiresAt) - now) / 1000));
}

/** The channel the cardholder chose (the network's method); anything but email means SMS. */
function chosenChannel(c: Challenge): 'SMS' | 'EMAIL' {
  return c.method === 'EMAIL' ? 'EMAIL' : 'SMS';
}

/** Closes a still-pending challenge without delivering it; the code is removed in the same write. */
async function closeUndelivered(c: Challenge, status: 'EXPIRED' | 'FAILED', failure: string, deps: IdvDeps) {
  await deps.store.updateChallenge(c.tokenId, c.challengeId, ['PENDING'], { status, failure }, true);
}

async function load(ref: ChallengeRef, deps: IdvDeps): Promise<Challenge> {
  const c = await deps.store.getChallenge(ref.tokenId, ref.challengeId);
  if (!c) throw new ChallengeNotFound(`challenge ${ref.challengeId} not found`);
  return c;
}

async function walletName(tokenId: string, deps: IdvDeps): Promise<string> {
  const state = await deps.store.getTokenState(tokenId);
  const name = state?.state.facts.walletName;
  // Network data is untrusted: only a wallet name from our own list reaches a cardholder's phone.
  return name && isKnownWalletName(name) ? name : 'your wallet';
}

async function destination(channel: 'SMS' | 'EMAIL', c: Challenge, deps: IdvDeps): Promise<string | undefined> {
  const ref = { accountId: c.accountId, cardId: c.cardId };
  return channel === 'SMS' ? deps.contacts.mobilePhone(ref) : deps.contacts.email(ref);
}

/**
 * Delivers the code by the chosen method (or `channel` when the workflow falls back), then marks the
 * challenge delivered and removes the code in the same write.
 */
export async function deliverOtp(
  input: ChallengeRef & { channel?: 'SMS' | 'EMAIL' },
  deps: IdvDeps,
): Promise<ChallengeRef & { delivered: boolean; channel?: string; waitSeconds: number }> {
  const c = await load(input, deps);
  const ref = { challengeId: c.challengeId, tokenId: c.tokenId };
  if (c.status === 'DELIVERED')
    return { ...ref, delivered: true, channel: c.channel, waitSeconds: waitSecondsOf(c, deps) };
  // App-to-app and call centre: nothing to deliver; the workflow waits (same expiry) for the issuer's activation.
  if (c.status === 'NOT_DELIVERED_BY_US' || c.status === 'AWAITING_CARDHOLDER')
    return { ...ref, delivered: false, waitSeconds: waitSecondsOf(c, deps) };
  if (c.status !== 'PENDING' || !c.sealedOtp) throw new ChallengeNotFound(`challenge ${c.challengeId} is ${c.status}`);
  if (c.expiresAt && Date.parse(c.expiresAt) <= (deps.now ?? systemClock)().getTime()) {
    await closeUndelivered(c, 'EXPIRED', 'EXPIRED_ON_ARRIVAL', deps);
    throw new ChallengeExpired(`challenge ${c.challengeId} expired before delivery`);
  }
  const channel = input.channel ?? chosenChannel(c);
  if (channel === 'EMAIL' && c.method !== 'EMAIL' && !deps.emailFallback) {
    throw new ContactNotFound('email fallback is disabled');
  }
  const to = await destination(channel, c, deps);
  if (!to) throw new ContactNotFound(`no ${channel === 'SMS' ? 'active mobile phone' : 'email'} for the cardholder`);
  // The hint describes the destination the cardholder chose; a fallback channel has none.
  if (channel === chosenChannel(c) && !matchesHint(to, c.maskedHint)) {
    await closeUndelivered(c, 'FAILED', 'DESTINATION_MISMATCH', deps);
    throw new DestinationMismatch('contact on file does not match the network hint');
  }
  const message = renderMessage('OTP', c.language, {
    code: await deps.otpSealer.open(c.sealedOtp, { challengeId: c.challengeId, tokenId: c.tokenId }),
    wallet: await walletName(c.tokenId, deps),
    expires: c.expiresAt ? `${c.expiresAt.slice(11, 16)} UTC` : 'soon',
  });
  await deps.store.updateChallenge(c.tokenId, c.challengeId, ['PENDING'], { attempts: c.attempts + 1 });
  await (channel === 'SMS' ? deps.sms : deps.email).send(to, message);
  const delivered = await deps.store.updateChallenge(
    c.tokenId,
    c.challengeId,
    ['PENDING'],
    {
      status: 'DELIVERED',
      channel,
      deliveredTo: channel === 'SMS' ? maskPhone(to) : maskEmail(to),
      deliveredAt: (deps.now ?? systemClock)().toISOString(),
    },
    true,
  );
  await milestone(deps, c, 'OTP_DELIVERED', { activationMethod: channel, maskedDestination: delivered?.deliveredTo });
  return {
    ...ref,
    delivered: true,
    channel,
    waitSeconds: delivered ? waitSecondsOf(delivered, deps) : deps.defaultWaitSeconds,
  };
}

/**
 * Registers the waiting execution's task token on the token. If the token already settled (the
 * activation event came first), resumes the execution at once.
 */
export async function awaitActivation(
  input: ChallengeRef & { taskToken: string },
  deps: IdvDeps,
): Promise<{ registered: boolean }> {
  const state = await deps.store.registerActivationWait(input.tokenId, {
    challengeId: input.challengeId,
    taskToken: input.taskToken,
  });
  const status = state?.status;
  if (status === 'active') await deps.workflow.resume(input.taskToken, { activated: true });
  else if (status === 'deleted' || status === 'declined') {
    await deps.workflow.resume(input.taskToken, { error: 'TokenNotActivated', cause: `token ${status}` });
  }
  return { registered: state !== undefined };
}

async function notify(kind: MessageKind, c: Challenge, deps: IdvDeps): Promise<string | undefined> {
  const channel = c.channel ?? chosenChannel(c);
  const to = await destination(channel, c, deps);
  if (!to) return undefined;
  await (channel === 'SMS' ? deps.sms : deps.email).send(
    to,
    renderMessage(kind, c.language, { wallet: await walletName(c.tokenId, deps) }),
  );
  return channel === 'SMS' ? maskPhone(to) : maskEmail(to);
}

/** Activation arrived: mark the challenge activated and tell the cardholder the card was added. */
export async function notifyCardAdded(
  input: ChallengeRef,
  deps: IdvDeps,
): Promise<ChallengeRef & { notified: boolean; activatedBy?: string }> {
  const open = await deps.store.getChallenge(input.tokenId, input.challengeId);
  const activatedBy = open ? activationPathOf(open) : 'OTP';
  const c = await deps.store.updateChallenge(
    input.tokenId,
    input.challengeId,
    OPEN,
    { status: 'ACTIVATED', activatedBy },
    true,
  );
  // Which path activated the token (OTP, app-to-app, call centre), on its timeline.
  if (c) await milestone(deps, c, `ACTIVATED_BY_${activatedBy}`, { activationMethod: c.method });
  const to = c ? await notify('CARD_ADDED', c, deps) : undefined;
  if (c) await milestone(deps, c, 'CARD_ADDED_NOTIFIED', { maskedDestination: to });
  return { ...input, notified: to !== undefined, ...(c ? { activatedBy } : {}) };
}

/** Closes a challenge as expired or failed (the code, if still held, is removed). */
export async function settleChallenge(
  input: ChallengeRef & { outcome: 'EXPIRED' | 'FAILED'; reason?: string },
  deps: IdvDeps,
): Promise<ChallengeRef & { status: ChallengeStatus | 'UNCHANGED' }> {
  const c = await deps.store.updateChallenge(
    input.tokenId,
    input.challengeId,
    OPEN,
    { status: input.outcome, failure: input.reason },
    true,
  );
  await milestone(deps, input, input.outcome === 'EXPIRED' ? 'CHALLENGE_EXPIRED' : 'CHALLENGE_FAILED', {
    eventReason: input.reason,
  });
  return { challengeId: input.challengeId, tokenId: input.tokenId, status: c?.status ?? 'UNCHANGED' };
}

/**
 * Abandoned provisioning: after 24 h a reminder, after 30 days an MDES Token Delete. Nothing is
 * done when the token has meanwhile become active or been deleted.
 */
export async function reviewAbandonedToken(
  input: ChallengeRef & { stage: 'REMINDER' | 'CLEANUP' },
  deps: IdvDeps,
): Promise<ChallengeRef & { abandoned: boolean; action: string }> {
  const ref = { challengeId: input.challengeId, tokenId: input.tokenId };
  const state = await deps.store.getTokenState(input.tokenId);
  const status = state?.state.status;
  if (status === 'active' || status === 'deleted' || status === 'declined' || status === 'suspended') {
    return { ...ref, abandoned: false, action: `none: token ${status}` };
  }
  const c = await load(input, deps);
  if (input.stage === 'REMINDER') {
    const sent = await notify('REMINDER', c, deps);
    if (sent) await milestone(deps, c, 'REMINDER_SENT', { maskedDestination: sent });
    return { ...ref, abandoned: true, action: sent ? 'reminder sent' : 'no contact for a reminder' };
  }
  const tur = state?.state.facts.tokenUniqueReference;
  if (c.network === 'MDES' && tur) {
    await deps.mdes.deleteToken({
      tokenUniqueReference: tur,
      reasonCode: 'Z',
      comment: 'Provisioning abandoned: not activated within 30 days',
    });
  }
  await deps.store.updateChallenge(
    c.tokenId,
    c.challengeId,
    ['EXPIRED', 'FAILED', ...OPEN],
    { status: 'ABANDONED_DELETED' },
    true,
  );
  await milestone(deps, c, 'ABANDONED_TOKEN_DELETED');
  return {
    ...ref,
    abandoned: true,
    action: c.network === 'MDES' && tur ? 'MDES token deleted' : 'marked abandoned (no MDES TUR)',
  };
}

/** The resend cannot be done for this challenge (409, with the reason). */
export class ResendNotPossibleError extends AppError {
  constructor(reason: string) {
    super(reason, 'conflict', { expose: true });
  }
}

/**
 * `POST /tokens/{tokenId}/challenges/{id}/resend`. MDES: ask MDES to send a new activation code
 * (Customer Service Resend Activation Code; the new code arrives as a new AC event). VTS and Pismo
 * challenges: re-deliver only while the stored code is still held (not yet delivered) and valid.
 */
export async function resendChallenge(
  input: ChallengeRef & {
    userId: string;
    userName: string;
    /** The MDES customers the officer's token allows (checked before an MDES resend); absent: not checked. */
    allowedCustomers?: readonly string[];
    customersClaim?: string;
  },
  deps: Pick<IdvDeps, 'store' | 'workflow' | 'mdes' | 'now'>,
): Promise<{ action: 'MDES_RESEND_REQUESTED' | 'REDELIVERY_STARTED'; challengeId: string }> {
  const c = await deps.store.getChallenge(input.tokenId, input.challengeId);
  if (!c) throw new NotFoundError(`challenge ${input.challengeId} not found`);
  const state = await deps.store.getTokenState(input.tokenId);
  const tur = state?.state.facts.tokenUniqueReference;
  const customerId =
    c.network === 'MDES' ? ((await deps.mdes.customerId?.()) ?? 'default') : `${c.network} (no MDES customer)`;
  // An officer acts on MDES only for the customers their token names (as on the Customer Service routes).
  if (c.network === 'MDES' && input.allowedCustomers && !input.allowedCustomers.includes(customerId))
    throw new CustomerNotAllowedError(customerId, input.customersClaim ?? 'customers');
  // Audited like the same action on the Customer Service routes: PENDING first, then the outcome.
  return auditedAction(
    {
      owner: { tokenId: input.tokenId },
      operation: 'resend-challenge',
      officer: { userId: input.userId, userName: input.userName },
      customerId:
        c.network === 'MDES' ? ((await deps.mdes.customerId?.()) ?? 'default') : `${c.network} (no MDES customer)`,
      tokenId: input.tokenId,
      tokenUniqueReference: c.network === 'MDES' ? tur : undefined,
      params: { challengeId: c.challengeId },
    },
    deps,
    () => resend(c, tur, input, deps),
    (r) => r.action,
  );
}

async function resend(
  c: Challenge,
  tur: string | undefined,
  input: { userId: string; userName: string },
  deps: Pick<IdvDeps, 'workflow' | 'mdes' | 'now'>,
): Promise<{ action: 'MDES_RESEND_REQUESTED' | 'REDELIVERY_STARTED'; challengeId: string }> {
  if (!['PENDING', 'DELIVERED', 'EXPIRED', 'FAILED'].includes(c.status))
    throw new ResendNotPossibleError(`challenge is ${c.status}`);
  const now = (deps.now ?? systemClock)();
  if (c.network === 'MDES') {
    if (!tur)
      throw new ResendNotPossibleError('the Token Unique Reference is not known yet; MDES needs it to resend a code');
    await deps.mdes.resendActivationCode({
      tokenUniqueReference: tur,
      userId: input.userId,
      userName: input.userName,
      method: c.method === 'SMS' || c.method === 'EMAIL' ? c.method : undefined,
    });
    return { action: 'MDES_RESEND_REQUESTED', challengeId: c.challengeId };
  }
  if (c.status !== 'PENDING' || !c.sealedOtp) {
    throw new ResendNotPossibleError(
      'the code is no longer held (delivered codes are deleted); the cardholder asks the wallet for a new one',
    );
  }
  if (c.expiresAt && Date.parse(c.expiresAt) <= now.getTime()) throw new ResendNotPossibleError('the code has expired');
  await deps.workflow.start(
    { challengeId: c.challengeId, tokenId: c.tokenId },
    `${c.challengeId}-r${c.attempts + 1}`.slice(0, 80),
  );
  return { action: 'REDELIVERY_STARTED', challengeId: c.challengeId };
}
