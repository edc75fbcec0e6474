import { challengeIdOf, newChallenge, openingOf, startsWorkflow } from '../../../shared/domain/challenge';
import type { TokenEvent } from '../../../shared/domain/token-event';

const NOW = new Date('2026-03-01T12:00:00.000Z');

/** A normalised send-challenge event. */
function challengeEvent(overrides: Partial<TokenEvent> = {}): TokenEvent {
  return {
    eventId: 'evt:1/a',
    eventType: 'send_challenge',
    occurredAt: '2026-03-01T11:59:59.000Z',
    tokenId: 'tok-1',
    cardId: 'card-1',
    callMethod: 'SEND_CHALLENGE',
    recognized: true,
    facts: {
      network: 'VTS',
      accountId: 'acc-1',
      activationMethod: 'SMS',
      maskedDestination: '(###)###7728',
      challengeExpiresAt: '2026-03-01T12:10:00.000Z',
      consumerLanguage: 'pt',
    },
    ...overrides,
  };
}

describe('challenge creation (shared/domain/challenge.ts)', () => {
  it('derives an execution-safe id of at most 80 characters from the event id', () => {
    // Act
    const ids = [challengeIdOf('evt:1/a'), challengeIdOf('x'.repeat(200))];

    // Assess
    expect(ids[0]).toBe('ch-evt_1_a');
    expect(ids[1]).toHaveLength(80);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it.each([
    ['a token still waiting, an SMS code we can seal', 'pending_idv', 'SMS', true, true, { status: 'PENDING' }],
    ['a token with no status yet', undefined, 'EMAIL', true, true, { status: 'PENDING' }],
    ['a token already active', 'active', 'SMS', true, true, { status: 'SUPERSEDED' }],
    ['a token already deleted', 'deleted', 'SMS', true, true, { status: 'SUPERSEDED' }],
    ['an app-to-app code', 'pending_idv', 'APP_TO_APP', true, true, { status: 'AWAITING_CARDHOLDER' }],
    [
      'a call-centre choice without a code',
      'pending_idv',
      'CALL_CENTER',
      false,
      false,
      { status: 'AWAITING_CARDHOLDER' },
    ],
    ['an app-to-app code on an active token', 'active', 'APP_TO_APP', true, true, { status: 'SUPERSEDED' }],
    ['a code of no method we know', 'pending_idv', undefined, true, true, { status: 'NOT_DELIVERED_BY_US' }],
    [
      'a message without a code',
      'pending_idv',
      'SMS',
      false,
      true,
      { status: 'FAILED', failure: 'NO_CODE_IN_MESSAGE' },
    ],
    ['no sealer', 'pending_idv', 'SMS', true, false, { status: 'FAILED', failure: 'CODE_NOT_SEALED' }],
  ] as const)('opens the challenge for %s', (_case, tokenStatus, method, hasCode, canSeal, expected) => {
    // Act
    const opening = openingOf({ method, tokenStatus, hasCode, canSeal });

    // Assess
    expect(opening).toEqual(expected);
  });

  it('starts the workflow for codes we deliver and codes we only wait for', () => {
    expect(
      ['PENDING', 'NOT_DELIVERED_BY_US', 'AWAITING_CARDHOLDER', 'SUPERSEDED', 'FAILED'].map((s) =>
        startsWorkflow(s as never),
      ),
    ).toEqual([true, true, true, false, false]);
  });

  it('builds the challenge from the normalised event, the opening and the sealed code', () => {
    // Prepare
    const event = challengeEvent();

    // Act
    const c = newChallenge(event, { status: 'PENDING', sealedOtp: 'c2VhbGVk' }, NOW);

    // Assess
    expect(c).toEqual({
      challengeId: 'ch-evt_1_a',
      tokenId: 'tok-1',
      cardId: 'card-1',
      accountId: 'acc-1',
      network: 'VTS',
      method: 'SMS',
      maskedHint: '(###)###7728',
      expiresAt: '2026-03-01T12:10:00.000Z',
      language: 'pt',
      status: 'PENDING',
      sourceEventId: 'evt:1/a',
      createdAt: NOW.toISOString(),
      attempts: 0,
      failure: undefined,
      sealedOtp: 'c2VhbGVk',
    });
  });

  it('never keeps a code on a challenge we will not deliver', () => {
    // Act
    const c = newChallenge(challengeEvent(), { status: 'SUPERSEDED', sealedOtp: 'c2VhbGVk' }, NOW);

    // Assess
    expect(c.sealedOtp).toBeUndefined();
  });

  it('defaults an unknown network', () => {
    // Act
    const c = newChallenge(challengeEvent({ facts: {} }), { status: 'NOT_DELIVERED_BY_US' }, NOW);

    // Assess
    expect(c.network).toBe('UNKNOWN');
  });
});
