import { parsePismoEvent } from '../../../shared/pismo/event-schemas';
import { seedEvent, seedEventNames } from '../../fixtures/pismo-events';

function issuesOf(input: unknown): string[] {
  const r = parsePismoEvent(input);
  return r.ok ? [] : r.issues;
}

describe('parsePismoEvent', () => {
  it.each(seedEventNames())('accepts the Pismo seed example %s', (name) => {
    const result = parsePismoEvent(seedEvent(name));
    expect(result.ok).toBe(true);
  });

  it('accepts schema_version as a number or a string and keeps it as a string', () => {
    const asNumber = seedEvent('vts-get-cvm'); // the seed itself uses 1
    const asString = seedEvent('mdes-ta'); // the seed itself uses "1"
    const a = parsePismoEvent(asNumber);
    const b = parsePismoEvent(asString);
    expect(a.ok && a.event.schema_version).toBe('1');
    expect(b.ok && b.event.schema_version).toBe('1');
  });

  it('keeps numeric Pismo ids as strings and a null token id for refusals', () => {
    const r = parsePismoEvent(seedEvent('mdes-te-refusal'));
    expect(r.ok && r.event.data.card_id).toBe('4995608');
    expect(r.ok && r.event.data.token_id).toBeNull();
  });

  it('names the missing field when card_id is absent', () => {
    const e = seedEvent('mdes-ta');
    delete e.data.card_id;
    expect(issuesOf(e)).toEqual([expect.stringMatching(/^data\.card_id: /)]);
  });

  it('rejects an unexpected envelope field', () => {
    expect(issuesOf({ ...seedEvent('mdes-ta'), surprise: true })).toEqual([expect.stringContaining('surprise')]);
  });

  it('rejects an unexpected data field', () => {
    const e = seedEvent('mdes-ta');
    e.data.pan = '5555555555554444';
    expect(issuesOf(e).join()).toContain('pan');
  });

  it('rejects another domain and an unknown event type', () => {
    expect(issuesOf({ ...seedEvent('mdes-ta'), domain: 'cards' }).join()).toMatch(/^domain: /);
    expect(issuesOf({ ...seedEvent('mdes-ta'), event_type: 'notification_v9' }).join()).toMatch(/^event_type: /);
  });

  it('rejects oversized ids and malformed timestamps', () => {
    expect(issuesOf({ ...seedEvent('mdes-ta'), event_id: 'x'.repeat(65) }).join()).toMatch(/^event_id: /);
    expect(issuesOf({ ...seedEvent('mdes-ta'), timestamp: 'yesterday' }).join()).toMatch(/^timestamp: /);
    const e = seedEvent('mdes-te-refusal');
    e.data.custom_codes = Array.from({ length: 51 }, () => 'BNR');
    expect(issuesOf(e).join()).toMatch(/^data\.custom_codes: /);
  });

  it('rejects a body that is not an object', () => {
    expect(issuesOf([seedEvent('mdes-ta')])).not.toHaveLength(0);
    expect(issuesOf(null)).not.toHaveLength(0);
  });

  it('accepts an unknown network_call_method (reported downstream, not rejected)', () => {
    const e = seedEvent('vts-get-cvm');
    e.data.network_call_method = 'VTS_SOMETHING_NEW';
    expect(parsePismoEvent(e).ok).toBe(true);
  });

  it('accepts send_challenge and token_resync events of the documented shape', () => {
    const base = { ...seedEvent('mdes-ta') };
    const challenge = {
      ...base,
      event_type: 'send_challenge',
      data: { card_id: 1, token_id: 2, otp_type: 'OTPSMS', otp_value: '123456' },
    };
    const resync = {
      ...base,
      event_type: 'token_resync',
      data: { card_id: 1, token_id: 2, token_status: 'SUSPENDED' },
    };
    expect(parsePismoEvent(challenge).ok).toBe(true);
    expect(parsePismoEvent(resync).ok).toBe(true);
  });
});
