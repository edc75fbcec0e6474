import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { type LocalDynamo, startDynalite } from '../../../../local/aws/dynamodb';
import type { Challenge } from '../../../../shared/domain/challenge';
import type { TokenState } from '../../../../shared/domain/token-state';
import { CursorCodec, InvalidCursorError } from '../../../../shared/adapters/dynamo/cursor';
import type { AuditRecord, DecisionRecord, TimelineEntry } from '../../../../shared/domain/store';
import { DynamoTokenStore } from '../../../../shared/adapters/dynamo/token-store';
import { findPans } from '../../../fixtures/pan-scan';
import { textWithPanArb } from '../../../fixtures/pans';
import { createTokenTable, scanAll } from '../../../fixtures/token-table';

const AT = '2026-12-01T10:00:00.000Z';

const tokenState = (tokenId: string, text: string): TokenState => ({
  tokenId,
  status: 'active',
  facts: {
    cardId: `card ${text}`,
    tokenUniqueReference: `TUR-${text}`,
    deviceName: text,
    customCodes: [text],
    ...({ [text]: text } as object),
  },
  clocks: { [text]: AT },
  firstEventAt: AT,
  lastEventAt: AT,
});

const timelineEntry = (eventId: string, text: string, occurredAt = AT): TimelineEntry => ({
  eventId,
  eventType: 'notification',
  occurredAt,
  callMethod: text,
  recognized: true,
  facts: { deviceName: text },
  payload: JSON.stringify({ [text]: text, nested: { deviceName: text } }),
  receivedAt: AT,
});

/** A card number as a JSON number where it fits one exactly (as a PAN in a numeric field would). */
const asNumber = (pan: string) => (Number.isSafeInteger(Number(pan)) ? Number(pan) : pan);

const decision = (decisionId: string, text: string, pan = ''): DecisionRecord => ({
  decisionId,
  decidedAt: AT,
  decision: 'APPROVED',
  reasonCodes: [text],
  firedRules: [{ id: text, outcome: 'x', reasonCode: text }],
  signals: { deviceCountry: text, [text]: asNumber(pan) },
  details: [text],
  latencyMs: 3,
});

const challenge = (tokenId: string, challengeId: string, text: string): Challenge => ({
  challengeId,
  tokenId,
  cardId: text,
  network: 'MDES',
  maskedHint: text,
  status: 'PENDING',
  sourceEventId: text,
  createdAt: AT,
  attempts: 0,
  sealedOtp: 'c2VhbGVk',
});

const audit = (auditId: string, text: string): AuditRecord => ({
  auditId,
  at: AT,
  operation: 'suspend',
  customerId: 'c1',
  userId: text,
  userName: text,
  outcome: 'DONE',
  httpStatus: 200,
  reason: text,
  parameters: { CommentText: `customer read ${text}`, [text]: 'x' },
  latencyMs: 1,
});

// What is particular to the table (sanitised values and keys, signed cursors). The behaviour every
// port shares with the in-memory fake is the contract suite: test/contract/store/.
describe('DynamoTokenStore', () => {
  let dynamo: LocalDynamo;
  let table = 0;
  const newStore = async (cursorKey = randomBytes(32)) => {
    const name = `tokens${++table}`;
    await createTokenTable(dynamo.client, name);
    return { name, store: new DynamoTokenStore(name, dynamo.client, { cursorKey: () => Promise.resolve(cursorKey) }) };
  };
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(() => dynamo.stop());

  describe('every write path', () => {
    it('stores no card number, in any writing style, in any value or key (property)', async () => {
      const { name, store } = await newStore();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(textWithPanArb, async ({ pan, text }) => {
          const id = `t${++n}`;
          await store.putTokenState(tokenState(id, text), undefined);
          await store.putTokenState(tokenState(`${id}x${text}`, text), undefined);
          await store.addTimelineEntry({ tokenId: id }, timelineEntry(`e-${text}`, text));
          await store.addTimelineEntry({ cardId: text }, timelineEntry(`e${n}`, text));
          await store.putDecision({ tokenId: id }, decision(`d-${text}`, text, pan));
          await store.putDecision({ invalidOn: text }, decision(`d${n}`, text));
          await store.putChallenge(challenge(id, `ch-${text}`, text));
          await store.updateChallenge(id, `ch-${text}`, ['PENDING'], { failure: text, deliveredTo: text }, true);
          await store.registerActivationWait(id, { challengeId: text, taskToken: text });
          await store.putAudit({ tokenId: id }, audit(`a${n}`, text));
          await store.putAudit({ tur: text }, audit(`a-${text}`, text));
          await store.putAudit({ day: text }, audit(`b${n}`, text));
          await store.recordKeyRevocation(text, text);
        }),
        { numRuns: 40 },
      );
      const items = await scanAll(dynamo.client, name);
      expect(items.length).toBeGreaterThan(40 * 10);
      expect(findPans(items)).toEqual([]);
    });

    it('finds by a value that held a card number what it stored under it (keys are masked the same way)', async () => {
      const { store } = await newStore();
      const pan = '4111 1111 1111 1111';
      await store.putTokenState(tokenState(`tok ${pan}`, pan), undefined);
      await store.addTimelineEntry({ cardId: pan }, timelineEntry('e1', pan));
      await store.putAudit({ tur: pan }, audit('a1', pan));
      expect((await store.getTokenState(`tok ${pan}`))?.state.facts.deviceName).toBe('****** 1111');
      expect((await store.listTimeline({ cardId: pan }, 10)).items).toHaveLength(1);
      expect(await store.listAudit({ tur: pan }, 10)).toHaveLength(1);
      expect(await store.findTokenIdByTur(`TUR-${pan}`)).toBe('tok ****** 1111');
    });
  });

  describe('listTimeline', () => {
    const fiveEvents = async () => {
      const made = await newStore();
      for (let i = 0; i < 5; i++)
        await made.store.addTimelineEntry({ tokenId: 'a' }, timelineEntry(`e${i}`, 'x', `2026-12-01T10:00:0${i}.000Z`));
      await made.store.addTimelineEntry({ tokenId: 'b' }, timelineEntry('other', 'x'));
      return made;
    };

    it('refuses a cursor whose key was changed', async () => {
      const { store } = await fiveEvents();
      const cursor = (await store.listTimeline({ tokenId: 'a' }, 2)).nextCursor ?? '';
      const [payload, mac] = cursor.split('.');
      const key = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, string>;
      const forged = Buffer.from(JSON.stringify({ ...key, SK: 'EVENT#0' })).toString('base64url');
      await expect(store.listTimeline({ tokenId: 'a' }, 2, `${forged}.${mac}`)).rejects.toMatchObject({
        name: 'InvalidCursorError',
        reason: 'not signed by this deployment',
      });
    });

    it('refuses a key for another partition even when signed with the deployment key', async () => {
      const key = randomBytes(32);
      const { store } = await newStore(key);
      const codec = new CursorCodec(() => Promise.resolve(key));
      const scope = 'table|TOKEN#a|EVENT#';
      const crafted = await codec.encode({ PK: 'TOKEN#b', SK: 'EVENT#x' }, { scope, attributes: [], partition: {} });
      await expect(store.listTimeline({ tokenId: 'a' }, 2, crafted)).rejects.toMatchObject({
        reason: 'issued for another query',
      });
    });

    it('refuses garbage, unsigned JSON (the old cursors) and cursors of another deployment', async () => {
      const { store } = await fiveEvents();
      const other = await newStore();
      await other.store.addTimelineEntry({ tokenId: 'a' }, timelineEntry('e1', 'x'));
      await other.store.addTimelineEntry({ tokenId: 'a' }, timelineEntry('e2', 'x'));
      const foreign = (await other.store.listTimeline({ tokenId: 'a' }, 1)).nextCursor;
      const unsigned = Buffer.from(JSON.stringify({ PK: 'TOKEN#a', SK: 'EVENT#' })).toString('base64url');
      for (const cursor of ['x', '..', 'a.b.c', unsigned, `${unsigned}.`, foreign, 'eyJQSyI6MX0.AAAA'])
        await expect(store.listTimeline({ tokenId: 'a' }, 2, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });
});
