import type { Challenge } from '../../../shared/domain/challenge';
import type { TokenFacts } from '../../../shared/domain/token-event';
import type { TokenStatus } from '../../../shared/domain/token-status';
import type { IdvDeps } from '../../../shared/idv/idv-steps';
import type { IdvWorkflowPort } from '../../../shared/adapters/aws/idv-workflow';
import type { MessageSender } from '../../../shared/adapters/aws/senders';
import type { TokenLifecyclePort } from '../../../shared/adapters/mdes/token-lifecycle';
import type { ContactDirectory } from '../../../shared/adapters/pismo/accounts-client';
import { fakeOtpSealer } from '../../fixtures/fake-otp-sealer';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

/** The fixed time of the ID&V unit tests. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');
export const at = (offsetSeconds: number) => new Date(NOW.getTime() + offsetSeconds * 1000).toISOString();

export const PHONE = '+5511912347728';
export const EMAIL = 'ana.souza@example.com';

/** A message sender that records what it sent (and can be made to fail). */
export function recordingSender(): MessageSender & {
  sent: { to: string; subject: string; body: string }[];
  failWith?: Error;
} {
  const sender = {
    sent: [] as { to: string; subject: string; body: string }[],
    failWith: undefined as Error | undefined,
    send: async (to: string, message: { subject: string; body: string }) => {
      if (sender.failWith) throw sender.failWith;
      sender.sent.push({ to, ...message });
      return `msg-${sender.sent.length}`;
    },
  };
  return sender;
}

/** The cardholder's contacts at Pismo (undefined: none on file). */
export function fakeContacts(contacts: { phone?: string; email?: string }): ContactDirectory {
  return {
    mobilePhone: async () => contacts.phone,
    email: async () => contacts.email,
  };
}

/** MDES token lifecycle calls, recorded; `deleteError` makes the delete fail. */
export function fakeLifecycle(customerId = 'CID1'): TokenLifecyclePort & {
  deleted: string[];
  resent: { tokenUniqueReference: string; method?: string; userId: string }[];
  deleteError?: Error;
} {
  const mdes = {
    deleted: [] as string[],
    resent: [] as { tokenUniqueReference: string; method?: string; userId: string }[],
    deleteError: undefined as Error | undefined,
    customerId: async () => customerId,
    deleteToken: async (request: { tokenUniqueReference: string }) => {
      if (mdes.deleteError) throw mdes.deleteError;
      mdes.deleted.push(request.tokenUniqueReference);
    },
    resendActivationCode: async (request: {
      tokenUniqueReference: string;
      userId: string;
      method?: 'SMS' | 'EMAIL';
    }) => {
      mdes.resent.push({
        tokenUniqueReference: request.tokenUniqueReference,
        method: request.method,
        userId: request.userId,
      });
    },
  };
  return mdes;
}

/** The workflow port, recorded. */
export function recordingWorkflow(): IdvWorkflowPort & {
  started: { challengeId: string; tokenId: string; executionName?: string }[];
  resumed: { taskToken: string; result: unknown }[];
} {
  const started: { challengeId: string; tokenId: string; executionName?: string }[] = [];
  const resumed: { taskToken: string; result: unknown }[] = [];
  return {
    started,
    resumed,
    start: async (input, executionName) => {
      started.push({ ...input, executionName });
      return 'started';
    },
    resume: async (taskToken, result) => {
      resumed.push({ taskToken, result });
      return true;
    },
  };
}

/** ID&V deps over fakes, with the parts a test asserts on. */
export function fakeIdvDeps(contacts: { phone?: string; email?: string } = { phone: PHONE, email: EMAIL }) {
  const deps = {
    store: new MemoryTokenStore(),
    contacts: fakeContacts(contacts),
    sms: recordingSender(),
    email: recordingSender(),
    workflow: recordingWorkflow(),
    mdes: fakeLifecycle(),
    otpSealer: fakeOtpSealer(),
    emailFallback: true,
    defaultWaitSeconds: 1800,
    now: () => NOW,
  } satisfies IdvDeps;
  return deps;
}
export type FakeIdvDeps = ReturnType<typeof fakeIdvDeps>;

/** Stores a token state (status and facts) for the challenge's token. */
export async function givenToken(
  deps: FakeIdvDeps,
  tokenId: string,
  status: TokenStatus | undefined,
  facts: TokenFacts = {},
): Promise<void> {
  await deps.store.putTokenState(
    { tokenId, status, facts: { cardId: 'card-1', ...facts }, clocks: {}, firstEventAt: at(-60), lastEventAt: at(-60) },
    undefined,
  );
}

/**
 * Stores a challenge as ingestion leaves it: PENDING, by SMS, with its code sealed to it (`code`),
 * expiring in ten minutes; `overrides` change any of it.
 */
export async function givenChallenge(
  deps: FakeIdvDeps,
  overrides: Partial<Challenge> = {},
  code: string | undefined = '123456',
): Promise<Challenge> {
  const base: Challenge = {
    challengeId: 'ch-evt-1',
    tokenId: 'tok-1',
    cardId: 'card-1',
    accountId: 'acc-1',
    network: 'VTS',
    method: 'SMS',
    maskedHint: '(###)###7728',
    expiresAt: at(600),
    language: 'en',
    status: 'PENDING',
    sourceEventId: 'evt-1',
    createdAt: at(-5),
    attempts: 0,
    ...overrides,
  };
  const sealedOtp =
    code === undefined
      ? undefined
      : await deps.otpSealer.seal(code, { challengeId: base.challengeId, tokenId: base.tokenId });
  const challenge = { ...base, sealedOtp };
  await deps.store.putChallenge(challenge);
  return challenge;
}

/** The stored challenge now. */
export async function storedChallenge(deps: FakeIdvDeps, c: Pick<Challenge, 'tokenId' | 'challengeId'>) {
  return deps.store.getChallenge(c.tokenId, c.challengeId);
}

/** The workflow milestones on the token's timeline (their call methods). */
export async function milestones(deps: FakeIdvDeps, tokenId: string): Promise<string[]> {
  const page = await deps.store.listTimeline({ tokenId }, 100);
  return page.items.filter((e) => e.eventType === 'idv_workflow').map((e) => e.callMethod);
}
