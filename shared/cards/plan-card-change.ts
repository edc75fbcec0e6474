/**
 * Flow "cards" (issue 14), step 1: a card's status changed → a plan of per-token actions.
 *
 * 1. The card's tokens are read (all pages of the card index), with this policy's suspension marks.
 * 2. The policy (policy.ts) decides an action, or a reason to skip, per token.
 * 3. The plan is stored once per card event, BEFORE anything acts: a crash after it loses nothing
 *    (the redelivered change finds the stored plan and fans it out again; each unit is idempotent).
 * 4. Enforce mode: one unit per planned token goes to the fan-out. Shadow mode: the plan is the
 *    record of what the policy would have done; nothing is sent.
 * A card with no tokens is a no-op (an empty plan is still recorded, for the record).
 */
import { type Clock, systemClock } from '../domain/clock';
import type { CardChange, CardPlan, PlannedTokenAction } from '../domain/card';
import type { CardPort, TokenStatePort } from '../domain/store';
import { type CardPolicy, decideForToken, ruleFor } from './policy';
import type { FanOutPort, TokenUnit } from './ports';

export interface PlanDeps {
  store: CardPort & Pick<TokenStatePort, 'listTokensOfCard'>;
  policy: CardPolicy;
  fanOut: FanOutPort;
  now?: Clock;
}

export interface PlanOutcome {
  plan: CardPlan;
  /** False when the plan was already stored (a redelivered change): the stored one is used. */
  created: boolean;
  /** Units sent to the fan-out (0 in shadow mode). */
  enqueued: number;
}

const PAGE = 100;
/** Bound on a card's tokens read per change (a card has a handful; this is a runaway guard). */
const MAX_TOKENS = 5000;

/** "card 123 BLOCKED at 2026-12-01T10:00:00.000Z: temporary block". */
export function actionReason(change: Pick<CardChange, 'cardId' | 'status' | 'occurredAt'>, why: string): string {
  return `card ${change.cardId} ${change.status} at ${change.occurredAt}: ${why}`;
}

/** Builds, stores (once) and fans out the plan of one card change. */
export async function planCardChange(change: CardChange, deps: PlanDeps): Promise<PlanOutcome> {
  const existing = await deps.store.getCardPlan(change.cardId, change.cardEventId);
  let plan = existing;
  let created = false;
  if (!plan) {
    const rule = ruleFor(deps.policy, change.status);
    const actions: PlannedTokenAction[] = [];
    const skipped: CardPlan['skipped'] = [];
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await deps.store.listTokensOfCard(change.cardId, PAGE, cursor);
      for (const token of page.items) {
        const mark =
          rule.action === 'resume' && token.status === 'suspended'
            ? await deps.store.getPolicySuspension(token.tokenId)
            : undefined;
        const requestor = token.facts.eventRequestor;
        const decided = decideForToken(rule.action, {
          tokenId: token.tokenId,
          status: token.status ?? 'unknown',
          suspendedByPolicy: mark !== undefined,
          suspendedByOthers:
            mark !== undefined &&
            (requestor === 'CARDHOLDER' || requestor === 'WALLET') &&
            (token.statusAt ?? '') > mark.at,
        });
        if ('skip' in decided) skipped.push({ tokenId: token.tokenId, why: decided.skip });
        else
          actions.push({ tokenId: token.tokenId, action: decided.action, reason: actionReason(change, rule.reason) });
      }
      seen += page.items.length;
      cursor = page.nextCursor;
    } while (cursor && seen < MAX_TOKENS);
    const candidate: CardPlan = {
      cardId: change.cardId,
      cardEventId: change.cardEventId,
      cardStatus: change.status,
      previousStatus: change.previousStatus,
      occurredAt: change.occurredAt,
      policyVersion: deps.policy.version,
      mode: deps.policy.mode,
      createdAt: (deps.now ?? systemClock)().toISOString(),
      actions,
      skipped,
    };
    created = await deps.store.putCardPlan(candidate);
    // Lost a race with another delivery of the same change: theirs is the plan.
    plan = created ? candidate : ((await deps.store.getCardPlan(change.cardId, change.cardEventId)) ?? candidate);
  }
  if (plan.mode === 'shadow' || plan.actions.length === 0) return { plan, created, enqueued: 0 };
  const units: TokenUnit[] = plan.actions.map((a) => ({
    cardId: plan.cardId,
    cardEventId: plan.cardEventId,
    tokenId: a.tokenId,
  }));
  await deps.fanOut.enqueue(units);
  return { plan, created, enqueued: units.length };
}
