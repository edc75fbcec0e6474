import { maskPans, REDACTED } from '../../../shared/domain/redaction';
import { redactPismoEvent } from '../../../shared/adapters/pismo/redact-event';
import { seedEvent, seedEventNames } from '../../../local/seed/pismo-events';

describe('maskPans', () => {
  it('masks Luhn-valid 13-19 digit runs to the last four', () => {
    expect(maskPans('pan 5555555555554444 end')).toBe('pan ******4444 end');
    expect(maskPans('4111111111111111')).toBe('******1111');
  });

  it('leaves digit runs that cannot hold a card number (too short, or no Luhn-valid 13-19 window)', () => {
    expect(maskPans('160763984775')).toBe('160763984775');
    expect(maskPans('1000000000000000')).toBe('1000000000000000');
  });

  it("masks a long digit run when any 13-19 digit window of it is a card number (the sanitiser's rule)", () => {
    // Pismo's nanosecond "start" is not Luhn-valid as a whole, but one of its windows is: it cannot be
    // told apart from a card number inside a longer run, so it is masked.
    expect(maskPans('1607639847750012370')).toBe('******12370');
  });
});

describe('redactPismoEvent', () => {
  it('removes the MDES activation code', () => {
    const out = JSON.stringify(redactPismoEvent(seedEvent('mdes-ac')));
    expect(out).not.toContain('523894');
    expect(out).toContain(`"sf2_activation_code":"${REDACTED}"`);
    expect(out).toContain('(###)###7728'); // the masked destination hint is kept
  });

  it('removes the VTS OTP, CVV, PAN fields and cardholder name', () => {
    const out = JSON.stringify(redactPismoEvent(seedEvent('vts-passcode')));
    expect(out).not.toContain('927945');
    const approve = JSON.stringify(redactPismoEvent(seedEvent('vts-approve-provisioning')));
    expect(approve).not.toContain('Daniel Kanczuk');
    expect(approve).toContain(`"cvv2":"${REDACTED}"`);
  });

  it('masks a PAN under any field name, as text or as a JSON number', () => {
    const out = redactPismoEvent({ a: { free_text: 'card 4111111111111111' }, b: [4111111111111111] });
    expect(out).toEqual({ a: { free_text: 'card ******1111' }, b: ['******1111'] });
  });

  it.each(seedEventNames())('leaves no OTP, activation code or cardholder name in %s', (name) => {
    const out = JSON.stringify(redactPismoEvent(seedEvent(name)));
    for (const secret of ['523894', '927945', 'Daniel Kanczuk', 'Rua Teste']) expect(out).not.toContain(secret);
  });
});
