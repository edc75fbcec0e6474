import fc from 'fast-check';
import type { TokenEvent } from '../../../shared/domain/token-event';
import { applyTokenEvent, type TokenState } from '../../../shared/domain/token-state';
import { MDES_LIFECYCLE, VTS_LIFECYCLE } from '../../../local/seed/pismo-events';
import { seedTokenEvents, tokenEvent } from '../../../local/seed/token-events';

function fold(events: TokenEvent[]): Map<string, TokenState> {
  const states = new Map<string, TokenState>();
  for (const e of events) {
    if (e.tokenId === null) continue;
    states.set(e.tokenId, applyTokenEvent(states.get(e.tokenId), e).state);
  }
  return states;
}

describe('applyTokenEvent', () => {
  it('creates the state from the first event', () => {
    const { state, changed } = applyTokenEvent(
      undefined,
      tokenEvent({
        eventId: 'a',
        occurredAt: '2020-01-01T00:00:00.000Z',
        status: 'active',
        facts: { walletName: 'Google Pay' },
      }),
    );
    expect(changed).toBe(true);
    expect(state).toMatchObject({
      tokenId: 't1',
      status: 'active',
      statusEventId: 'a',
      facts: { walletName: 'Google Pay' },
    });
  });

  it('keeps a false fact (otpMaxReached) and lets a later true replace it', () => {
    const first = tokenEvent({ eventId: 'a', occurredAt: '2020-01-01T00:00:00.000Z', facts: { otpMaxReached: false } });
    const later = tokenEvent({ eventId: 'b', occurredAt: '2020-01-02T00:00:00.000Z', facts: { otpMaxReached: true } });
    const once = applyTokenEvent(undefined, first).state;
    expect(once.facts.otpMaxReached).toBe(false);
    expect(applyTokenEvent(once, later).state.facts.otpMaxReached).toBe(true);
  });

  it('keeps the network an earlier event said when a later one (patch) says none', () => {
    const tc = tokenEvent({ eventId: 'a', occurredAt: '2020-01-01T00:00:00.000Z', facts: { network: 'MDES' } });
    const patch = tokenEvent({
      eventId: 'b',
      occurredAt: '2020-01-02T00:00:00.000Z',
      callMethod: 'PATCH',
      status: 'suspended',
    });
    const state = applyTokenEvent(applyTokenEvent(undefined, tc).state, patch).state;
    expect(state).toMatchObject({ status: 'suspended', facts: { network: 'MDES' } });
  });

  it('does not let an older event move the status back', () => {
    const newer = tokenEvent({ eventId: 'b', occurredAt: '2020-01-02T00:00:00.000Z', status: 'suspended' });
    const older = tokenEvent({ eventId: 'a', occurredAt: '2020-01-01T00:00:00.000Z', status: 'active' });
    const { state, changed } = applyTokenEvent(applyTokenEvent(undefined, newer).state, older);
    expect(state.status).toBe('suspended');
    expect(changed).toBe(true); // firstEventAt moved back
    expect(state.firstEventAt).toBe('2020-01-01T00:00:00.000Z');
  });

  it('keeps a deleted token deleted even if a later event says active', () => {
    const deleted = tokenEvent({ eventId: 'a', occurredAt: '2020-01-01T00:00:00.000Z', status: 'deleted' });
    const later = tokenEvent({ eventId: 'b', occurredAt: '2020-01-02T00:00:00.000Z', status: 'active' });
    expect(applyTokenEvent(applyTokenEvent(undefined, deleted).state, later).state.status).toBe('deleted');
    expect(applyTokenEvent(applyTokenEvent(undefined, later).state, deleted).state.status).toBe('deleted');
  });

  it('fills a fact from an older event when no newer event carried it', () => {
    const tc = tokenEvent({ eventId: 'b', occurredAt: '2020-01-02T00:00:00.000Z', facts: { activeTokens: 3 } });
    const ta = tokenEvent({
      eventId: 'a',
      occurredAt: '2020-01-01T00:00:00.000Z',
      facts: { activeTokens: 2, walletName: 'Google Pay' },
    });
    const { state } = applyTokenEvent(applyTokenEvent(undefined, tc).state, ta);
    expect(state.facts).toEqual({ activeTokens: 3, walletName: 'Google Pay' });
  });

  it('reports no change for a duplicate', () => {
    const e = tokenEvent({
      eventId: 'a',
      occurredAt: '2020-01-01T00:00:00.000Z',
      status: 'active',
      facts: { deviceName: 'x' },
    });
    const once = applyTokenEvent(undefined, e).state;
    const twice = applyTokenEvent(once, e);
    expect(twice.changed).toBe(false);
    expect(twice.state).toEqual(once);
  });

  it('rejects an event without a token', () => {
    expect(() =>
      applyTokenEvent(undefined, tokenEvent({ eventId: 'a', occurredAt: '2020-01-01T00:00:00.000Z', tokenId: null })),
    ).toThrow();
  });

  describe('convergence (property)', () => {
    const lifecycle = seedTokenEvents([...MDES_LIFECYCLE, ...VTS_LIFECYCLE]);
    // Extra events with conflicting facts and tied timestamps make the property non-trivial.
    const conflicting = [
      tokenEvent({
        eventId: 'x1',
        tokenId: '17556',
        occurredAt: '2020-12-10T22:37:57.342Z',
        status: 'suspended',
        facts: { activeTokens: 9 },
      }),
      tokenEvent({
        eventId: 'x2',
        tokenId: '17580',
        occurredAt: '2020-12-23T10:22:18.384Z',
        status: 'suspended',
        facts: { deviceName: 'other' },
      }),
    ];
    const all = [...lifecycle, ...conflicting];
    const reference = fold(
      [...all].sort((a, b) => `${a.occurredAt}#${a.eventId}`.localeCompare(`${b.occurredAt}#${b.eventId}`)),
    );

    it('gives the in-order state for any order with each event delivered 1-3 times', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: all.length, maxLength: all.length }),
          fc.array(fc.double({ noNaN: true }), { minLength: all.length * 3, maxLength: all.length * 3 }),
          (copies, keys) => {
            const deliveries = all.flatMap((e, i) => Array.from({ length: copies[i] ?? 1 }, () => e));
            const order = deliveries
              .map((e, i) => ({ e, k: keys[i] ?? 0 }))
              .sort((a, b) => a.k - b.k)
              .map((x) => x.e);
            expect(fold(order)).toEqual(reference);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('ends the MDES lifecycle deleted and the VTS token 17580 active', () => {
      const states = fold(lifecycle);
      expect(states.get('17556')?.status).toBe('deleted');
      expect(states.get('17556')?.facts.activeTokens).toBe(3);
      expect(states.get('17580')?.status).toBe('active');
    });
  });
});
