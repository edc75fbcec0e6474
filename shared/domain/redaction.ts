/**
 * Deep redaction of untrusted payloads before they are stored or logged.
 *
 * Two nets: fields whose *name* is sensitive are replaced whatever their value, and any string
 * that contains a card number (a PAN or a token PAN, in any form) is masked to its last four
 * digits, whatever its field is called.
 */

import { sanitiseText } from './sanitise';

export const REDACTED = '[REDACTED]';

/**
 * Masks every card number in a string to `******1234`: the one sanitiser's detection ({@link sanitiseText}:
 * any separator style, every window of a longer digit run), so redaction and storage never disagree.
 */
export const maskPans: (text: string) => string = sanitiseText;

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

function redactScalar(value: unknown): unknown {
  if (typeof value === 'string') return maskPans(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e12) {
    const masked = maskPans(String(value));
    return masked === String(value) ? value : masked;
  }
  return value;
}

/** Sets an own property, also for `__proto__` (which plain assignment would treat as the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Returns a deep copy of `value` with sensitive fields replaced by `[REDACTED]` and PANs masked.
 * Iterative (an explicit stack, no recursion): a hostile payload nested thousands deep cannot
 * overflow the call stack here.
 */
export function redactDeep(value: unknown, rules: RedactionRules): unknown {
  const root: Record<string, unknown> = {};
  const stack: { source: unknown; target: Record<string, unknown> | unknown[]; key: string | number }[] = [
    { source: value, target: root, key: 'value' },
  ];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { source, target, key } = frame;
    let copy: unknown;
    if (Array.isArray(source)) {
      const out: unknown[] = new Array<unknown>(source.length);
      source.forEach((item: unknown, i) => stack.push({ source: item, target: out, key: i }));
      copy = out;
    } else if (source !== null && typeof source === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(source)) {
        // Keys are set in their original order now; nested values are filled in later.
        setOwn(out, k, isSensitive(k, v, rules) ? REDACTED : undefined);
        if (!isSensitive(k, v, rules)) stack.push({ source: v, target: out, key: k });
      }
      copy = out;
    } else {
      copy = redactScalar(source);
    }
    if (Array.isArray(target)) target[key as number] = copy;
    else setOwn(target, String(key), copy);
  }
  return root.value;
}
