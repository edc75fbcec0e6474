import type { PismoEvent } from '../../../../shared/adapters/pismo/event-schemas';
import { parsePismoEvent } from '../../../../shared/adapters/pismo/event-schemas';
import { normalizePismoEvent } from '../../../../shared/adapters/pismo/normalize-event';
import { type DocumentedEventName, documentedEvent, type SeedEventName, seedEvent } from '../../../../local/seed/pismo-events';

function parsed(input: unknown): PismoEvent {
  const r = parsePismoEvent(input);
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.event;
}

const normalized = (name: SeedEventName) => normalizePismoEvent(parsed(seedEvent(name)));
const documented = (name: DocumentedEventName) => normalizePismoEvent(parsed(documentedEvent(name)));

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

  it('marks a method of no known network unrecognized and does not claim a network', () => {
    const raw = seedEvent('vts-get-cvm');
    raw.data.network_call_method = 'XYZ';
    raw.data.network_data = {};
    const e = normalizePismoEvent(parsed(raw));
    expect(e.recognized).toBe(false);
    expect(e.facts.network).toBeUndefined();
  });

  describe('documented shapes', () => {
    it('notification-1: program id, and send_challenge sets the delivery method', () => {
      expect(documented('notification-1')).toMatchObject({
        eventType: 'notification',
        schemaVersion: '1',
        tokenId: '42488842',
        callMethod: 'TA',
        recognized: true,
        status: 'requested',
        facts: { programId: '12', activationMethod: 'SMS', panSource: '3', panSourceLabel: 'via application' },
      });
      expect(JSON.stringify(documented('notification-1'))).not.toContain('123456');
    });

    it.each(['ISO_MDES_TA', 'ISO_MDES_TE', 'VTS_TOKEN_CREATE_NOTIFICATION'])(
      'notification_refusal-1 with %s: recognised, on the card, custom codes kept',
      (method) => {
        const raw = documentedEvent('notification-refusal-1');
        raw.data.network_call_method = method;
        expect(normalizePismoEvent(parsed(raw))).toMatchObject({
          eventType: 'notification_refusal',
          tokenId: null,
          cardId: '42488842',
          recognized: true,
          status: undefined,
          facts: { customCodes: ['BNR'], network: method.startsWith('ISO_MDES') ? 'MDES' : 'VTS' },
        });
      },
    );

    it.each([
      ['INACTIVE', 'pending_idv'],
      ['FAILED', 'failed'],
      ['ACTIVE', 'active'],
      ['SUSPENDED', 'suspended'],
      ['DEACTIVATED', 'deleted'],
    ])('patch-1 status %s → %s', (word, status) => {
      const raw = documentedEvent('patch-1');
      raw.data.patch = { status: word };
      expect(normalizePismoEvent(parsed(raw))).toMatchObject({ tokenId: '42488842', recognized: true, status });
    });

    it('patch-1 with a status word it does not know: no status, unrecognised (counted)', () => {
      const raw = documentedEvent('patch-1');
      raw.data.patch = { status: 'FROZEN' };
      expect(normalizePismoEvent(parsed(raw))).toMatchObject({ recognized: false, status: undefined });
    });

    it('pan_update-1: filed under the old card and the new one, with the tokens moved', () => {
      expect(documented('pan-update-1')).toMatchObject({
        tokenId: null,
        cardId: '42488842',
        otherCardIds: ['42488843'],
        recognized: true,
        status: undefined,
        facts: { panUpdateStatus: 'SUCCESS', migratedTokenIds: ['876841', '876842', '876843'] },
      });
    });

    it('send_challenge-1: pending ID&V, OTP type as method, never the value', () => {
      const e = documented('send-challenge-1');
      expect(e).toMatchObject({ status: 'pending_idv', recognized: true, facts: { activationMethod: 'SMS' } });
      expect(JSON.stringify(e)).not.toContain('948472');
    });

    it('token_resync-1: status, network and every detail field as facts', () => {
      expect(documented('token-resync-1')).toMatchObject({
        status: 'active',
        recognized: true,
        facts: {
          network: 'VTS',
          tokenUniqueReference: 'DNITHE302303458684581302',
          panReference: 'V-3023032630894529861293',
          panSource: 'ON_FILE',
          panSourceLabel: 'card on file',
          tokenType: 'HCE',
          tokenActivatedAt: '2020-01-30T10:18:17.000Z',
          tokenExpiry: '2024-09',
          tokenRequestorId: '40010059239',
          deviceId: 'C2ZBY14310005664',
        },
      });
    });

    it('token_resync with our earlier flat guess still reads status and TUR', () => {
      const raw = { ...seedEvent('mdes-ta'), event_type: 'token_resync' };
      raw.data = { card_id: 1, token_id: 2, token_status: 'suspended', token_unique_reference: 'DSHRMC01' };
      expect(normalizePismoEvent(parsed(raw))).toMatchObject({
        status: 'suspended',
        facts: { tokenUniqueReference: 'DSHRMC01' },
      });
    });

    it('an unknown event type: unrecognised, on its token, no status', () => {
      const raw = { ...documentedEvent('patch-1'), event_type: 'token_renamed-1' };
      expect(normalizePismoEvent(parsed(raw))).toMatchObject({
        eventType: 'token_renamed',
        callMethod: 'TOKEN_RENAMED',
        tokenId: '42488842',
        recognized: false,
        status: undefined,
      });
    });
  });

  describe('new VTS methods', () => {
    it.each([
      ['VTS_STATUS_UPDATED_CALL_CENTER_ACTIVATION', 'active'],
      ['VTS_TOKEN_ACTIVATION_STIP', 'active'],
      ['VTS_STATUS_UPDATED_TOKEN_DEVICE_BINDING_REMOVED', undefined],
      ['VTS_STATUS_UPDATED_CARDHOLDER_STEPUP_RESULT', undefined],
      ['VTS_STATUS_UPDATED_LUK_REPLENISHMENT', undefined],
      ['VTS_STATUS_UPDATED_DEVICE_PROVISIONING_RESULT', undefined],
    ])('recognises %s (status %s)', (method, status) => {
      const raw = seedEvent('vts-get-cvm');
      raw.data.network_call_method = method;
      expect(normalizePismoEvent(parsed(raw))).toMatchObject({ recognized: true, status });
    });

    it('takes the status the message states over the method (device binding removed, token suspended)', () => {
      const raw = seedEvent('vts-token-suspended');
      raw.data.network_call_method = 'VTS_STATUS_UPDATED_TOKEN_DEVICE_BINDING_REMOVED';
      expect(normalizePismoEvent(parsed(raw)).status).toBe('suspended');
    });
  });

  describe('seed fields a user wants (token view)', () => {
    it('MDES TC: final decision, activation attempts, token expiry', () => {
      expect(normalized('mdes-tc').facts).toMatchObject({
        finalTokenDecision: '2',
        finalTokenDecisionLabel: 'approved after additional authentication',
        finalTokenDecisionIndicator: '2',
        activationAttempts: 1,
        tokenExpiry: '2024-01',
      });
    });

    it('MDES TA: PAN source as a label', () => {
      expect(normalized('mdes-ta').facts).toMatchObject({ panSource: '2', panSourceLabel: 'manual' });
    });

    it('VTS: message reason, event time, token expiry', () => {
      expect(normalized('vts-token-deactivated').facts).toMatchObject({
        messageReason: '*CUSTOMER_CONFIRMED||Delete initiated by device.',
        networkEventAt: '2020-12-19T12:35:49.000Z',
        tokenExpiry: '2029-11',
      });
    });

    it('VTS: OTP reason and limit, device OS, PAN source label', () => {
      expect(normalized('vts-get-cvm').facts).toMatchObject({ otpReason: 'PROVISIONING', otpMaxReached: false });
      expect(normalized('vts-approve-provisioning').facts).toMatchObject({
        deviceOs: 'ANDROID',
        deviceOsVersion: '7.0',
        panSourceLabel: 'manual',
      });
    });

    it('caps free-text facts at 256 characters', () => {
      const raw = seedEvent('vts-token-deactivated');
      (raw.data.network_data as Record<string, unknown>).messageReason = 'r'.repeat(10_000);
      expect(normalizePismoEvent(parsed(raw)).facts.messageReason).toHaveLength(256);
    });
  });

  it('normalises the timestamp to UTC milliseconds so it sorts as text', () => {
    const raw = seedEvent('mdes-ta');
    raw.timestamp = '2020-12-10T19:36:56-03:00';
    expect(normalizePismoEvent(parsed(raw)).occurredAt).toBe('2020-12-10T22:36:56.000Z');
  });
});
