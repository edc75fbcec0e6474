/**
 * Flow "cards" (issue 14), step 2: one retry-safe unit of the fan-out, one token of a stored plan.
 *
 * 1. The plan is read; the unit's action found in it (no plan or no action: nothing to do).
 * 2. Superseded: when the card has moved on to a later event, the unit does nothing (a BLOCKED
 *    unit retried after the NORMAL one must not suspend the token again).
 * 3. Done already: the token's timeline entry for this card event is the unit's dedup record.
 * 4. The action goes through the {@link TokenActions} port, with the policy as the officer and the
 *    card event that caused it. A refusal is recorded on the token (not retried); a throw is retried.
 * 5. A suspension is marked on the token (so NORMAL resumes only those); a resume removes the mark.
 * 6. The token's timeline entry is written last ("suspended: card 123 BLOCKED at T").
 * Every step is idempotent, so a unit re-run after a crash anywhere converges.
 */
import { type Clock, systemClock } from '../domain/clock';
import type { CardTokenAction } from '../domain/card';
import type { CardPort, TimelineEntry, TimelinePort } from '../domain/store';
import { POLICY_OFFICER, type TokenActions, type TokenTransferPort, type TokenUnit } from './ports';
import { recordExhaustedTransfer, retryTransfer } from './transfer-retry';

export interface ActDeps {
  store: CardPort & TimelinePort;
  actions: TokenActions;
  /** Pismo's "transfer tokens", for the unit of a transfer retry plan (transfer-retry.ts). */
  transfer?: TokenTransferPort;
  now?: Clock;
}

export type UnitOutcome =
  | { outcome: 'done' | 'refused'; action: CardTokenAction | 'transfer'; detail?: string }
  | { outcome: 'no-action' | 'superseded' | 'already-done' };

const PAST: Record<CardTokenAction, string> = { suspend: 'suspended', resume: 'resumed', delete: 'deleted' };

/** The dedup id of a unit's timeline entry on its token. */
export const policyEntryId = (cardEventId: string) => `card-policy.${cardEventId}`.slice(0, 64);

export async function actOnToken(unit: TokenUnit, deps: ActDeps): Promise<UnitOutcome> {
  const plan = await deps.store.getCardPlan(unit.cardId, unit.cardEventId);
  // A pan_update FAILURE's plan: its one unit retries the card's token transfer (transfer-retry.ts).
  if (plan?.transfer) {
    const r = await retryTransfer(plan, deps);
    if (r.outcome === 'done' || r.outcome === 'refused')
      return { outcome: r.outcome, action: 'transfer', detail: r.detail };
    return { outcome: r.outcome };
  }
  const planned = plan?.mode === 'enforce' ? plan.actions.find((a) => a.tokenId === unit.tokenId) : undefined;
  if (!plan || !planned) return { outcome: 'no-action' };
  const card = await deps.store.getCardState(unit.cardId);
  if (card && card.state.lastEventId !== plan.cardEventId) return { outcome: 'superseded' };
  const eventId = policyEntryId(plan.cardEventId);
  const owner = { tokenId: unit.tokenId };
  const done = await deps.store.listTimeline(owner, 1000);
  if (done.items.some((e) => e.eventId === eventId)) return { outcome: 'already-done' };

  const request = {
    tokenId: unit.tokenId,
    cardId: plan.cardId,
    action: planned.action,
    reason: planned.reason,
    officer: POLICY_OFFICER,
    cardEventId: plan.cardEventId,
  } as const;
  const result = await deps.actions[planned.action](request);
  const now = (deps.now ?? systemClock)();
  if (result.outcome === 'done' && planned.action === 'suspend') {
    await deps.store.putPolicySuspension({
      tokenId: unit.tokenId,
      cardId: plan.cardId,
      cardEventId: plan.cardEventId,
      cardStatus: plan.cardStatus,
      at: now.toISOString(),
    });
  }
  if (result.outcome === 'done' && planned.action !== 'suspend') await deps.store.deletePolicySuspension(unit.tokenId);

  const note =
    result.outcome === 'done'
      ? `${PAST[planned.action]}: ${planned.reason}`
      : `${planned.action} refused: ${result.detail} (${planned.reason})`;
  const entry: TimelineEntry = {
    eventId,
    eventType: 'card_policy',
    occurredAt: plan.occurredAt,
    callMethod: `CARD_POLICY_${planned.action.toUpperCase()}`,
    recognized: true,
    facts: { cardId: plan.cardId },
    payload: JSON.stringify({
      officer: POLICY_OFFICER,
      cardEventId: plan.cardEventId,
      cardStatus: plan.cardStatus,
      policyVersion: plan.policyVersion,
      action: planned.action,
      outcome: result.outcome,
    }),
    receivedAt: now.toISOString(),
    note,
  };
  await deps.store.addTimelineEntry(owner, entry);
  return result.outcome === 'done'
    ? { outcome: 'done', action: planned.action }
    : { outcome: 'refused', action: planned.action, detail: result.detail };
}

/**
 * A unit whose retries are exhausted (the workflow's catch): recorded on the token's timeline, for
 * people, and counted by the handler (alarm). The token is left as it is; the plan says what was meant.
 */
export async function recordExhaustedUnit(
  unit: TokenUnit,
  error: string,
  deps: Pick<ActDeps, 'store' | 'now'>,
): Promise<void> {
  const plan = await deps.store.getCardPlan(unit.cardId, unit.cardEventId);
  if (plan?.transfer) return recordExhaustedTransfer(plan, error, deps);
  const planned = plan?.actions.find((a) => a.tokenId === unit.tokenId);
  if (!plan || !planned) return;
  const now = (deps.now ?? systemClock)();
  await deps.store.addTimelineEntry(
    { tokenId: unit.tokenId },
    {
      eventId: `card-policy-failed.${plan.cardEventId}`.slice(0, 64),
      eventType: 'card_policy',
      occurredAt: plan.occurredAt,
      callMethod: `CARD_POLICY_${planned.action.toUpperCase()}`,
      recognized: true,
      facts: { cardId: plan.cardId },
      payload: JSON.stringify({ officer: POLICY_OFFICER, cardEventId: plan.cardEventId, outcome: 'exhausted', error }),
      receivedAt: now.toISOString(),
      note: `${planned.action} failed after retries (${error.slice(0, 64)}): ${planned.reason}`,
    },
  );
}
