import { ValidationError } from '../../../shared/domain/errors';
import type { CardChange } from '../../../shared/domain/card';
import { ingestPismoEvent } from '../../../shared/events/ingest-pismo-event';
import { reportIngestOutcome } from '../../../shared/events/report-outcome';
import type { Observability } from '../../../shared/adapters/observability/powertools';
import { cardUpdateEvent } from '../../../local/seed/card-events';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:05:00.000Z';
const T3 = '2026-12-01T10:10:00.000Z';

function setup() {
  const store = new MemoryTokenStore();
  const changes: CardChange[] = [];
  const deps = { store, cardChanges: { cardChanged: async (c: CardChange) => void changes.push(c) } };
  return { store, changes, deps };
}

const blocked = (eventId = 'ce-1', timestamp = T2) =>
  cardUpdateEvent({ eventId, cardId: 123, status: 'BLOCKED', previousStatus: 'NORMAL', timestamp });

describe('card events (Pismo `cards` `update`)', () => {
  it("stores the card's status, previous status, type and last four, nothing else of the card", async () => {
    const { store, deps, changes } = setup();
    const outcome = await ingestPismoEvent(blocked(), deps);
    expect(outcome).toMatchObject({ outcome: 'applied', cardId: '123', tokenId: null, stateChanged: true });
    expect(outcome.card).toEqual({ status: 'BLOCKED', statusKnown: true, current: true, cardStatus: 'BLOCKED' });
    expect((await store.getCardState('123'))?.state).toEqual({
      cardId: '123',
      status: 'BLOCKED',
      statusKnown: true,
      previousStatus: 'NORMAL',
      cardType: 'VIRTUAL',
      lastFour: '0042',
      accountId: '102030',
      lastEventId: 'ce-1',
      lastEventAt: T2,
      firstEventAt: T2,
    });
    const [entry] = (await store.listTimeline({ cardId: '123' }, 10)).items;
    expect(entry?.card).toEqual({
      status: 'BLOCKED',
      statusKnown: true,
      previousStatus: 'NORMAL',
      cardType: 'VIRTUAL',
      lastFour: '0042',
    });
    const stored = JSON.stringify([...store.cards.values(), entry]);
    for (const secret of ['c2ltdWxhdGVkLWNhcmQtaGFzaA==', 'Main card', 'A CARDHOLDER']) {
      expect(stored).not.toContain(secret);
    }
    expect(changes).toEqual([
      { cardId: '123', cardEventId: 'ce-1', status: 'BLOCKED', previousStatus: 'NORMAL', occurredAt: T2 },
    ]);
  });

  it('is idempotent: the same event again is a duplicate, changes nothing', async () => {
    const { store, deps } = setup();
    await ingestPismoEvent(blocked(), deps);
    const again = await ingestPismoEvent(blocked(), deps);
    expect(again).toMatchObject({ outcome: 'duplicate', stateChanged: false });
    expect((await store.getCardState('123'))?.version).toBe(1);
    expect((await store.listTimeline({ cardId: '123' }, 10)).items).toHaveLength(1);
  });

  it('is order-tolerant: an event older than the last applied one changes nothing (but is on the timeline)', async () => {
    const { store, deps, changes } = setup();
    await ingestPismoEvent(
      cardUpdateEvent({ eventId: 'ce-3', cardId: 123, status: 'NORMAL', previousStatus: 'BLOCKED', timestamp: T3 }),
      deps,
    );
    const older = await ingestPismoEvent(blocked('ce-2', T2), deps);
    expect(older).toMatchObject({ outcome: 'applied', stateChanged: false });
    expect(older.card).toMatchObject({ current: false, cardStatus: 'NORMAL' });
    expect((await store.getCardState('123'))?.state.status).toBe('NORMAL');
    expect(changes.map((c) => c.cardEventId)).toEqual(['ce-3']);
    expect((await store.listTimeline({ cardId: '123' }, 10)).items.map((e) => e.eventId)).toEqual(['ce-2', 'ce-3']);
  });

  it('converges whatever the order of arrival', async () => {
    const events = [
      cardUpdateEvent({ eventId: 'a', cardId: 9, status: 'BLOCKED', timestamp: T1 }),
      cardUpdateEvent({ eventId: 'b', cardId: 9, status: 'NORMAL', previousStatus: 'BLOCKED', timestamp: T2 }),
      cardUpdateEvent({ eventId: 'c', cardId: 9, status: 'LOST', timestamp: T3 }),
    ];
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
    ]) {
      const { store, deps } = setup();
      for (const i of order) await ingestPismoEvent(events[i], deps);
      expect((await store.getCardState('9'))?.state).toMatchObject({ status: 'LOST', lastEventId: 'c' });
    }
  });

  it('hands the change again after a crash before the timeline write (the redelivery re-runs it)', async () => {
    const { store, deps, changes } = setup();
    store.beforeAddTimeline = () => {
      throw new Error('crash');
    };
    await expect(ingestPismoEvent(blocked(), deps)).rejects.toThrow('crash');
    store.beforeAddTimeline = undefined;
    expect(await ingestPismoEvent(blocked(), deps)).toMatchObject({ outcome: 'applied' });
    expect(changes.map((c) => c.cardEventId)).toEqual(['ce-1', 'ce-1']);
  });

  it('stores and counts an unknown card status, never fails the event', async () => {
    const { store, deps } = setup();
    const outcome = await ingestPismoEvent(
      cardUpdateEvent({ eventId: 'ce-x', cardId: 7, status: 'MELTED', timestamp: T1 }),
      deps,
    );
    expect(outcome).toMatchObject({ outcome: 'applied', recognized: true });
    expect((await store.getCardState('7'))?.state).toMatchObject({ status: 'MELTED', statusKnown: false });
    const metrics: string[] = [];
    const obs = {
      metrics: { addMetric: (name: string) => metrics.push(name) },
      logger: { warn: () => undefined, info: () => undefined },
    } as unknown as Observability;
    reportIngestOutcome(obs, outcome, 'http');
    expect(metrics).toContain('UnknownCardStatus');
  });

  it('keeps and counts unknown fields, never rejects an additive field', async () => {
    const { store, deps } = setup();
    const event = cardUpdateEvent({ eventId: 'ce-f', cardId: 8, status: 'BLOCKED', extra: { new_flag: true } });
    const outcome = await ingestPismoEvent({ ...event, new_envelope: 1 }, deps);
    expect(outcome.unknownFields).toEqual(['new_envelope', 'data.new_flag']);
    const [entry] = (await store.listTimeline({ cardId: '8' }, 10)).items;
    expect(JSON.parse(entry?.payload ?? '{}').data.new_flag).toBe(true);
  });

  it('stores another `cards` event type as unrecognised, without changing the card', async () => {
    const { store, deps } = setup();
    const event = { ...blocked(), event_type: 'create-1' };
    const outcome = await ingestPismoEvent(event, deps);
    expect(outcome).toMatchObject({ outcome: 'applied', recognized: false, stateChanged: false });
    expect(await store.getCardState('123')).toBeUndefined();
  });

  it('refuses what is unusable: no card id, no status, a bad timestamp (nothing written)', async () => {
    const { store, deps } = setup();
    const base = blocked();
    const data = base.data as Record<string, unknown>;
    for (const bad of [
      { ...base, data: { ...data, card_id: undefined } },
      { ...base, data: { ...data, card_status: undefined } },
      { ...base, timestamp: 'yesterday' },
    ]) {
      await expect(ingestPismoEvent(bad, deps)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(store.writes).toBe(0);
  });

  it('keeps only four digits as the last four (a longer number is never stored)', async () => {
    const { store, deps } = setup();
    await ingestPismoEvent(
      cardUpdateEvent({ eventId: 'ce-p', cardId: 5, status: 'BLOCKED', lastFour: '5555555555554444' }),
      deps,
    );
    expect((await store.getCardState('5'))?.state.lastFour).toBeUndefined();
    expect(JSON.stringify([...store.timelines.values()].flatMap((t) => [...t.values()]))).not.toContain(
      '5555555555554444',
    );
  });
});
