/**
 * Deep redaction of untrusted payloads before they are stored or logged.
 *
 * Two nets: fields whose *name* is sensitive are replaced whatever their value, and any string
 * that contains a Luhn-valid 13-19 digit run (a PAN or a token PAN) is masked to its last four
 * digits, whatever its field is called.
 */

export const REDACTED = '[REDACTED]';

const PAN_CANDIDATE = /\d{13,19}/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Masks every Luhn-valid 13-19 digit run in a string to `******1234`. */
export function maskPans(text: string): string {
  if (text.length < 13) return text;
  return text.replace(PAN_CANDIDATE, (run) => (luhnValid(run) ? `******${run.slice(-4)}` : run));
}

/** Normalises a field name for the deny-list: lower case, no separators. */
export function normaliseFieldName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Field names (as returned by {@link normaliseFieldName}) whose content is never kept. */
export interface RedactionRules {
  /** Replaced when they hold a value (string, number); objects under such names are searched. */
  values: ReadonlySet<string>;
  /** Replaced whole, whatever they hold (e.g. an address object). */
  objects: ReadonlySet<string>;
}

function isSensitive(name: string, value: unknown, rules: RedactionRules): boolean {
  if (value === null || value === '') return false;
  const key = normaliseFieldName(name);
  if (rules.objects.has(key)) return true;
  return rules.values.has(key) && typeof value !== 'object';
}

/** Returns a deep copy of `value` with sensitive fields replaced by `[REDACTED]` and PANs masked. */
export function redactDeep(value: unknown, rules: RedactionRules): unknown {
  if (typeof value === 'string') return maskPans(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e12) {
    const masked = maskPans(String(value));
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, rules));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSensitive(k, v, rules) ? REDACTED : redactDeep(v, rules);
    }
    return out;
  }
  return value;
}
