/**
 * Reconciliation: our token store agrees with Pismo and Mastercard, and says so when it does not
 * (docs/flows/reconciliation.md).
 *
 * Primary course (one card, {@link reconcileCard}):
 * 1. Read our tokens of the card (GSI1) and Pismo's "get card tokens" for it (one call, both networks).
 * 2. Compare token by token. A Mastercard token still in doubt (Pismo and we disagree on its status,
 *    Pismo's word is unknown, or Pismo does not list it) is searched at MDES Customer Service by its
 *    TUR, each attempt under the configured rate (the FAQ: the CS API is not for batch processing).
 * 3. Classify each disagreement (status differs; token unknown to us; token unknown upstream; token
 *    on a different card; TUR differs) and repair what is safe: a `reconciliation` timeline entry
 *    merged through the token state's last-writer-wins merge with the observation time as its clock,
 *    so a newer event always wins over it. What is not safe (a deleted token upstream calls active,
 *    two upstreams disagreeing, a different TUR) is reported, never guessed.
 * 4. Record the card's result; flag the card for the next run when an upstream failed.
 *
 * A run ({@link runReconciliation}) does that for many cards with bounded concurrency: a card whose
 * upstream fails is recorded and flagged, and the run goes on; the run stores its counts per drift
 * class and the tokens affected. Re-running is idempotent: a repaired token is in sync the next time,
 * and a repair's entry has a fixed id per run, token and class.
 */
import { applyTokenEvent, type TokenState } from '../domain/token-state';
import type { Network, TokenEvent, TokenFacts } from '../domain/token-event';
import { isTerminalStatus, type TokenStatus } from '../domain/token-status';
import {
  type CardReconciliation,
  DRIFT_CLASSES,
  type DriftClass,
  type DriftFinding,
  type Page,
  type ReconciliationRun,
  VersionConflictError,
} from '../domain/store';
import { AccountUnknownError, MdesSearchFailedError } from './errors';
import type {
  CardRef,
  MdesSearchPort,
  PismoCardTokensPort,
  RateLimiter,
  ReconciliationObserver,
  ReconciliationStore,
  UpstreamToken,
} from './ports';

export interface ReconciliationDeps {
  store: ReconciliationStore;
  pismo: PismoCardTokensPort;
  /** MDES Search by TUR; without it, Mastercard tokens in doubt are reported on Pismo's word only. */
  mdes?: MdesSearchPort;
  /** Gates every MDES attempt (retries included). */
  mdesLimiter: RateLimiter;
  /** MDES attempts per token in doubt (default 2). */
  mdesAttempts?: number;
  /**
   * A Mastercard token Pismo and we both call requested or pending ID&V for longer than this stays in
   * doubt (a lost activation or deletion): MDES is asked. Default 60.
   */
  pendingDoubtMinutes?: number;
  now?: () => Date;
  observer?: ReconciliationObserver;
}

/** Pismo's token status words (the `patch` and `token_resync` events) in our terms. */
const PISMO_STATUS: Readonly<Record<string, TokenStatus>> = {
  INACTIVE: 'pending_idv',
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  DEACTIVATED: 'deleted',
  FAILED: 'failed',
};

/** MDES `CurrentStatusCode` in our terms (U: unmapped, provisioning in progress). */
const MDES_STATUS: Readonly<Record<string, TokenStatus>> = {
  U: 'pending_idv',
  A: 'active',
  S: 'suspended',
  D: 'deleted',
};

/** Requested and pending ID&V are one upstream status (Pismo's INACTIVE, MDES's U). */
function sameStatus(a: TokenStatus | undefined, b: TokenStatus | undefined): boolean {
  const norm = (s: TokenStatus | undefined) => (s === 'requested' ? 'pending_idv' : s);
  return norm(a) === norm(b);
}

const isMastercard = (ours: TokenState | undefined, upstream: UpstreamToken | undefined) =>
  ours?.facts.network === 'MDES' || upstream?.network === 'mdes';

/** The repair's entry id: one per run, token and class, so a re-run of the same run adds no second entry. */
const repairEventId = (runId: string, driftClass: DriftClass) => `reconciliation:${runId}:${driftClass}`;

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 300);

const nowIso = (deps: Pick<ReconciliationDeps, 'now'>) => (deps.now?.() ?? new Date()).toISOString();

/** Every item of a paged listing, page after page (the next page is read only when the caller wants more). */
async function* itemsOf<T>(page: (cursor?: string) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const { items, nextCursor } = await page(cursor);
    yield* items;
    cursor = nextCursor;
  } while (cursor);
}

async function allOf<T>(page: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of itemsOf(page)) all.push(item);
  return all;
}

const cardRef = (cardId: string, accountId: string | undefined): CardRef => ({
  cardId,
  ...(accountId ? { accountId } : {}),
});

/** A card's result when nothing could be compared (Pismo failed, or the card's account is unknown). */
const failedResult = (
  card: { runId: string; cardId: string },
  checkedAt: string,
  calls: CardReconciliation['calls'],
  error: string,
): CardReconciliation => ({
  runId: card.runId,
  cardId: card.cardId,
  checkedAt,
  outcome: 'failed',
  tokensCompared: 0,
  findings: [],
  calls,
  error,
});

/** Runs `work` over `items`, at most `concurrency` at a time (at least one), in order of the list. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
}

/** MDES's answer for a TUR (undefined: MDES does not know it). */
type MdesAnswer = { status?: TokenStatus; code?: string } | undefined;

/** One card's comparison in progress. */
class CardCheck {
  readonly findings: DriftFinding[] = [];
  readonly calls = { pismo: 0, mdes: 0 };
  compared = 0;
  mdesFailed = false;

  constructor(
    readonly deps: ReconciliationDeps,
    readonly runId: string,
    readonly cardId: string,
    readonly observedAt: string,
  ) {}

  /** MDES's status of a TUR: each attempt waits for a permit; undefined when MDES does not know it. */
  async mdesStatus(tur: string, orgId?: string): Promise<MdesAnswer> {
    const mdes = this.deps.mdes;
    if (!mdes) throw new MdesSearchFailedError('no MDES connection configured', false);
    const attempts = Math.max(1, this.deps.mdesAttempts ?? 2);
    for (let attempt = 1; ; attempt++) {
      await this.deps.mdesLimiter.acquire();
      this.calls.mdes++;
      try {
        const found = await mdes.statusByTur(tur, orgId);
        return found ? { status: MDES_STATUS[found.statusCode ?? ''], code: found.statusCode } : undefined;
      } catch (err) {
        const failure = err instanceof MdesSearchFailedError ? err : new MdesSearchFailedError(describe(err), true);
        if (!failure.retryable || attempt >= attempts) throw failure;
      }
    }
  }

  /**
   * {@link mdesStatus}, or 'retry' when MDES could not answer: the token stays in doubt (a `retry`
   * finding about it), and the card is partial (flagged for the next run).
   */
  async mdesStatusOrRetry(
    tur: string,
    orgId: string | undefined,
    about: Pick<DriftFinding, 'tokenId' | 'driftClass' | 'ours' | 'upstream'>,
  ): Promise<MdesAnswer | 'retry'> {
    try {
      return await this.mdesStatus(tur, orgId);
    } catch (err) {
      this.mdesFailed = true;
      this.find({ ...about, source: 'mdes', action: 'retry', reason: describe(err) });
      return 'retry';
    }
  }

  find(finding: Omit<DriftFinding, 'cardId'>): DriftFinding {
    const full = { cardId: this.cardId, ...finding };
    this.findings.push(full);
    return full;
  }

  /**
   * Merges a `reconciliation` entry observed at `observedAt` into the token: 'repaired' when it won
   * every field it names, 'superseded' when a newer event already holds them (nothing is written).
   */
  async repair(
    tokenId: string,
    driftClass: DriftClass,
    change: { status?: TokenStatus; facts: TokenEvent['facts'] },
    detail: Record<string, string | undefined>,
  ): Promise<'repaired' | 'superseded'> {
    const { store } = this.deps;
    const event: TokenEvent = {
      eventId: repairEventId(this.runId, driftClass),
      eventType: 'reconciliation',
      occurredAt: this.observedAt,
      tokenId,
      cardId: this.cardId,
      callMethod: 'RECONCILIATION',
      recognized: true,
      ...(change.status ? { status: change.status } : {}),
      facts: change.facts,
    };
    const fields = [...(change.status ? ['status'] : []), ...Object.keys(change.facts)];
    let entryWritten = false;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const current = await store.getTokenState(tokenId);
      const { state } = applyTokenEvent(current?.state, event);
      const won = fields.every((f) => state.clocks[f] !== undefined && state.clocks[f] !== current?.state.clocks[f]);
      if (!won) return 'superseded';
      if (!entryWritten) {
        await store.addTimelineEntry(
          { tokenId },
          {
            eventId: event.eventId,
            eventType: event.eventType,
            occurredAt: event.occurredAt,
            callMethod: event.callMethod,
            recognized: true,
            ...(event.status ? { status: event.status } : {}),
            facts: event.facts,
            payload: JSON.stringify({ runId: this.runId, driftClass, ...detail }),
            receivedAt: nowIso(this.deps),
          },
        );
        entryWritten = true;
      }
      try {
        await store.putTokenState(state, current?.version);
        return 'repaired';
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
      }
    }
    throw new VersionConflictError(`token ${tokenId} kept changing during its repair`);
  }
}

/** Reconciles one card; never throws for an upstream failure (the result says `failed` or `partial`). */
export async function reconcileCard(
  deps: ReconciliationDeps,
  input: CardRef & { runId: string },
): Promise<CardReconciliation> {
  const { store } = deps;
  const { runId, cardId } = input;
  const checkedAt = nowIso(deps);
  const ours = await allOf((cursor) => store.listTokensOfCard(cardId, 100, cursor));
  const accountId = input.accountId ?? ours.find((t) => t.facts.accountId)?.facts.accountId;
  if (!accountId) throw new AccountUnknownError(cardId);

  let listed: UpstreamToken[];
  const pismoCalls = { n: 0 };
  try {
    const answer = await deps.pismo.getCardTokens({ accountId, cardId });
    listed = answer.tokens;
    pismoCalls.n = answer.attempts;
  } catch (err) {
    const error = `Pismo get card tokens: ${describe(err)}`;
    await store.flagCardForReconciliation({ cardId, accountId, reason: error, at: checkedAt });
    return failedResult(input, checkedAt, { pismo: 1, mdes: 0 }, error);
  }
  const check = new CardCheck(deps, runId, cardId, nowIso(deps));
  check.calls.pismo = pismoCalls.n;
  const oursById = new Map(ours.map((t) => [t.tokenId, t]));

  for (const up of listed) {
    if (!up.tokenId) continue;
    check.compared++;
    const mine = oursById.get(up.tokenId) ?? (await store.getTokenState(up.tokenId))?.state;
    oursById.delete(up.tokenId);
    await compareListed(check, up as UpstreamToken & { tokenId: string }, mine, accountId);
  }
  for (const mine of oursById.values()) {
    // Pismo may drop deleted tokens from the list: a token final on our side is not in doubt.
    if (mine.status && isTerminalStatus(mine.status)) continue;
    check.compared++;
    await compareUnlisted(check, mine);
  }

  const result: CardReconciliation = {
    runId,
    cardId,
    checkedAt,
    outcome: check.mdesFailed ? 'partial' : check.findings.length ? 'drift' : 'in-sync',
    tokensCompared: check.compared,
    findings: check.findings,
    calls: check.calls,
  };
  if (check.mdesFailed)
    await store.flagCardForReconciliation({ cardId, accountId, reason: 'MDES could not be searched', at: checkedAt });
  return result;
}

/** A token Pismo lists: unknown to us, on another card, another TUR, another status. */
async function compareListed(
  check: CardCheck,
  up: UpstreamToken & { tokenId: string },
  mine: TokenState | undefined,
  accountId: string,
): Promise<void> {
  const { cardId } = check;
  const upStatus = up.status ? PISMO_STATUS[up.status] : undefined;
  const network: Network | undefined = up.network === 'mdes' ? 'MDES' : up.network === 'vts' ? 'VTS' : undefined;
  if (!mine) {
    if (!upStatus) {
      check.find({
        tokenId: up.tokenId,
        driftClass: 'unknownToUs',
        upstream: up.status,
        source: 'pismo',
        action: 'reported',
        reason: "Pismo's status word is not one we know: not created",
      });
      return;
    }
    const facts: TokenFacts = {
      cardId,
      accountId,
      ...(network ? { network } : {}),
      ...(up.tokenUniqueReference ? { tokenUniqueReference: up.tokenUniqueReference } : {}),
    };
    const action = await check.repair(
      up.tokenId,
      'unknownToUs',
      { status: upStatus, facts },
      { source: 'pismo', upstream: up.status },
    );
    check.find({ tokenId: up.tokenId, driftClass: 'unknownToUs', upstream: up.status, source: 'pismo', action });
    return;
  }

  if (mine.facts.cardId !== undefined && mine.facts.cardId !== cardId) {
    const action = await check.repair(
      up.tokenId,
      'differentCard',
      { facts: { cardId } },
      { source: 'pismo', ours: mine.facts.cardId, upstream: cardId },
    );
    check.find({
      tokenId: up.tokenId,
      driftClass: 'differentCard',
      ours: mine.facts.cardId,
      upstream: cardId,
      source: 'pismo',
      action,
      reason: 'reissue: Pismo lists the token on this card',
    });
  }

  const ourTur = mine.facts.tokenUniqueReference;
  if (up.tokenUniqueReference && ourTur !== up.tokenUniqueReference) {
    if (ourTur === undefined) {
      const action = await check.repair(
        up.tokenId,
        'turDiffers',
        { facts: { tokenUniqueReference: up.tokenUniqueReference } },
        { source: 'pismo', upstream: up.tokenUniqueReference },
      );
      check.find({
        tokenId: up.tokenId,
        driftClass: 'turDiffers',
        upstream: up.tokenUniqueReference,
        source: 'pismo',
        action,
        reason: 'we had no TUR',
      });
    } else {
      check.find({
        tokenId: up.tokenId,
        driftClass: 'turDiffers',
        ours: ourTur,
        upstream: up.tokenUniqueReference,
        source: 'pismo',
        action: 'reported',
        reason: 'a TUR identifies the token at Mastercard: a different one is not changed automatically',
      });
    }
  }

  if (upStatus !== undefined && sameStatus(mine.status, upStatus)) {
    await checkLongPending(check, mine, up);
    return;
  }
  // In doubt: Pismo disagrees with us, or says a word we do not know.
  let truth = upStatus;
  let source: DriftFinding['source'] = 'pismo';
  const tur = ourTur ?? up.tokenUniqueReference;
  if (isMastercard(mine, up) && tur && check.deps.mdes) {
    const atMdes = await check.mdesStatusOrRetry(tur, mine.facts.orgId, {
      tokenId: up.tokenId,
      driftClass: 'statusDiffers',
      ours: mine.status,
      upstream: up.status,
    });
    if (atMdes === 'retry') return;
    source = 'mdes';
    if (!atMdes?.status) {
      check.find({
        tokenId: up.tokenId,
        driftClass: 'statusDiffers',
        ours: mine.status,
        upstream: up.status,
        source,
        action: 'reported',
        reason: atMdes
          ? `MDES status code ${atMdes.code ?? '(none)'} is not one we know`
          : 'MDES does not know the TUR',
      });
      return;
    }
    if (upStatus !== undefined && !sameStatus(atMdes.status, upStatus)) {
      check.find({
        tokenId: up.tokenId,
        driftClass: 'statusDiffers',
        ours: mine.status,
        upstream: `pismo ${upStatus}, mdes ${atMdes.status}`,
        source,
        action: 'reported',
        reason: sameStatus(atMdes.status, mine.status)
          ? `MDES agrees with us; Pismo's list says ${up.status ?? '(no status)'}: Pismo's view is behind`
          : 'Pismo and MDES disagree',
      });
      return;
    }
    truth = atMdes.status;
  }
  if (truth === undefined) {
    check.find({
      tokenId: up.tokenId,
      driftClass: 'statusDiffers',
      ours: mine.status,
      upstream: up.status,
      source,
      action: 'reported',
      reason: "Pismo's status word is not one we know",
    });
    return;
  }
  if (sameStatus(mine.status, truth)) return; // MDES agrees with us
  await repairStatus(check, mine, truth, source, up.status ?? truth);
}

/**
 * Pismo agrees with us that a Mastercard token is still requested or pending ID&V, for longer than
 * configured: it stays in doubt, and MDES (the network) says whether it moved on. A move MDES reports
 * is what a lost event would have done: repaired (the merge still lets any newer event win).
 */
async function checkLongPending(check: CardCheck, mine: TokenState, up: UpstreamToken): Promise<void> {
  const pending = mine.status === 'requested' || mine.status === 'pending_idv';
  const tur = mine.facts.tokenUniqueReference ?? up.tokenUniqueReference;
  if (!pending || !tur || !check.deps.mdes || !isMastercard(mine, up)) return;
  const minutes = check.deps.pendingDoubtMinutes ?? 60;
  if (mine.lastEventAt >= new Date(Date.parse(check.observedAt) - minutes * 60_000).toISOString()) return;
  const atMdes = await check.mdesStatusOrRetry(tur, mine.facts.orgId, {
    tokenId: mine.tokenId,
    driftClass: 'statusDiffers',
    ours: mine.status,
    upstream: up.status,
  });
  if (atMdes === 'retry' || !atMdes?.status || sameStatus(atMdes.status, mine.status)) return;
  await repairStatus(check, mine, atMdes.status, 'mdes', atMdes.code ?? atMdes.status);
}

/** A token of ours Pismo does not list: MDES can still tell for a Mastercard token. */
async function compareUnlisted(check: CardCheck, mine: TokenState): Promise<void> {
  const tur = mine.facts.tokenUniqueReference;
  if (isMastercard(mine, undefined) && tur && check.deps.mdes) {
    const atMdes = await check.mdesStatusOrRetry(tur, mine.facts.orgId, {
      tokenId: mine.tokenId,
      driftClass: 'unknownUpstream',
      ours: mine.status,
    });
    if (atMdes === 'retry') return;
    if (atMdes?.status === 'deleted') {
      const action = await check.repair(
        mine.tokenId,
        'unknownUpstream',
        { status: 'deleted', facts: {} },
        { source: 'mdes', ours: mine.status, upstream: 'D' },
      );
      check.find({
        tokenId: mine.tokenId,
        driftClass: 'unknownUpstream',
        ours: mine.status,
        upstream: 'deleted',
        source: 'mdes',
        action,
        reason: 'Pismo does not list it; MDES says deleted',
      });
      return;
    }
    check.find({
      tokenId: mine.tokenId,
      driftClass: 'unknownUpstream',
      ours: mine.status,
      upstream: atMdes?.status,
      source: 'mdes',
      action: 'reported',
      reason: atMdes
        ? `Pismo does not list it; MDES says ${atMdes.status ?? atMdes.code}`
        : 'neither Pismo nor MDES knows it',
    });
    return;
  }
  check.find({
    tokenId: mine.tokenId,
    driftClass: 'unknownUpstream',
    ours: mine.status,
    source: 'pismo',
    action: 'reported',
    reason: 'Pismo does not list it',
  });
}

async function repairStatus(
  check: CardCheck,
  mine: TokenState,
  truth: TokenStatus,
  source: DriftFinding['source'],
  upstreamWord: string,
): Promise<void> {
  const base = {
    tokenId: mine.tokenId,
    driftClass: 'statusDiffers' as const,
    ours: mine.status,
    upstream: truth,
    source,
  };
  if (mine.status && isTerminalStatus(mine.status) && !isTerminalStatus(truth)) {
    check.find({
      ...base,
      action: 'reported',
      reason: `our status ${mine.status} is final (no event may leave it); ${source} says ${truth}: check the token upstream`,
    });
    return;
  }
  const action = await check.repair(
    mine.tokenId,
    'statusDiffers',
    { status: truth, facts: {} },
    { source, ours: mine.status, upstream: upstreamWord },
  );
  check.find({ ...base, action });
}

/** The most tokens a run record lists (the card results hold every finding). */
export const RUN_TOKENS_LIMIT = 500;

const zeroCounts = (): Record<DriftClass, number> =>
  Object.fromEntries(DRIFT_CLASSES.map((c) => [c, 0])) as Record<DriftClass, number>;

/** A run's record from its card results. */
export function summariseRun(
  head: Pick<ReconciliationRun, 'runId' | 'trigger' | 'startedAt'>,
  results: readonly CardReconciliation[],
  finishedAt?: string,
): ReconciliationRun {
  const run: ReconciliationRun = {
    ...head,
    ...(finishedAt ? { finishedAt } : {}),
    status: finishedAt ? 'DONE' : 'RUNNING',
    cards: results.length,
    cardsFailed: 0,
    tokensCompared: 0,
    counts: zeroCounts(),
    repaired: 0,
    reported: 0,
    tokens: [],
    failedCards: [],
    calls: { pismo: 0, mdes: 0 },
  };
  for (const r of results) {
    run.tokensCompared += r.tokensCompared;
    run.calls.pismo += r.calls.pismo;
    run.calls.mdes += r.calls.mdes;
    if (r.outcome === 'failed' || r.outcome === 'partial') {
      run.cardsFailed++;
      if (run.failedCards.length < RUN_TOKENS_LIMIT) run.failedCards.push(r.cardId);
    }
    for (const f of r.findings) {
      run.counts[f.driftClass]++;
      if (f.action === 'repaired') run.repaired++;
      if (f.action === 'reported') run.reported++;
      if (run.tokens.length < RUN_TOKENS_LIMIT)
        run.tokens.push({ tokenId: f.tokenId, cardId: f.cardId, driftClass: f.driftClass, action: f.action });
      else run.tokensTruncated = true;
    }
  }
  return run;
}

/** Total drift of a run (every finding). */
export const driftTotal = (run: ReconciliationRun) => DRIFT_CLASSES.reduce((n, c) => n + run.counts[c], 0);

/**
 * Reconciles one card inside a run and records it: the result under the card and the run, the
 * card flagged when an upstream failed (cleared when it answered), the observer told.
 */
export async function reconcileAndRecord(
  deps: ReconciliationDeps,
  card: CardRef & { runId: string },
  options: { failOnUnknownAccount?: boolean } = {},
): Promise<CardReconciliation> {
  let result: CardReconciliation;
  try {
    result = await reconcileCard(deps, card);
  } catch (err) {
    if (!(err instanceof AccountUnknownError) || options.failOnUnknownAccount) throw err;
    result = failedResult(card, nowIso(deps), { pismo: 0, mdes: 0 }, err.message);
  }
  await deps.store.putCardReconciliation(result);
  if (result.outcome === 'in-sync' || result.outcome === 'drift') await deps.store.clearReconciliationFlag(card.cardId);
  deps.observer?.onCard?.(result);
  return result;
}

/**
 * Runs over many cards, `concurrency` at a time; one card's failure never stops the others. A run of
 * several cards is recorded RUNNING first; `failOnUnknownAccount` (one card on demand) throws
 * {@link AccountUnknownError} instead of recording the card as failed.
 */
export async function runReconciliation(
  deps: ReconciliationDeps,
  input: {
    runId: string;
    trigger: ReconciliationRun['trigger'];
    cards: readonly CardRef[];
    concurrency?: number;
    failOnUnknownAccount?: boolean;
  },
): Promise<ReconciliationRun & { results: CardReconciliation[] }> {
  const head = { runId: input.runId, trigger: input.trigger, startedAt: nowIso(deps) };
  if (input.cards.length > 1) await deps.store.putReconciliationRun(summariseRun(head, []));
  const results: CardReconciliation[] = [];
  const options = { failOnUnknownAccount: input.failOnUnknownAccount };
  await forEachConcurrently(input.cards, input.concurrency ?? 4, async (card) => {
    results.push(await reconcileAndRecord(deps, { ...card, runId: input.runId }, options));
  });
  results.sort((a, b) => (a.cardId < b.cardId ? -1 : a.cardId > b.cardId ? 1 : 0));
  const run = summariseRun(head, results, nowIso(deps));
  await deps.store.putReconciliationRun(run);
  deps.observer?.onRun?.(run);
  return { ...run, results };
}

/** Closes a run whose cards were reconciled elsewhere (the full sweep's Map): its record from its card results. */
export async function finishRun(
  deps: Pick<ReconciliationDeps, 'store' | 'now' | 'observer'>,
  head: Pick<ReconciliationRun, 'runId' | 'trigger' | 'startedAt'>,
): Promise<ReconciliationRun> {
  const results = await allOf((cursor) => deps.store.listCardReconciliationsOfRun(head.runId, 200, cursor));
  const run = summariseRun(head, results, nowIso(deps));
  await deps.store.putReconciliationRun(run);
  deps.observer?.onRun?.(run);
  return run;
}

/** What makes a token "in doubt" for the scheduled run. */
export interface DoubtCriteria {
  /** Requested or pending ID&V for longer than this. */
  pendingMinutes: number;
  /** Not updated (no event, no repair) for this many days. */
  staleDays: number;
  /** At most this many cards per run (flagged cards first). */
  maxCards: number;
}

/**
 * The cards of the scheduled run: flagged cards (an upstream failed last time, or a flow asked),
 * then the cards of tokens in doubt: requested or pending ID&V for longer than configured, or not
 * updated for N days (a final status is never in doubt). Reads the whole token scan.
 */
export async function selectCardsInDoubt(
  store: ReconciliationStore,
  criteria: DoubtCriteria,
  now: Date = new Date(),
): Promise<{ cards: CardRef[]; flagged: number; inDoubt: number; scanned: number }> {
  const cards = new Map<string, CardRef>();
  let flagged = 0;
  for await (const f of itemsOf((cursor) => store.listReconciliationFlags(200, cursor))) {
    if (cards.size >= criteria.maxCards) break;
    if (cards.has(f.cardId)) continue;
    cards.set(f.cardId, cardRef(f.cardId, f.accountId));
    flagged++;
  }
  const pendingBefore = new Date(now.getTime() - criteria.pendingMinutes * 60_000).toISOString();
  const staleBefore = new Date(now.getTime() - criteria.staleDays * 86_400_000).toISOString();
  let scanned = 0;
  let inDoubt = 0;
  for await (const t of itemsOf((cursor) => store.scanTokenStates(500, cursor))) {
    scanned++;
    const cardId = t.facts.cardId;
    if (!cardId || !t.status || isTerminalStatus(t.status)) continue;
    const pending = (t.status === 'requested' || t.status === 'pending_idv') && t.lastEventAt < pendingBefore;
    if (!pending && t.lastEventAt >= staleBefore) continue;
    inDoubt++;
    if (cards.size < criteria.maxCards && !cards.has(cardId)) cards.set(cardId, cardRef(cardId, t.facts.accountId));
  }
  return { cards: [...cards.values()], flagged, inDoubt, scanned };
}

/** Every card of the store (the local form of the full sweep; in AWS the sweep reads a table export). */
export async function listAllCards(store: ReconciliationStore): Promise<CardRef[]> {
  const cards = new Map<string, CardRef>();
  for await (const t of itemsOf((cursor) => store.scanTokenStates(500, cursor))) {
    const cardId = t.facts.cardId;
    if (cardId && !cards.has(cardId)) cards.set(cardId, cardRef(cardId, t.facts.accountId));
  }
  return [...cards.values()].sort((a, b) => (a.cardId < b.cardId ? -1 : 1));
}
