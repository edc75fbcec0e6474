import { ValidationError } from '../../domain/errors';
import { luhnValid } from './contract';

/**
 * Identifiers taken from a request path (`{tur}`, `{tokenId}`, `{challengeId}`). A path parameter
 * becomes a key, an audit field, a log field and maybe an error body, so one that could be a card
 * number is refused before anything else, and the refusal never repeats the value.
 */

const PAN_MIN = 13;
const PAN_MAX = 19;

/**
 * True when `value` holds something a card number could be: a run of 13–19 digits that passes the
 * Luhn check, or, inside a longer run of digits, a 13–19 digit window starting with a non-zero digit
 * (no PAN starts with 0) that passes it. Zero-padded counters (`DWSPMC0000000001…`) stay valid.
 */
export function containsPanLikeDigits(value: string): boolean {
  for (const run of value.match(/\d{13,}/g) ?? []) {
    if (run.length <= PAN_MAX && luhnValid(run)) return true;
    for (let len = PAN_MIN; len <= Math.min(PAN_MAX, run.length); len++)
      for (let i = 0; i + len <= run.length; i++) if (run[i] !== '0' && luhnValid(run.slice(i, i + len))) return true;
  }
  return false;
}

/**
 * An MDES Token Unique Reference as our API accepts it in a path: 9–48 letters and digits starting
 * with a letter (MDES TURs start `D…MC`, e.g. `DWSPMC…`, `DAPLMC…`), with no card-number-like digits.
 */
const TUR = /^[A-Za-z][A-Za-z0-9]{8,47}$/;

/** Our ids (Pismo token ids are numbers, e.g. 17556): [A-Za-z0-9_-], never a 13–19 digit number. */
const ID = /^[A-Za-z0-9_-]+$/;
const ALL_DIGITS_PAN_LENGTH = /^\d{13,19}$/;

/** Validates a `{tur}` path parameter; the 400 never contains the value. */
export function parseTurParam(value: string | undefined): string {
  if (value === undefined || !TUR.test(value) || containsPanLikeDigits(value))
    throw new ValidationError(
      'tur must be an MDES Token Unique Reference: 9-48 letters and digits starting with a letter, never a card number',
    );
  return value;
}

/** Validates an id path parameter (`{tokenId}`, `{challengeId}`); the 400 never contains the value. */
export function parseIdParam(name: string, value: string | undefined, maxLength = 64): string {
  if (
    value === undefined ||
    value.length > maxLength ||
    !ID.test(value) ||
    ALL_DIGITS_PAN_LENGTH.test(value) ||
    containsPanLikeDigits(value)
  )
    throw new ValidationError(`${name} must be 1-${maxLength} of [A-Za-z0-9_-], never a card number`);
  return value;
}
