import { parsePismoCardOnFileEvent } from '../../../../shared/adapters/pismo/card-on-file-event';
import { ingestPismoEvent } from '../../../../shared/events/ingest-pismo-event';
import { MemoryTokenStore } from '../../../fixtures/memory-token-store';

const event = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  event_id: 'cof-1',
  domain: 'cardsonfile',
  event_type: 'provision-1',
  schema_version: 1,
  timestamp: '2026-12-01T10:00:00Z',
  data: {
    account_id: 100002000,
    pismo_card_id: 5271995,
    card_uuid: 'bbbb9682-06e4-11ea-9d60-52552f8f9999',
    card_name: 'Vacation card',
    expiration_date: '1214',
    first_6_digits: '411111',
    last_4_digits: '1111',
    card_status: 'PENDING',
    document_number: '12345678909',
    ...data,
  },
  ...over,
});

describe('cardsonfile events', () => {
  it('keep the status and last four; the card token, expiry, names and document are replaced', () => {
    const parsed = parsePismoCardOnFileEvent(event());
    if (!parsed.ok) throw new Error(parsed.issues.join());
    expect(parsed.event).toMatchObject({
      cardId: '5271995',
      accountId: '100002000',
      status: 'PENDING',
      lastFour: '1111',
    });
    expect(parsed.recognized).toBe(true);
    for (const gone of ['bbbb9682', '1214', 'Vacation', '411111', '12345678909'])
      expect(parsed.payload).not.toContain(gone);
  });

  it('read tolerantly: an unknown field is counted, an unknown type stored unrecognised, card_id accepted', () => {
    const parsed = parsePismoCardOnFileEvent(
      event({ event_type: 'future_thing-2' }, { pismo_card_id: undefined, card_id: '5271995', brand_new: 'x' }),
    );
    expect(parsed).toMatchObject({ ok: true, recognized: false, unknownFields: ['data.brand_new'] });
  });

  it('refuse an event naming no Pismo card, naming the field', () => {
    expect(parsePismoCardOnFileEvent(event({}, { pismo_card_id: undefined }))).toEqual({
      ok: false,
      issues: ['data.pismo_card_id: required (a Pismo card id)'],
    });
  });

  it("go onto the card's timeline through the idempotent ingestion (a redelivery is a duplicate)", async () => {
    const store = new MemoryTokenStore();
    const first = await ingestPismoEvent(event(), { store });
    const again = await ingestPismoEvent(event(), { store });
    expect([first.outcome, again.outcome]).toEqual(['applied', 'duplicate']);
    const timeline = await store.listTimeline({ cardId: '5271995' }, 10);
    expect(timeline.items).toEqual([
      expect.objectContaining({
        callMethod: 'CARD_ON_FILE_PROVISION',
        note: 'card on file provision: PENDING (card ending 1111)',
      }),
    ]);
  });
});
