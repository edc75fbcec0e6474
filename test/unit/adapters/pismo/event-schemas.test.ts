import fc from 'fast-check';
import {
  checkEventLimits,
  EVENT_LIMITS,
  envelopeSchema,
  notificationDataSchema,
  notificationRefusalDataSchema,
  panUpdateDataSchema,
  parsePismoEvent,
  patchDataSchema,
  sendChallengeDataSchema,
  tokenResyncDataSchema,
} from '../../../../shared/adapters/pismo/event-schemas';
import {
  addUnknownFieldsEverywhere,
  DOCUMENTED_EVENT_NAMES,
  documentedEvent,
  seedEvent,
  seedEventNames,
} from '../../../../local/seed/pismo-events';

function issuesOf(input: unknown): string[] {
  const r = parsePismoEvent(input);
  return r.ok ? [] : r.issues;
}

function accepted(input: unknown) {
  const r = parsePismoEvent(input);
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r;
}

/** `[[[…]]]` nested `depth` deep, built without recursion. */
function nestedArrays(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Every key any of our schemas knows (a key that is "unknown" must be none of these). */
const KNOWN_KEYS = new Set(
  [
    envelopeSchema,
    notificationDataSchema,
    notificationRefusalDataSchema,
    patchDataSchema,
    panUpdateDataSchema,
    sendChallengeDataSchema,
    tokenResyncDataSchema,
  ].flatMap((s) => Object.keys(s.shape)),
);
for (const k of [
  'otp_value',
  'otp_method',
  'status',
  ...Object.keys(documentedEvent('token-resync-1').data.detail as object),
])
  KNOWN_KEYS.add(k);

/** Every plain object inside `value`, with the envelope first. */
function objectsIn(value: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const stack = [value];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v)) out.push(v as Record<string, unknown>);
    stack.push(...Object.values(v as object));
  }
  return out;
}

describe('parsePismoEvent', () => {
  describe('documented shapes', () => {
    it.each(seedEventNames())('accepts the Pismo seed example %s with no unknown fields', (name) => {
      const r = accepted(seedEvent(name));
      expect(r.unknownFields).toEqual([]);
    });

    it.each(DOCUMENTED_EVENT_NAMES)('accepts the documented %s shape with no unknown fields', (name) => {
      const r = accepted(documentedEvent(name));
      expect(r.unknownFields).toEqual([]);
      expect(r.event.schema_version).toBe('1');
      expect(r.event.kind).toBe(r.event.event_type);
    });

    it('reads event_type with or without a version suffix, the suffix as version when schema_version is absent', () => {
      const plain = { ...documentedEvent('patch-1'), event_type: 'patch' };
      const suffixed = { ...documentedEvent('patch-1'), event_type: 'patch-2' };
      delete (suffixed as Record<string, unknown>).schema_version;
      expect(accepted(plain).event).toMatchObject({ kind: 'patch', event_type: 'patch', schema_version: '1' });
      expect(accepted(suffixed).event).toMatchObject({ kind: 'patch', event_type: 'patch', schema_version: '2' });
    });

    it('accepts schema_version as a number or a string and keeps it as a string', () => {
      expect(accepted(seedEvent('vts-get-cvm')).event.schema_version).toBe('1');
      expect(accepted(seedEvent('mdes-ta')).event.schema_version).toBe('1');
    });

    it('keeps numeric Pismo ids as strings and a null token id for refusals', () => {
      const r = accepted(seedEvent('mdes-te-refusal'));
      expect(r.event.kind === 'notification_refusal' && r.event.data).toMatchObject({
        card_id: '4995608',
        token_id: null,
      });
    });
  });

  describe('tolerance of additive change', () => {
    it('keeps and reports an unknown envelope field and an unknown data field', () => {
      const e = { ...seedEvent('mdes-ta'), surprise: true };
      e.data.newer_field = { a: 1 };
      const r = accepted(e);
      expect(r.unknownFields).toEqual(['surprise', 'data.newer_field']);
    });

    it('accepts program_id, data.send_challenge and pismo_response on the seed events', () => {
      const ta = seedEvent('mdes-ta');
      ta.data.program_id = 12;
      ta.data.send_challenge = { otp_value: '111222', otp_method: 'OTPSMS' };
      const refusal = seedEvent('mdes-te-refusal');
      refusal.data.pismo_response = { actionCode: '85', cvv2ResultsCode: 'M' };
      expect(accepted(ta).unknownFields).toEqual([]);
      expect(accepted(refusal).unknownFields).toEqual([]);
    });

    it('counts unknown keys inside the objects we read (send_challenge, patch, detail), not inside network data', () => {
      const n = documentedEvent('notification-1');
      (n.data.send_challenge as Record<string, unknown>).otp_channel_hint = 'x';
      (n.data.network_data as Record<string, unknown>).brandNewNetworkField = 'y';
      const p = documentedEvent('patch-1');
      (p.data.patch as Record<string, unknown>).reason = 'z';
      const t = documentedEvent('token-resync-1');
      (t.data.detail as Record<string, unknown>).wallet = 'w';
      expect(accepted(n).unknownFields).toEqual(['data.send_challenge.otp_channel_hint']);
      expect(accepted(p).unknownFields).toEqual(['data.patch.reason']);
      expect(accepted(t).unknownFields).toEqual(['data.detail.wallet']);
    });

    it.each(DOCUMENTED_EVENT_NAMES)('accepts %s with 5 unknown fields at every level, each reported once', (name) => {
      const e = documentedEvent(name);
      const added = addUnknownFieldsEverywhere(e);
      const r = accepted(e);
      const counted = [...added.keys()].filter(
        (p) => !p.startsWith('data.network_data.') && !p.startsWith('data.pismo_response.'),
      );
      expect([...r.unknownFields].sort()).toEqual(counted.sort());
    });

    it('accepts an event type of the domain it does not know, as kind unknown', () => {
      const e = { ...documentedEvent('patch-1'), event_type: 'token_renamed-3' };
      expect(accepted(e).event).toMatchObject({ kind: 'unknown', event_type: 'token_renamed', schema_version: '1' });
    });

    it('ignores an unexpected type in a field it only records', () => {
      const e = documentedEvent('notification-1');
      e.data.program_id = { not: 'an id' };
      e.cid = 42;
      e.schema_version = 'v1';
      const r = accepted(e);
      expect(r.event.kind === 'notification' && r.event.data.program_id).toBeUndefined();
      expect(r.event.schema_version).toBe('1'); // from the -1 suffix
    });

    it('never rejects an accepted event for one more unknown key anywhere (property)', () => {
      const bases = [...seedEventNames().map(seedEvent), ...DOCUMENTED_EVENT_NAMES.map(documentedEvent)];
      fc.assert(
        fc.property(
          fc.nat(bases.length - 1),
          fc.nat(),
          fc.string({ minLength: 1, maxLength: 24 }),
          fc.jsonValue({ maxDepth: 3 }),
          (b, where, key, value) => {
            const event = structuredClone(bases[b]);
            const objects = objectsIn(event);
            const target = objects[where % objects.length] as Record<string, unknown>;
            fc.pre(!Object.hasOwn(target, key) && !KNOWN_KEYS.has(key));
            Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
            expect(parsePismoEvent(event).ok).toBe(true);
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('what makes an event unusable', () => {
    it('rejects a missing or malformed event_id', () => {
      const e = seedEvent('mdes-ta');
      delete e.event_id;
      expect(issuesOf(e).join()).toMatch(/^event_id: /);
      expect(issuesOf({ ...seedEvent('mdes-ta'), event_id: 'x'.repeat(65) }).join()).toMatch(/^event_id: /);
    });

    it('rejects another domain and a malformed event type', () => {
      expect(issuesOf({ ...seedEvent('mdes-ta'), domain: 'cards' }).join()).toMatch(/^domain: /);
      expect(issuesOf({ ...seedEvent('mdes-ta'), event_type: 'Notification V9' }).join()).toMatch(/^event_type: /);
    });

    it('rejects a missing or malformed timestamp (it orders the timeline and keys the dedup)', () => {
      expect(issuesOf({ ...seedEvent('mdes-ta'), timestamp: 'yesterday' }).join()).toMatch(/^timestamp: /);
    });

    it('rejects ids that do not parse', () => {
      const e = seedEvent('mdes-ta');
      e.data.card_id = 'card 1';
      expect(issuesOf(e)).toEqual([expect.stringMatching(/^data\.card_id: /)]);
    });

    it('rejects an event with neither token nor card to file it under', () => {
      const e = seedEvent('mdes-ta');
      delete e.data.card_id;
      delete e.data.token_id;
      expect(issuesOf(e)).toEqual([expect.stringMatching(/^data: needs token_id or card_id/)]);
    });

    it.each([
      ['network_call_method', (d: Record<string, unknown>) => (d.network_call_method = 7)],
      ['network_data', (d: Record<string, unknown>) => (d.network_data = 'text')],
      ['send_challenge', (d: Record<string, unknown>) => (d.send_challenge = { otp_value: 123456 })],
    ])('rejects a wrong type in %s, a field it uses', (field, edit) => {
      const e = documentedEvent('notification-1');
      edit(e.data);
      expect(issuesOf(e).join()).toContain(`data.${field}`);
    });

    it('rejects a patch status that is not a string', () => {
      const e = documentedEvent('patch-1');
      e.data.patch = { status: 5 };
      expect(issuesOf(e).join()).toContain('data.patch.status');
    });

    it('rejects a body that is not an object', () => {
      expect(issuesOf([seedEvent('mdes-ta')])).not.toHaveLength(0);
      expect(issuesOf(null)).not.toHaveLength(0);
    });

    it('accepts an unknown network_call_method (reported downstream, not rejected)', () => {
      const e = seedEvent('vts-get-cvm');
      e.data.network_call_method = 'VTS_SOMETHING_NEW';
      expect(parsePismoEvent(e).ok).toBe(true);
    });
  });

  describe('limits (checked before anything walks the body)', () => {
    it('rejects arrays nested 3,000 deep in network data with a clear reason', () => {
      const e = seedEvent('mdes-ta');
      e.data.network_data = { x: nestedArrays(3000) };
      expect(issuesOf(e)).toEqual([`(body): nested deeper than ${EVENT_LIMITS.maxDepth} levels`]);
    });

    it('rejects too many values and too much text', () => {
      expect(checkEventLimits(Array.from({ length: EVENT_LIMITS.maxNodes + 1 }, () => 0))).toMatch(/JSON values/);
      expect(checkEventLimits({ a: 'x'.repeat(EVENT_LIMITS.maxChars + 1) })).toMatch(/characters/);
    });

    it('accepts the deepest seed event', () => {
      for (const name of seedEventNames()) expect(checkEventLimits(seedEvent(name))).toBeUndefined();
    });
  });
});
