import { gzipSync } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { TokenState } from '../../../shared/domain/token-state';
import {
  cardsOfExportFile,
  parseSweepStep,
  runSweepStep,
  SWEEP_BATCH_SIZE,
} from '../../../shared/reconciliation/sweep';
import type { ReconciliationDeps } from '../../../shared/reconciliation/reconcile';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const AT = '2026-12-01T10:00:00.000Z';
const state = (tokenId: string, cardId: string): TokenState => ({
  tokenId,
  status: 'active',
  facts: { cardId, accountId: 'a1', network: 'VTS' },
  clocks: { status: `0#${AT}#e1` },
  firstEventAt: AT,
  lastEventAt: AT,
});

/** One DynamoDB export data file: gzip of DynamoDB JSON lines (`{"Item": {...}}`). */
const exportFile = (items: Record<string, unknown>[]) =>
  gzipSync(items.map((i) => JSON.stringify({ Item: marshall(i, { removeUndefinedValues: true }) })).join('\n') + '\n');

describe('the full sweep steps', () => {
  it('reads the cards of the token states in an export file, once each, ignoring other items', () => {
    const file = exportFile([
      { PK: 'TOKEN#t1', SK: 'STATE', ...state('t1', 'c1') },
      { PK: 'TOKEN#t2', SK: 'STATE', ...state('t2', 'c1') },
      { PK: 'TOKEN#t3', SK: 'STATE', ...state('t3', 'c2'), facts: { cardId: 'c2' } },
      { PK: 'TOKEN#t1', SK: `EVENT#${AT}#e1`, facts: { cardId: 'c9' } },
      { PK: 'CARD#c8', SK: 'RECONCILIATION#x', cardId: 'c8' },
    ]);
    expect(cardsOfExportFile(file)).toEqual([{ cardId: 'c1', accountId: 'a1' }, { cardId: 'c2' }]);
  });

  it("reconciles an export data file's cards and skips the export's manifests", async () => {
    const store = new MemoryTokenStore();
    await store.putTokenState(state('t1', 'c1'), undefined);
    const read: string[] = [];
    const deps = {
      store,
      pismo: {
        getCardTokens: async () => ({ tokens: [{ tokenId: 't1', status: 'ACTIVE', network: 'vts' }], attempts: 1 }),
      },
      mdesLimiter: { acquire: async () => undefined },
      concurrency: 2,
      readExportFile: async (_bucket: string, key: string) => {
        read.push(key);
        return exportFile([{ PK: 'TOKEN#t1', SK: 'STATE', ...state('t1', 'c1') }]);
      },
    };
    const step = (key: string) =>
      parseSweepStep({ action: 'reconcileExportFile', runId: 'r1', bucket: 'exports-bucket', key });
    const prefix = 'exports/r1/AWSDynamoDB/01234-abcd';
    expect(await runSweepStep(deps, step(`${prefix}/manifest-files.json`))).toMatchObject({ cards: 0, skipped: true });
    expect(await runSweepStep(deps, step(`${prefix}/data/abc.json.gz`))).toEqual({ cards: 1, failed: 0 });
    expect(read).toEqual([`${prefix}/data/abc.json.gz`]);
    expect((await store.latestCardReconciliation('c1'))?.outcome).toBe('in-sync');
  });

  it('refuses step inputs it does not know, with reasons', () => {
    expect(() => parseSweepStep({ action: 'explode' })).toThrow(/invalid sweep step input/);
    expect(() => parseSweepStep({ action: 'start', runId: 'r 1' })).toThrow();
    expect(() =>
      parseSweepStep({ action: 'reconcile', BatchInput: { runId: 'r1' }, Items: [{ cardId: 'c1', x: 1 }] }),
    ).toThrow();
    expect(parseSweepStep({ action: 'finish', runId: 'r1', startedAt: AT })).toEqual({
      action: 'finish',
      runId: 'r1',
      startedAt: AT,
    });
  });

  it('start lists every card in batches (inline form), reconcile does a batch, finish sums the run', async () => {
    const store = new MemoryTokenStore();
    const cards = Array.from({ length: SWEEP_BATCH_SIZE + 3 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    for (const [i, cardId] of cards.entries()) await store.putTokenState(state(`t${i}`, cardId), undefined);
    const deps: ReconciliationDeps & { concurrency: number } = {
      store,
      pismo: {
        getCardTokens: async ({ cardId }) => ({
          tokens:
            cardId === 'c000' ? [] : [{ tokenId: `t${Number(cardId.slice(1))}`, status: 'ACTIVE', network: 'vts' }],
          attempts: 1,
        }),
      },
      mdesLimiter: { acquire: async () => undefined },
      concurrency: 3,
      now: () => new Date(AT),
    };
    const started = (await runSweepStep(
      deps,
      parseSweepStep({ action: 'start', runId: 'sweep1', listCards: true }),
    )) as {
      batches: { BatchInput: { runId: string }; Items: { cardId: string }[] }[];
      startedAt: string;
    };
    expect(started.batches.map((b) => b.Items.length)).toEqual([SWEEP_BATCH_SIZE, 3]);
    expect((await store.listReconciliationRuns(1)).items[0]).toMatchObject({ runId: 'sweep1', status: 'RUNNING' });
    for (const batch of started.batches)
      expect(await runSweepStep(deps, parseSweepStep({ action: 'reconcile', ...batch }))).toMatchObject({ failed: 0 });
    const summary = await runSweepStep(deps, { action: 'finish', runId: 'sweep1', startedAt: started.startedAt });
    expect(summary).toMatchObject({ runId: 'sweep1', status: 'DONE', cards: cards.length, reported: 1 });
    expect(summary).not.toHaveProperty('tokens');
    expect((await store.listReconciliationRuns(1)).items[0]).toMatchObject({
      status: 'DONE',
      counts: { unknownUpstream: 1 },
    });
  });
});
