/** Safe readers for the networks' loosely typed messages (MDES ISO fields, VTS JSON). */

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Trimmed non-empty string (numbers become strings), else undefined. MDES pads with spaces. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

export function int(v: unknown): number | undefined {
  const t = text(v);
  if (t === undefined || !/^\d{1,6}$/.test(t)) return undefined;
  return Number(t);
}
