import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { ingestPismoEvent } from '../../../shared/events/ingest-pismo-event';
import { captureStdout } from '../../fixtures/capture-stdout';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';
import {
  addUnknownFieldsEverywhere,
  DOCUMENTED_EVENT_NAMES,
  type DocumentedEventName,
  documentedEvent,
  eventLike,
  type SeedEventName,
  seedEvent,
  seedEventNames,
} from '../../../local/seed/pismo-events';

let stack: LocalStack;
let readToken: string;
let stdout: ReturnType<typeof captureStdout>;
/** Powertools writes warnings and errors to stderr. */
const stderr: string[] = [];
let stderrSpy: jest.SpyInstance;
const logs = () => stdout.text() + stderr.join('');

beforeAll(async () => {
  stdout = captureStdout();
  stderrSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  stack = await startLocalStack({
    logLevel: 'DEBUG',
    startWorkflows: false,
    issuerKeyFile: path.join(mkdtempSync(path.join(tmpdir(), 'issuer-')), 'key.json'),
  });
  readToken = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
});

afterAll(async () => {
  stdout.restore();
  stderrSpy.mockRestore();
  await stack.stop();
});

type Json = Record<string, unknown>;
type Event = Json & { data: Json };

/** POSTs a body signed by the Pismo simulator. */
async function post(body: unknown): Promise<{ status: number; body: Json }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${stack.url}/pismo/events`, {
    method: 'POST',
    headers: await stack.pismo.headers(text),
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function getToken(tokenId: string) {
  const res = await fetch(`${stack.url}/tokens/${tokenId}?limit=100`, {
    headers: { authorization: `Bearer ${readToken}` },
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      token: { status?: string; statusEventId?: string; facts: Json };
      timeline: { items: { eventId: string; eventType: string; recognized: boolean; payload: string }[] };
    },
  };
}

/** Every item of the table, unmarshalled. */
async function scanAll(): Promise<Json[]> {
  const items: Json[] = [];
  let start: Record<string, never> | undefined;
  do {
    const out = await stack.dynamo.client.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []).map((i) => unmarshall(i)));
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return items;
}

/**
 * Store integrity: every token state's fields (status included) were written by events whose
 * timeline entries exist. Returns the violations.
 */
async function statesWithoutTimeline(): Promise<string[]> {
  const items = await scanAll();
  const events = new Set(
    items
      .filter((i) => String(i.PK).startsWith('TOKEN#') && String(i.SK).startsWith('EVENT#'))
      .map((i) => `${String(i.PK)}|${String(i.eventId)}`),
  );
  const problems: string[] = [];
  for (const state of items.filter((i) => i.SK === 'STATE')) {
    for (const clock of Object.values((state.clocks ?? {}) as Record<string, string>)) {
      const eventId = clock.split('#').at(-1) ?? '';
      if (!events.has(`${String(state.PK)}|${eventId}`)) problems.push(`${String(state.PK)} ${eventId}`);
    }
  }
  return problems;
}

/** A documented-shape event re-addressed to a fresh token/card, so tests do not see each other's data. */
function fresh(name: DocumentedEventName, id: string): Event {
  const e = documentedEvent(name);
  e.event_id = `${String(e.event_id).slice(0, 40)}-${id}`;
  const d = e.data;
  for (const k of ['token_id', 'card_id', 'old_card_id', 'new_card_id'] as const) {
    if (d[k] !== undefined && d[k] !== null) d[k] = `${String(d[k])}${id}`;
  }
  return e;
}

function freshSeed(name: SeedEventName, id: string, tokenId: string): Event {
  return eventLike(name, { eventId: `${name}-${id}`, tokenId, cardId: `card${id}` });
}

/** `[[[…]]]` nested `depth` deep, built without recursion. */
function nestedArrays(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('Pismo event ingestion (local stack)', () => {
  describe('documented shapes over the webhook', () => {
    it.each(DOCUMENTED_EVENT_NAMES)('accepts %s with 202 applied and recognised', async (name) => {
      const res = await post(fresh(name, `doc${name.length}`));
      expect(res).toMatchObject({ status: 202, body: { outcome: 'applied', recognized: true } });
    });

    it('applies a patch to the token state and stores a pan_update on both cards', async () => {
      const ta = freshSeed('mdes-ta', 'pt', 'tokpt');
      expect((await post(ta)).status).toBe(202);
      const patch = fresh('patch-1', 'pt');
      patch.data.token_id = 'tokpt';
      patch.timestamp = new Date(Date.parse(String(ta.timestamp)) + 1000).toISOString();
      patch.data.patch = { status: 'DEACTIVATED' };
      expect((await post(patch)).body).toMatchObject({ outcome: 'applied', tokenStatus: 'deleted' });

      const pan = fresh('pan-update-1', 'pu');
      expect((await post(pan)).status).toBe(202);
      const cards = (await scanAll()).filter((i) => String(i.eventId) === pan.event_id).map((i) => i.PK);
      expect(cards.sort()).toEqual([`CARD#42488842pu`, `CARD#42488843pu`]);
    });

    it('accepts an event with 5 unknown fields at every level, keeping them in the stored payload', async () => {
      const e = fresh('notification-1', 'unk');
      const added = addUnknownFieldsEverywhere(e);
      const res = await post(e);
      expect(res).toMatchObject({ status: 202, body: { outcome: 'applied' } });
      const { body } = await getToken('42488842unk');
      const payload = body.timeline.items.find((i) => i.eventId === e.event_id)?.payload ?? '';
      for (const value of added.values()) expect(payload).toContain(JSON.stringify(value));
      expect(logs()).toContain(`"unknownFields":["future_field_0"`);
    });

    it('stores an event type it does not know on the token timeline, recognised false, and counts it', async () => {
      const e: Event = { ...fresh('patch-1', 'unt'), event_type: 'token_renamed-1' };
      expect((await post(e)).body).toMatchObject({ outcome: 'applied', recognized: false });
      const { body } = await getToken('42488842unt');
      expect(body.timeline.items).toEqual([
        expect.objectContaining({ eventId: e.event_id, eventType: 'token_renamed', recognized: false }),
      ]);
      expect(logs()).toContain('unknown event type stored');
    });
  });

  describe('token view (GET /tokens/{id})', () => {
    it('shows the seed fields a user wants: TC decision and attempts, expiry, PAN source label', async () => {
      for (const name of ['mdes-ta', 'mdes-tc'] as const) await post(freshSeed(name, 'tv1', 'toktv1'));
      const { body } = await getToken('toktv1');
      expect(body.token.facts).toMatchObject({
        finalTokenDecision: '2',
        finalTokenDecisionLabel: 'approved after additional authentication',
        activationAttempts: 1,
        tokenExpiry: '2024-01',
        panSourceLabel: 'manual',
      });
    });

    it('shows VTS messageReason, dateTimeOfEvent, otpReason, otpMaxReached, device OS and token expiry', async () => {
      const names = ['vts-approve-provisioning', 'vts-get-cvm', 'vts-token-deactivated'] as const;
      for (const name of names) await post(freshSeed(name, 'tv2', 'toktv2'));
      const { body } = await getToken('toktv2');
      expect(body.token).toMatchObject({
        status: 'deleted',
        facts: {
          messageReason: '*CUSTOMER_CONFIRMED||Delete initiated by device.',
          networkEventAt: '2020-12-19T12:35:49.000Z',
          otpReason: 'PROVISIONING',
          otpMaxReached: false,
          deviceOs: 'ANDROID',
          deviceOsVersion: '7.0',
          tokenExpiry: '2029-11',
          panSourceLabel: 'manual',
        },
      });
    });
  });

  describe('contention', () => {
    it('ends 50 concurrent deliveries to one token all applied or duplicate, converging to the sequential state', async () => {
      const names: SeedEventName[] = ['mdes-ta', 'mdes-ac', 'mdes-tc', 'mdes-tv-deleted'];
      const build = (run: string, tokenId: string) =>
        Array.from({ length: 40 }, (_, i) => {
          const name = names[i % names.length] as SeedEventName;
          return eventLike(name, {
            eventId: `c${run}-${i}`,
            tokenId,
            timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
          });
        });
      const events = build('run', 'tokc50');
      const deliveries = [...events, ...events.slice(0, 10)]; // 50: 40 distinct, 10 redelivered
      const results = await Promise.all(deliveries.map((e) => post(e)));
      expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 202)).toEqual([]);
      expect(results.filter((r) => r.body.outcome === 'applied')).toHaveLength(40);
      expect(results.filter((r) => r.body.outcome === 'duplicate')).toHaveLength(10);
      // The same events applied one by one, in order, by the same use case on an in-memory store.
      const reference = new MemoryTokenStore();
      for (const e of events) await ingestPismoEvent(e, { store: reference });
      const want = reference.states.get('tokc50')?.state;
      const got = await getToken('tokc50');
      expect(got.body.timeline.items).toHaveLength(40);
      expect({ status: got.body.token.status, facts: got.body.token.facts }).toEqual({
        status: want?.status,
        facts: want?.facts,
      });
    }, 180_000);
  });

  describe('hostile bodies', () => {
    it('answers 400 with a clear reason to arrays nested 3,000 deep (11.7 KB), writing nothing, every time', async () => {
      const e = freshSeed('mdes-tc', 'deep', 'tokdeep');
      e.data.network_data = { ...(e.data.network_data as Json), x: nestedArrays(3000) };
      const before = (await scanAll()).length;
      // Twice: a redelivery fails the same way (no 500 loop).
      for (let i = 0; i < 2; i++) {
        const res = await post(e);
        expect(res).toMatchObject({
          status: 400,
          body: { error: 'ValidationError', details: ['(body): nested deeper than 32 levels'] },
        });
      }
      expect((await scanAll()).length).toBe(before);
    });

    it('dead-letters such a body on the queue path after maxReceiveCount, with no state written', async () => {
      const e = freshSeed('mdes-tc', 'qdeep', 'tokqdeep');
      e.data.network_data = { x: nestedArrays(3000) };
      const good = freshSeed('mdes-ta', 'qgood', 'tokqgood');
      const result = await stack.sendToEventsQueue([JSON.stringify(e), JSON.stringify(good)]);
      expect(result.deadLettered.map((m) => m.receiveCount)).toEqual([5]);
      expect(result.succeeded).toHaveLength(1);
      expect((await getToken('tokqdeep')).status).toBe(404);
      expect((await getToken('tokqgood')).status).toBe(200);
    });

    it('never answers 5xx and leaves no token state without its timeline entry after fuzzed input (property)', async () => {
      const bases: Event[] = [
        ...seedEventNames().map((n) => seedEvent(n)),
        ...DOCUMENTED_EVENT_NAMES.map((n) => documentedEvent(n)),
      ];
      const hostile = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.integer({ min: 10, max: 4000 }).map((depth) => {
          let v: unknown = 'x';
          for (let i = 0; i < depth; i++) v = depth % 2 ? [v] : { v };
          return v;
        }),
        fc.string({ maxLength: 300 }),
        fc.constantFrom(null, -1, 1e300, '', '4111111111111111', { __proto__: 1 }),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(bases.length - 1), fc.nat(), hostile, fc.boolean(), async (b, where, value, asKey) => {
          const id = `fz${run++}`;
          const raw = structuredClone(bases[b]) as Event;
          raw.event_id = `fuzz-${id}`;
          if (raw.data.token_id !== null && raw.data.token_id !== undefined) raw.data.token_id = `tok${id}`;
          const objects: Json[] = [];
          const pending: unknown[] = [raw];
          for (let v = pending.pop(); v !== undefined; v = pending.pop()) {
            if (v && typeof v === 'object' && !Array.isArray(v)) objects.push(v as Json);
            if (v && typeof v === 'object') pending.push(...Object.values(v));
          }
          const target = objects[where % objects.length] ?? raw;
          const keys = Object.keys(target);
          const key = asKey || keys.length === 0 ? `fuzz_${where % 7}` : (keys[where % keys.length] ?? 'k');
          target[key] = value;
          const res = await post(raw);
          expect(res.status).toBeLessThan(500);
        }),
        { numRuns: 60 },
      );
      expect(await statesWithoutTimeline()).toEqual([]);
    }, 180_000);
  });

  describe('privacy', () => {
    const PERSONAL_VALUES = [
      '189.121.201.167', // VTS deviceIPAddressV4
      '-19.9388/-43.9327', // VTS GPS deviceLocation
      'DF7C1D317DF3A83838BBAB39F0844FD86F42774EA17AEB06C500DEB95345199B', // walletAccountEmailAddressHash
      '135E2B5D3', // MDES sf13_device_location
      'FD8F4942', // MDES sf4_device_source_ip
      '123CCB2F30BA420B89F9BD5E7151540EE44DDDB8B5140CDEA34AA61F625EF215', // MDES wallet account hash
      '02:00:00:00:00:00', // deviceBluetoothMac
      '8425434b344e3034', // device and SIM serial numbers
    ];

    it('keeps device IP, GPS and MDES location, account hashes and hardware ids out of the store and the logs', async () => {
      for (const name of ['vts-approve-provisioning', 'mdes-ta', 'mdes-te-refusal'] as const) {
        const e = freshSeed(name, 'priv', 'tokpriv');
        if (name === 'mdes-te-refusal') e.data.token_id = null;
        expect((await post(e)).status).toBe(202);
      }
      const stored = JSON.stringify(await scanAll());
      const logged = logs();
      expect(stored).toContain('deviceCountry'); // the coarse location is kept
      expect(logged).toContain('vts-approve-provisioning-priv'); // the events were logged (by id)...
      for (const value of PERSONAL_VALUES) {
        expect({ value, inStore: stored.includes(value), inLogs: logged.includes(value) }).toEqual({
          value,
          inStore: false,
          inLogs: false,
        });
      }
    });
  });
});
