import { REDACTED } from '../../../../shared/domain/redaction';
import { DROPPED_PERSONAL_FIELDS, redactPismoEvent } from '../../../../shared/adapters/pismo/redact-event';
import { seedEvent } from '../../../../local/seed/pismo-events';

describe('redactPismoEvent', () => {
  it('redacts a payload nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = '4111111111111111';
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { cvv2: '123', next: deep };
    let out = redactPismoEvent(deep);
    for (let i = 99_999; i >= 0; i--) {
      if (i % 2) out = (out as unknown[])[0];
      else {
        expect((out as Record<string, unknown>).cvv2).toBe(REDACTED);
        out = (out as Record<string, unknown>).next;
      }
    }
    expect(out).toBe('******1111');
  });

  it('keeps key order, array order and an own __proto__ key', () => {
    const input = JSON.parse('{"b":1,"a":[3,2,{"z":1,"y":2}],"__proto__":{"x":1}}') as unknown;
    const out = redactPismoEvent(input);
    expect(JSON.stringify(out)).toBe('{"b":1,"a":[3,2,{"z":1,"y":2}],"__proto__":{"x":1}}');
  });

  it('drops every personal field, whatever it holds (text or object)', () => {
    for (const field of DROPPED_PERSONAL_FIELDS) {
      const out = redactPismoEvent({ deviceInfo: { [field]: 'v', nested: { [field]: { lat: 1, long: 2 } } } });
      expect(out).toEqual({ deviceInfo: { [field]: REDACTED, nested: { [field]: REDACTED } } });
    }
  });

  it('keeps the coarse and operational device data of the VTS approve event', () => {
    const out = redactPismoEvent(seedEvent('vts-approve-provisioning')) as {
      data: { network_data: Record<string, Record<string, unknown>> };
    };
    const nd = out.data.network_data;
    expect(nd.deviceInfo).toMatchObject({ deviceIPAddressV4: REDACTED, deviceLocation: REDACTED, osType: 'ANDROID' });
    expect(nd.riskInformation).toMatchObject({
      deviceCountry: 'BR',
      walletAccountCountry: 'BR',
      deviceBluetoothMac: REDACTED,
    });
    expect(JSON.stringify(out)).toContain(`"walletAccountEmailAddressHash":"${REDACTED}"`);
  });
});
