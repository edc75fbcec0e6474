import fc from 'fast-check';
import { MAX_MESSAGE_VALUE, messageValue, renderMessage } from '../../../shared/idv/messages';

describe('messages', () => {
  describe('messageValue', () => {
    it('keeps a plain wallet name as it is', () => {
      expect(messageValue('Google Pay')).toBe('Google Pay');
    });

    it('drops control characters, line breaks and template braces from untrusted text', () => {
      expect(messageValue('MDES wallet \u0000\u001b[2J\r\nCALL {code} <b>now</b>')).toBe(
        'MDES wallet [2J CALL code bnow/b',
      );
    });

    it('never returns a control character, a line break or more than the cap, whatever the input', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
          const out = messageValue(input);
          expect(out).not.toMatch(/[\p{C}\p{Zl}\p{Zp}\n\r{}<>]/u);
          expect(Array.from(out).length).toBeLessThanOrEqual(MAX_MESSAGE_VALUE);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('renderMessage', () => {
    it('interpolates every value through messageValue, so a message stays one clean line', () => {
      const { body } = renderMessage('OTP', 'en', {
        code: '523894',
        wallet: `x\n${'A'.repeat(500)}`,
        expires: '10:00 UTC',
      });
      expect(body).not.toMatch(/\n/);
      expect(body).toContain(`x ${'A'.repeat(MAX_MESSAGE_VALUE - 2)} is 523894`);
    });
  });
});
