import { gunzipSync } from 'node:zlib';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../domain/errors';
import type { ReconciliationRun } from '../domain/store';
import * as z from '../zod';
import type { CardRef } from './ports';
import {
  finishRun,
  forEachConcurrently,
  listAllCards,
  reconcileAndRecord,
  type ReconciliationDeps,
  summariseRun,
} from './reconcile';

/**
 * The full sweep's steps (infra/constructs/reconciliation.ts): `start` records the run (and, in the
 * inline form, lists every card in batches), `reconcile` reconciles one batch of cards (one Map
 * item), `reconcileExportFile` the cards of one DynamoDB export file (one Distributed Map item, in
 * AWS), `finish` sums the card results into the run.
 */

const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be 1-80 of [A-Za-z0-9_-]'));
const pismoId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_-]'));
const cardRef = z.strictObject({ cardId: pismoId, accountId: z.optional(pismoId) });
const stepSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('start'), runId: id, listCards: z.optional(z.boolean()) }),
  z.strictObject({
    action: z.literal('reconcile'),
    BatchInput: z.strictObject({ runId: id }),
    Items: z.array(cardRef).check(z.maxLength(1000)),
  }),
  z.strictObject({
    action: z.literal('reconcileExportFile'),
    runId: id,
    bucket: z.string().check(z.regex(/^[a-z0-9.-]{3,63}$/)),
    key: z.string().check(z.maxLength(1024)),
  }),
  z.strictObject({ action: z.literal('finish'), runId: id, startedAt: z.string().check(z.maxLength(40)) }),
]);
export type SweepStep = z.infer<typeof stepSchema>;

export function parseSweepStep(input: unknown): SweepStep {
  const parsed = z.safeParse(stepSchema, input);
  if (!parsed.success)
    throw new ValidationError(
      'invalid sweep step input',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`),
    );
  return parsed.data;
}

/** Cards per Map item. */
export const SWEEP_BATCH_SIZE = 25;

/** Reads one export data file (gzip, DynamoDB JSON lines): the port keeps the S3 client out of the flow. */
export type ExportFileReader = (bucket: string, key: string) => Promise<Buffer>;

/** The cards (with their account) of the token states in one DynamoDB export data file. */
export function cardsOfExportFile(gzipped: Buffer): CardRef[] {
  const cards = new Map<string, CardRef>();
  for (const line of gunzipSync(gzipped).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    const { Item } = JSON.parse(line) as { Item?: Record<string, never> };
    if (!Item) continue;
    const item = unmarshall(Item) as { PK?: string; SK?: string; facts?: { cardId?: string; accountId?: string } };
    const cardId = item.facts?.cardId;
    if (item.SK !== 'STATE' || !item.PK?.startsWith('TOKEN#') || !cardId || cards.has(cardId)) continue;
    cards.set(cardId, { cardId, ...(item.facts?.accountId ? { accountId: item.facts.accountId } : {}) });
  }
  return [...cards.values()];
}

async function reconcileCards(
  deps: ReconciliationDeps,
  runId: string,
  cards: readonly CardRef[],
  concurrency: number,
): Promise<{ cards: number; failed: number }> {
  let failed = 0;
  await forEachConcurrently(cards, concurrency, async (card) => {
    const r = await reconcileAndRecord(deps, { ...card, runId });
    if (r.outcome === 'failed' || r.outcome === 'partial') failed++;
  });
  return { cards: cards.length, failed };
}

/** Runs one step of the sweep. */
export async function runSweepStep(
  deps: ReconciliationDeps & { concurrency: number; readExportFile?: ExportFileReader },
  step: SweepStep,
): Promise<unknown> {
  switch (step.action) {
    case 'start': {
      const head: Pick<ReconciliationRun, 'runId' | 'trigger' | 'startedAt'> = {
        runId: step.runId,
        trigger: 'sweep',
        startedAt: (deps.now?.() ?? new Date()).toISOString(),
      };
      await deps.store.putReconciliationRun(summariseRun(head, []));
      if (!step.listCards) return { runId: head.runId, startedAt: head.startedAt };
      const cards = await listAllCards(deps.store);
      const batches = [];
      for (let i = 0; i < cards.length; i += SWEEP_BATCH_SIZE)
        batches.push({ BatchInput: { runId: head.runId }, Items: cards.slice(i, i + SWEEP_BATCH_SIZE) });
      return { runId: head.runId, startedAt: head.startedAt, cards: cards.length, batches };
    }
    case 'reconcile':
      return reconcileCards(deps, step.BatchInput.runId, step.Items, deps.concurrency);
    case 'reconcileExportFile': {
      // The export's prefix also holds its manifests and markers: only the data files carry items.
      if (!/\/data\/[^/]+\.json\.gz$/.test(step.key)) return { cards: 0, failed: 0, skipped: true };
      if (!deps.readExportFile) throw new Error('this function cannot read table exports');
      const cards = cardsOfExportFile(await deps.readExportFile(step.bucket, step.key));
      return reconcileCards(deps, step.runId, cards, deps.concurrency);
    }
    case 'finish': {
      const run = await finishRun(deps, { runId: step.runId, trigger: 'sweep', startedAt: step.startedAt });
      const { tokens, failedCards, ...summary } = run;
      return summary;
    }
  }
}
