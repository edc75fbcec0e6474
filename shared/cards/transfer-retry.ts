/**
 * Flow "cards" (issue 14): a reissue whose token transfer failed (`pan_update` FAILURE) → where the
 * policy says so (`panUpdateFailure: retry-transfer`), ONE retry through Pismo's "transfer tokens"
 * endpoint. Why and how: docs/decisions/0021-one-transfer-retry-per-reissue.md.
 *
 * 1. Plan (`planTransferRetry`, the workflow's plan step): the retry is a plan on the old card whose
 *    id is the card pair's ({@link transferRetryId}), stored once: the first FAILURE of the pair
 *    claims it. A redelivered FAILURE finds its own claim (the unit runs again, idempotent); another
 *    FAILURE of the same pair (the retry's own outcome, say) finds another's claim and retries nothing.
 * 2. Act (`retryTransfer`, one unit of the workflow's Map): the old card's timeline entry of the retry
 *    is the unit's dedup record, written last, after the call; both cards' timelines show it.
 * Pismo's answer to the retry comes later as a `pan_update` event: SUCCESS moves the tokens (events
 * flow), FAILURE leaves them as the policy left them (a LOST card's suspended) and is alarmed again.
 */
import { type Clock, systemClock } from '../domain/clock';
import { type CardPlan, type PanUpdateFailure, transferRetryId } from '../domain/card';
import type { CardPort, TimelineEntry, TimelinePort } from '../domain/store';
import type { CardPolicy } from './policy';
import { POLICY_OFFICER, type TokenActionResult, type TokenTransferPort, type TokenUnit, WHOLE_CARD } from './ports';

export interface TransferPlanOutcome {
  /** The stored plan (undefined when the policy retries nothing). */
  plan?: CardPlan;
  created: boolean;
  /** The unit for the Map: one, or none (policy `none`, shadow mode, or the pair already retried). */
  units: TokenUnit[];
  why?: string;
}

/** The plan of a FAILURE: claims the pair's one retry, or says why nothing is retried. */
export async function planTransferRetry(
  failure: PanUpdateFailure,
  deps: { store: CardPort; policy: CardPolicy; now?: Clock },
): Promise<TransferPlanOutcome> {
  const rule = deps.policy.panUpdateFailure;
  if (rule.action === 'none') return { created: false, units: [], why: rule.reason };
  const cardEventId = transferRetryId(failure.newCardId);
  const candidate: CardPlan = {
    cardId: failure.oldCardId,
    cardEventId,
    cardStatus: 'PAN_UPDATE_FAILURE',
    occurredAt: failure.occurredAt,
    policyVersion: deps.policy.version,
    mode: deps.policy.mode,
    createdAt: (deps.now ?? systemClock)().toISOString(),
    actions: [],
    skipped: [],
    transfer: {
      oldCardId: failure.oldCardId,
      newCardId: failure.newCardId,
      accountId: failure.accountId,
      failureEventId: failure.eventId,
      reasonCode: failure.reasonCode,
    },
  };
  const created = await deps.store.putCardPlan(candidate);
  const plan = created ? candidate : ((await deps.store.getCardPlan(failure.oldCardId, cardEventId)) ?? candidate);
  if (plan.transfer?.failureEventId !== failure.eventId)
    return {
      plan,
      created,
      units: [],
      why: `the transfer to card ${failure.newCardId} was already retried once (after pan_update ${plan.transfer?.failureEventId ?? '?'})`,
    };
  if (plan.mode === 'shadow') return { plan, created, units: [], why: 'shadow mode: recorded, not retried' };
  return { plan, created, units: [{ cardId: plan.cardId, cardEventId, tokenId: WHOLE_CARD }] };
}

export interface TransferDeps {
  store: CardPort & TimelinePort;
  transfer?: TokenTransferPort;
  now?: Clock;
}

function entryOf(plan: CardPlan, result: TokenActionResult | { outcome: 'exhausted'; detail: string }, at: Date) {
  const t = plan.transfer as NonNullable<CardPlan['transfer']>;
  const note =
    result.outcome === 'done'
      ? `work item: token transfer from card ${t.oldCardId} to card ${t.newCardId} retried once through Pismo ` +
        `(policy ${plan.policyVersion}, after pan_update ${t.failureEventId}): requested, its pan_update event tells the outcome`
      : `work item: the one retry of the token transfer from card ${t.oldCardId} to card ${t.newCardId} ` +
        `${result.outcome === 'exhausted' ? 'failed after retries' : 'was refused'} (${result.detail.slice(0, 120)}); ` +
        `the tokens stay on card ${t.oldCardId} as the policy left them`;
  const entry: TimelineEntry = {
    eventId: result.outcome === 'exhausted' ? `${plan.cardEventId}.failed`.slice(0, 64) : plan.cardEventId,
    eventType: 'card_policy',
    // When the retry was planned (fixed in the plan, so a re-run writes the same entry): after the FAILURE.
    occurredAt: plan.createdAt,
    callMethod: 'CARD_POLICY_TRANSFER_RETRY',
    recognized: true,
    facts: { cardId: t.oldCardId },
    payload: JSON.stringify({
      officer: POLICY_OFFICER,
      cardEventId: t.failureEventId,
      oldCardId: t.oldCardId,
      newCardId: t.newCardId,
      policyVersion: plan.policyVersion,
      action: 'transfer',
      outcome: result.outcome,
    }),
    receivedAt: at.toISOString(),
    note,
  };
  return entry;
}

/** The unit of a transfer plan: one call to Pismo, recorded on both cards (the old card's entry last: the dedup record). */
export async function retryTransfer(
  plan: CardPlan,
  deps: TransferDeps,
): Promise<{ outcome: 'done' | 'refused'; detail?: string } | { outcome: 'no-action' | 'already-done' }> {
  const t = plan.transfer;
  if (!t || plan.mode !== 'enforce') return { outcome: 'no-action' };
  const done = await deps.store.listTimeline({ cardId: t.oldCardId }, 1000);
  if (done.items.some((e) => e.eventId === plan.cardEventId)) return { outcome: 'already-done' };
  if (!deps.transfer) throw new Error('no token transfer port configured');
  const result = await deps.transfer.transferTokens({
    oldCardId: t.oldCardId,
    newCardId: t.newCardId,
    accountId: t.accountId,
    failureEventId: t.failureEventId,
  });
  const entry = entryOf(plan, result, (deps.now ?? systemClock)());
  await deps.store.addTimelineEntry({ cardId: t.newCardId }, entry);
  await deps.store.addTimelineEntry({ cardId: t.oldCardId }, entry);
  return result.outcome === 'done' ? { outcome: 'done' } : { outcome: 'refused', detail: result.detail };
}

/** A transfer unit whose retries are exhausted: the work item says so on both cards. */
export async function recordExhaustedTransfer(plan: CardPlan, error: string, deps: Omit<TransferDeps, 'transfer'>) {
  const t = plan.transfer;
  if (!t) return;
  const entry = entryOf(plan, { outcome: 'exhausted', detail: error }, (deps.now ?? systemClock)());
  await deps.store.addTimelineEntry({ cardId: t.newCardId }, entry);
  await deps.store.addTimelineEntry({ cardId: t.oldCardId }, entry);
}
