import fc from 'fast-check';
import { PAN_MASK, sanitiseDeep, sanitiseText } from '../../../shared/domain/sanitise';
import { findPans, findPansInText, luhn } from '../../fixtures/pan-scan';
import { panArb, textWithPanArb, writtenPanArb } from '../../fixtures/pans';

const TUR = 'DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c';

describe('sanitise', () => {
  describe('sanitiseText', () => {
    it('masks a card number to its last four when written plain', () => {
      expect(sanitiseText('pan 5555555555554444 end')).toBe(`pan ${PAN_MASK}4444 end`);
    });

    it('masks a card number written with spaces, dashes or mixed separators', () => {
      expect(sanitiseText('4111 1111 1111 1111')).toBe(`${PAN_MASK} 1111`);
      expect(sanitiseText('4111-1111-1111-1111')).toBe(`${PAN_MASK}-1111`);
      expect(sanitiseText('4111 - 1111.1111\u20131111')).toBe(`${PAN_MASK}\u20131111`);
    });

    it('masks a card number inside a longer run of digits', () => {
      const out = sanitiseText('ref 0099455555555555544449988');
      expect(findPansInText(out)).toEqual([]);
      expect(out).not.toContain('5555555555554444');
    });

    it('leaves digits that are no card number, and a Token Unique Reference, as they are', () => {
      const clean = ['1234 5678 9012 3457', '2026-12-01T20:25:30.123Z', '0000000000000000', TUR, 'code 123456'];
      for (const text of clean) expect(sanitiseText(text)).toBe(text);
    });

    it('leaves a system-minted UUID whose digits across its dashes pass Luhn as it is', () => {
      // Pismo's card-on-file id from a failed run: 35459-1021-4564-9280 holds a Luhn-valid window.
      const id = '27b35459-1021-4564-9280-a1b8f15a84b8';
      expect(findPansInText(id.slice(3))).not.toEqual([]); // not a whole UUID: the digits are found
      expect(sanitiseText(id)).toBe(id);
      expect(sanitiseText(`card on file ${id} created`)).toBe(`card on file ${id} created`);
    });

    it('still masks a card number in a UUID of digits only, or in a UUID-like part of a longer word', () => {
      const digitsOnly = '41111111-1111-1111-1111-111111111111';
      expect(findPansInText(sanitiseText(digitsOnly))).toEqual([]);
      const glued = 'x27b35459-1021-4564-9280-a1b8f15a84b8';
      expect(findPansInText(sanitiseText(glued))).toEqual([]);
    });

    it('returns no card number in any writing style embedded anywhere (property)', () => {
      fc.assert(
        fc.property(textWithPanArb, ({ pan, text }) => {
          const out = sanitiseText(text);
          expect(findPansInText(out)).toEqual([]);
          expect(out.replace(/\D/g, '')).not.toContain(pan);
        }),
        { numRuns: 2000 },
      );
    });

    it('changes a string only when it holds a card number (property)', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9 a-f-]{0,40}$/)), (text) => {
          expect(sanitiseText(text) === text).toBe(findPansInText(text).length === 0);
        }),
        { numRuns: 2000 },
      );
    });

    it('keeps the last four of a lone number', () => {
      fc.assert(
        fc.property(writtenPanArb, ({ pan, text }) => {
          const out = sanitiseText(`name ${text} end`);
          expect(out.startsWith(`name ${PAN_MASK}`)).toBe(true);
          expect(out.replace(/\D/g, '')).toBe(pan.slice(-4));
        }),
      );
    });

    it('stays linear on long digit runs (no backtracking)', () => {
      const digits = '7'.repeat(200_000);
      const started = process.hrtime.bigint();
      const out = sanitiseText(digits);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(findPansInText(out.slice(0, 5000))).toEqual([]);
      expect(ms).toBeLessThan(1000);
    });
  });

  describe('sanitiseDeep', () => {
    it('masks card numbers in values, keys and integers at any depth', () => {
      const input = {
        deviceName: 'Phone 4111 1111 1111 1111',
        nested: [{ '5555555555554444': 'x' }, new Set(['4111-1111-1111-1111'])],
        asNumber: 4111111111111111,
      };
      const out = sanitiseDeep(input);
      expect(findPans(out)).toEqual([]);
      expect(out.deviceName).toBe(`Phone ${PAN_MASK} 1111`);
      expect(out.asNumber).toBe(`${PAN_MASK}1111`);
      expect(findPans(input)).not.toEqual([]);
    });

    it('returns the same object when nothing needs masking', () => {
      const clean = { a: 'b', n: 1700000000, list: ['x', 2], at: new Date(0) };
      expect(sanitiseDeep(clean)).toBe(clean);
    });

    it('leaves no card number in any JSON value with numbers in keys and values (property)', () => {
      const carrier = fc.letrec((tie) => ({
        node: fc.oneof(
          { depthSize: 'small' },
          textWithPanArb.map((t) => t.text),
          fc.string(),
          panArb.map(Number),
          fc.array(tie('node'), { maxLength: 4 }),
          fc.dictionary(
            fc.oneof(
              fc.string(),
              textWithPanArb.map((t) => t.text),
            ),
            tie('node'),
            { maxKeys: 4 },
          ),
        ),
      })).node;
      fc.assert(
        fc.property(carrier, (value) => {
          expect(findPans(sanitiseDeep(value))).toEqual([]);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('luhn (test oracle)', () => {
    it('agrees with the generator', () => {
      fc.assert(fc.property(panArb, (pan) => luhn(pan)));
    });
  });
});
