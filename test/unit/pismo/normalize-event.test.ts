import type { PismoEvent } from '../../../shared/pismo/event-schemas';
import { parsePismoEvent } from '../../../shared/pismo/event-schemas';
import { normalizePismoEvent } from '../../../shared/pismo/normalize-event';
import { type SeedEventName, seedEvent } from '../../fixtures/pismo-events';

function parsed(input: unknown): PismoEvent {
  const r = parsePismoEvent(input);
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.event;
}

const normalized = (name: SeedEventName) => normalizePismoEvent(parsed(seedEvent(name)));

describe('normalizePismoEvent', () => {
  describe('MDES', () => {
    it('maps TA to requested with wallet, requestor, storage technology and PAN source', () => {
      const e = normalized('mdes-ta');
      expect(e).toMatchObject({
        tokenId: '17556',
        cardId: '4995608',
        callMethod: 'TA',
        recognized: true,
        status: 'requested',
      });
      expect(e.facts).toMatchObject({
        network: 'MDES',
        walletId: '216',
        walletName: 'Google Pay',
        tokenRequestorId: '50120834693',
        storageTechnologyCode: '01',
        panSource: '2',
        activeTokens: 2,
        tokenType: 'C',
        accountId: '100001185',
        orgId: 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6',
      });
    });

    it('maps AC to pending ID&V with method, masked destination and expiry, never the code', () => {
      const e = normalized('mdes-ac');
      expect(e.status).toBe('pending_idv');
      expect(e.facts).toMatchObject({
        activationMethod: 'SMS',
        maskedDestination: '(###)###7728',
        challengeExpiresAt: '2020-12-10T23:07:00.000Z',
      });
      expect(JSON.stringify(e)).not.toContain('523894');
    });

    it('maps TC to active with TUR, PAN unique reference, device and active tokens', () => {
      expect(normalized('mdes-tc')).toMatchObject({
        status: 'active',
        facts: {
          tokenUniqueReference: 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e',
          panReference: 'FSHRMC00002593398d3715eb2b0b4189b07e0853c37fe073',
          deviceName: '!samsung!samsung!SM-',
          activeTokens: 3,
          consumerLanguage: 'en',
        },
      });
    });

    it('maps TV event indicator 3 to deleted with the requestor', () => {
      expect(normalized('mdes-tv-deleted')).toMatchObject({
        status: 'deleted',
        facts: { eventIndicator: '3', eventRequestor: 'CARDHOLDER' },
      });
    });

    it.each([
      ['4', 'deleted'],
      ['6', 'suspended'],
      ['7', 'active'],
      ['9', undefined],
      ['42', undefined],
    ])('maps TV event indicator %s to %s', (indicator, status) => {
      const raw = seedEvent('mdes-tv-deleted');
      const mdes = (
        raw.data.network_data as { de124_member_defined_data: { mdes_data: Record<string, Record<string, string>> } }
      ).de124_member_defined_data.mdes_data;
      if (mdes.tokenization_event_notification) mdes.tokenization_event_notification.sf2_event_indicator = indicator;
      expect(normalizePismoEvent(parsed(raw)).status).toBe(status);
    });

    it('keeps a TE refusal on the card, with its custom codes and no status', () => {
      expect(normalized('mdes-te-refusal')).toMatchObject({
        tokenId: null,
        cardId: '4995608',
        eventType: 'notification_refusal',
        status: undefined,
        facts: { customCodes: ['BNR'] },
      });
    });
  });

  describe('VTS', () => {
    it('maps approve provisioning to requested and decodes the base64 device name', () => {
      expect(normalized('vts-approve-provisioning')).toMatchObject({
        status: 'requested',
        facts: {
          network: 'VTS',
          panReference: 'V-00000000089935214',
          deviceName: 'Galaxy S6 edge+',
          deviceBrand: 'samsung',
          panSource: 'KEY_ENTERED',
          activeTokens: 1,
          tokenType: 'HCE',
        },
      });
    });

    it('maps GET_CVM and PASSCODE to pending ID&V with the token reference, never the OTP', () => {
      expect(normalized('vts-get-cvm')).toMatchObject({
        status: 'pending_idv',
        facts: { tokenUniqueReference: 'DNITHE0000000003963' },
      });
      const passcode = normalized('vts-passcode');
      expect(passcode).toMatchObject({
        status: 'pending_idv',
        facts: { activationMethod: 'SMS', challengeExpiresAt: '2020-12-19T13:07:43.000Z' },
      });
      expect(JSON.stringify(passcode)).not.toContain('927945');
    });

    it.each([
      ['vts-token-deactivated', 'deleted'],
      ['vts-token-suspended', 'suspended'],
      ['vts-token-resume', 'active'],
    ] as const)('maps %s to %s', (name, status) => {
      expect(normalized(name)).toMatchObject({ status, facts: { eventReason: expect.any(String) } });
    });

    it('accepts Pismo misspelled approve-provisioning methods', () => {
      for (const method of ['VTS_APPROVE_PROVSIONING', 'VTS_APPROVE_PROVISIONG_ISO', 'VTS_APPROVE_PROVISIONING_ISO']) {
        const raw = seedEvent('vts-approve-provisioning');
        raw.data.network_call_method = method;
        expect(normalizePismoEvent(parsed(raw))).toMatchObject({ recognized: true, status: 'requested' });
      }
    });

    it('marks an unknown VTS method unrecognized without a status', () => {
      const raw = seedEvent('vts-get-cvm');
      raw.data.network_call_method = 'VTS_BRAND_NEW';
      expect(normalizePismoEvent(parsed(raw))).toMatchObject({
        recognized: false,
        status: undefined,
        facts: { network: 'VTS' },
      });
    });
  });

  it('marks a method of no known network unrecognized', () => {
    const raw = seedEvent('vts-get-cvm');
    raw.data.network_call_method = 'XYZ';
    raw.data.network_data = {};
    expect(normalizePismoEvent(parsed(raw))).toMatchObject({ recognized: false, facts: { network: 'UNKNOWN' } });
  });

  it('normalises send_challenge to pending ID&V with the OTP type as method', () => {
    const raw = {
      ...seedEvent('mdes-ta'),
      event_type: 'send_challenge',
      data: { card_id: 1, token_id: 2, otp_type: 'OTPEMAIL', otp_value: '654321' },
    };
    const e = normalizePismoEvent(parsed(raw));
    expect(e).toMatchObject({ status: 'pending_idv', recognized: true, facts: { activationMethod: 'EMAIL' } });
    expect(JSON.stringify(e)).not.toContain('654321');
  });

  it('normalises token_resync status words', () => {
    const raw = {
      ...seedEvent('mdes-ta'),
      event_type: 'token_resync',
      data: { card_id: 1, token_id: 2, token_status: 'suspended' },
    };
    expect(normalizePismoEvent(parsed(raw)).status).toBe('suspended');
  });

  it('normalises the timestamp to UTC milliseconds so it sorts as text', () => {
    const raw = seedEvent('mdes-ta');
    raw.timestamp = '2020-12-10T19:36:56-03:00';
    expect(normalizePismoEvent(parsed(raw)).occurredAt).toBe('2020-12-10T22:36:56.000Z');
  });
});
