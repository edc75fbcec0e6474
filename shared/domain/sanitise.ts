/**
 * The one sanitising step for everything persisted or logged (docs/security/data-at-rest.md): every string that
 * reaches the store (items and keys), a log line or an HTTP body passes {@link sanitiseText} or
 * {@link sanitiseDeep}, which mask card numbers in any form to their last four digits.
 *
 * What counts as a card number: a Luhn-valid window of 13 to 19 digits, starting with 1-9 (ISO/IEC
 * 7812 assigns no card range to 0, and runs of zeros are common in ids), inside any run of digits
 * joined by up to {@link MAX_GAP} separator characters (spaces of any kind, dashes of any kind, dots,
 * underscores, slashes, zero-width characters). Every window of a run is checked, not only the whole
 * run, so a number hidden in a longer run of digits is found too.
 *
 * One exemption, because the network needs it back verbatim: a whole word shaped like an MDES Token
 * Unique Reference (`D` + 3 letters/digits + `MC` + letters/digits, 20-64 characters in all). It is
 * a network-issued identifier; a card number typed by a person never takes that form by accident.
 * And one for system-minted ids: a whole canonical UUID (8-4-4-4-12 hex digits) with at least one
 * letter a-f (Pismo's card-on-file ids, event ids). About one random UUID in 140 holds a
 * Luhn-valid run of 13+ digits across its dashes; masking it would corrupt the id where it is
 * stored. A UUID of digits only is still checked, so a card number cannot hide in that shape.
 *
 * Cost: one pass over the string to count digits (strings with fewer than 13 are returned as they
 * are), then linear work per digit run (prefix sums give each window's Luhn sum in O(1)); no regular
 * expression, so no backtracking.
 */

/** What replaces the masked digits of a card number (its last four stay). */
export const PAN_MASK = '******';

const MIN_LEN = 13;
const MAX_LEN = 19;
const KEEP = 4;
/** Separator characters allowed between two digits of one number ("4111 - 1111" has three). */
export const MAX_GAP = 3;
const MAX_DEPTH = 64;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Spaces (any width), dashes (any), dot, underscore, slash, backslash, zero-width characters. */
function isSeparator(c: number): boolean {
  if (c < 128) return c === 32 || c === 45 || c === 46 || c === 95 || c === 47 || c === 92 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0xad ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x2015) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x2060 ||
    c === 0x2212 ||
    c === 0x3000 ||
    c === 0xfe58 ||
    c === 0xfe63 ||
    c === 0xfeff ||
    c === 0xff0d
  );
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isUpperOrDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90);
}

/** True when `text[start, end)` is a whole word shaped like an MDES Token Unique Reference. */
function isTurWord(text: string, start: number, end: number): boolean {
  const len = end - start;
  return (
    len >= 20 &&
    len <= 64 &&
    text.charCodeAt(start) === 68 /* D */ &&
    isUpperOrDigit(text.charCodeAt(start + 1)) &&
    isUpperOrDigit(text.charCodeAt(start + 2)) &&
    isUpperOrDigit(text.charCodeAt(start + 3)) &&
    text.charCodeAt(start + 4) === 77 /* M */ &&
    text.charCodeAt(start + 5) === 67 /* C */
  );
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

const UUID_LEN = 36;

/** True when `text[start, start + 36)` is a canonical UUID with a hex letter, standing alone. */
function isUuidWord(text: string, start: number): boolean {
  const end = start + UUID_LEN;
  if (end > text.length) return false;
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  const after = end < text.length ? text.charCodeAt(end) : -1;
  if (isAlnum(before) || before === 45 || isAlnum(after) || after === 45) return false;
  let letters = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const at = i - start;
    if (at === 8 || at === 13 || at === 18 || at === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
    else if (!isDigit(c)) letters++;
  }
  return letters > 0;
}

function hasEnoughDigits(text: string): boolean {
  if (text.length < MIN_LEN) return false;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++n >= MIN_LEN) return true;
  }
  return false;
}

const DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/**
 * Marks, in `masked`, the digits of `digits` (one run) that belong to a Luhn-valid window, except
 * each window's last four. After this, no window of unmasked digits is Luhn-valid: every valid
 * window has its own leading digits marked.
 */
function markRun(digits: number[], masked: Uint8Array): boolean {
  const n = digits.length;
  // s0[k]: Luhn contribution of digits[0, k) when even positions are the undoubled ones; s1: odd.
  const s0 = new Int32Array(n + 1);
  const s1 = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) {
    const d = digits[j] ?? 0;
    const even = (j & 1) === 0;
    s0[j + 1] = (s0[j] ?? 0) + (even ? d : (DOUBLED[d] ?? 0));
    s1[j + 1] = (s1[j] ?? 0) + (even ? (DOUBLED[d] ?? 0) : d);
  }
  let any = false;
  for (let a = 0; a + MIN_LEN <= n; a++) {
    if (digits[a] === 0) continue;
    for (let len = MIN_LEN; len <= MAX_LEN && a + len <= n; len++) {
      const b = a + len;
      // The last digit (b - 1) is undoubled: use the prefix sum whose undoubled parity is its own.
      const sum = ((b - 1) & 1) === 0 ? (s0[b] ?? 0) - (s0[a] ?? 0) : (s1[b] ?? 0) - (s1[a] ?? 0);
      if (sum % 10 === 0) {
        for (let j = a; j < b - KEEP; j++) masked[j] = 1;
        any = true;
      }
    }
  }
  return any;
}

/**
 * Masks every card number in `text` (see the module comment for what counts as one) to
 * `******` + its last four digits. Returns `text` itself when there is nothing to mask.
 */
export function sanitiseText(text: string): string {
  if (!hasEnoughDigits(text)) return text;
  const n = text.length;
  // Digit positions to mask, as [from, to] character ranges (inclusive), in order.
  const spans: [number, number][] = [];
  // The current run: first and last digit positions, digit count, separators since the last digit.
  let first = -1;
  let last = -1;
  let count = 0;
  let gap = 0;
  let wordStart = -1;
  let skipUntil = -1;

  // Only runs long enough to hold a card number allocate anything.
  const flush = () => {
    if (count >= MIN_LEN) {
      const pos: number[] = [];
      const digits: number[] = [];
      for (let i = first; i <= last; i++) {
        const c = text.charCodeAt(i);
        if (isDigit(c)) {
          pos.push(i);
          digits.push(c - 48);
        }
      }
      const masked = new Uint8Array(digits.length);
      if (markRun(digits, masked)) {
        let open = -1;
        for (let j = 0; j <= digits.length; j++) {
          if (j < digits.length && masked[j]) {
            if (open < 0) open = j;
          } else if (open >= 0) {
            spans.push([pos[open] ?? 0, pos[j - 1] ?? 0]);
            open = -1;
          }
        }
      }
    }
    first = -1;
    count = 0;
    gap = 0;
  };

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isAlnum(c)) {
      if (wordStart < 0) {
        wordStart = i;
        if (c === 68 /* D */) {
          let end = i + 1;
          while (end < n && isAlnum(text.charCodeAt(end))) end++;
          if (isTurWord(text, i, end)) {
            flush();
            skipUntil = end;
          }
        }
      }
    } else wordStart = -1;
    if (i >= skipUntil && isHex(c) && isUuidWord(text, i)) {
      flush();
      skipUntil = i + UUID_LEN;
    }
    if (i < skipUntil) continue;
    if (c >= 48 && c <= 57) {
      if (first < 0) first = i;
      last = i;
      count++;
      gap = 0;
    } else if (count > 0) {
      if (gap < MAX_GAP && isSeparator(c)) gap++;
      else flush();
    }
  }
  flush();
  if (spans.length === 0) return text;

  let out = '';
  let at = 0;
  for (const [from, to] of spans) {
    out += text.slice(at, from) + PAN_MASK;
    at = to + 1;
  }
  return out + text.slice(at);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sanitiseAt(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return sanitiseText(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) < 1e12) return value;
    const text = String(value);
    const masked = sanitiseText(text);
    return masked === text ? value : masked;
  }
  if (typeof value === 'bigint') {
    const text = value.toString();
    const masked = sanitiseText(text);
    return masked === text ? value : masked;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TRUNCATED]';
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const s = sanitiseAt(v, depth + 1);
      if (s !== v && !out) out = value.slice(0, i);
      if (out) out.push(s);
    }
    return out ?? value;
  }
  if (value instanceof Set) {
    const items = [...(value as Set<unknown>)];
    const cleaned = items.map((v) => sanitiseAt(v, depth + 1));
    return cleaned.some((v, i) => v !== items[i]) ? new Set(cleaned) : value;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const k in value) {
    const v = value[k];
    const sk = sanitiseText(k);
    const sv = sanitiseAt(v, depth + 1);
    if ((sk !== k || sv !== v) && !out) {
      out = {};
      // Copy the entries before this one, unchanged, then continue into the copy.
      for (const pk in value) {
        if (pk === k) break;
        out[pk] = value[pk];
      }
    }
    if (out) out[sk] = sv;
  }
  return out ?? value;
}

/**
 * Returns `value` with every string (object keys included), and every integer of 13+ digits,
 * passed through {@link sanitiseText}. Plain objects, arrays and sets are walked; what needs no
 * change is returned as is (no copy), so the common case costs one scan and no allocation.
 */
export function sanitiseDeep<T>(value: T): T {
  return sanitiseAt(value, 0) as T;
}
