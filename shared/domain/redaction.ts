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

/**
 * Returns a deep copy of `value` with sensitive fields replaced by `[REDACTED]` and PANs masked.
 * `sensitiveFields` holds names as returned by {@link normaliseFieldName}.
 */
export function redactDeep(value: unknown, sensitiveFields: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return maskPans(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e12) {
    const masked = maskPans(String(value));
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, sensitiveFields));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        sensitiveFields.has(normaliseFieldName(k)) && v !== null && v !== ''
          ? REDACTED
          : redactDeep(v, sensitiveFields);
    }
    return out;
  }
  return value;
}
