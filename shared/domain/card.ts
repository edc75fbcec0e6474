/**
 * The card as the token service sees it (issue 14): its Pismo status, previous status, type and last
 * four digits, and nothing else of the card (never a PAN, hash, name or printed name). The state is
 * merged from Pismo `cards` `update` events in event order: an event older than the last one applied
 * for the card changes nothing, the same event again changes nothing.
 */

/** Card statuses of Pismo's `cards` `update` event (`UMBOUND` sic, as the event spells it). */
export const CARD_STATUSES = [
  'CREATED',
  'UNBOUND',
  'UMBOUND',
  'UNNUMBERED',
  'NORMAL',
  'REISSUED',
  'BLOCKED',
  'PENDING',
  'WARNING',
  'INOPERATIVE',
  'LOST',
  'ROBBED',
  'CANCELED',
  'FRAUD',
  'DAMAGED',
  'EXPIRED',
  'DELETED',
  'BROKEN',
  'THEFT',
  'DEFECT',
] as const;
export type KnownCardStatus = (typeof CARD_STATUSES)[number];

export function isKnownCardStatus(status: string): status is KnownCardStatus {
  return (CARD_STATUSES as readonly string[]).includes(status);
}

/** One Pismo `cards` `update` event, normalised (only what we keep). */
export interface CardEvent {
  eventId: string;
  eventType: string;
  schemaVersion?: string;
  occurredAt: string;
  cardId: string;
  accountId?: string;
  /** Upper-cased, as sent; may be a status we do not know (stored and counted). */
  status: string;
  previousStatus?: string;
  cardType?: string;
  /** Exactly four digits, else not kept. */
  lastFour?: string;
  operationType?: string;
}

/** The card's state: the last applied `cards` event's fields. */
export interface CardState {
  cardId: string;
  status: string;
  /** False when `status` is not in {@link CARD_STATUSES}. */
  statusKnown: boolean;
  previousStatus?: string;
  cardType?: string;
  lastFour?: string;
  accountId?: string;
  lastEventId: string;
  lastEventAt: string;
  firstEventAt: string;
}

export interface VersionedCardState {
  state: CardState;
  version: number;
}

/** Order of two events of a card: by time, then event id (a total order, so redeliveries agree). */
function isAfter(event: CardEvent, state: CardState): boolean {
  if (event.occurredAt !== state.lastEventAt) return event.occurredAt > state.lastEventAt;
  return event.eventId > state.lastEventId;
}

/** Applies a card event; unchanged for an event not after the last applied one (older, or the same). */
export function applyCardEvent(
  current: CardState | undefined,
  event: CardEvent,
): { state: CardState; changed: boolean } {
  if (current && !isAfter(event, current)) return { state: current, changed: false };
  return {
    changed: true,
    state: {
      cardId: event.cardId,
      status: event.status,
      statusKnown: isKnownCardStatus(event.status),
      previousStatus: event.previousStatus,
      cardType: event.cardType ?? current?.cardType,
      lastFour: event.lastFour ?? current?.lastFour,
      accountId: event.accountId ?? current?.accountId,
      lastEventId: event.eventId,
      lastEventAt: event.occurredAt,
      firstEventAt: current && current.firstEventAt < event.occurredAt ? current.firstEventAt : event.occurredAt,
    },
  };
}

/** What the card-status policy does to one token. */
export type CardTokenAction = 'suspend' | 'resume' | 'delete';

/** One planned action on one token. */
export interface PlannedTokenAction {
  tokenId: string;
  action: CardTokenAction;
  /** Human text for the token's timeline and the audit: "card 123 BLOCKED at T". */
  reason: string;
}

/**
 * The policy's plan for one card event, persisted before any action (a crash mid-card loses
 * nothing: each unit is re-run from the plan). Shadow plans are recorded and never acted on.
 */
export interface CardPlan {
  cardId: string;
  /** The card event that caused it (one plan per card event). */
  cardEventId: string;
  cardStatus: string;
  previousStatus?: string;
  occurredAt: string;
  policyVersion: string;
  mode: 'enforce' | 'shadow';
  createdAt: string;
  actions: PlannedTokenAction[];
  /** Tokens of the card the policy leaves alone, and why. */
  skipped: { tokenId: string; why: string }[];
  /**
   * A pan_update FAILURE's plan (its `cardEventId` is {@link transferRetryId}): the one retry of the
   * token transfer the policy asked for, claimed by the first FAILURE of this old → new card pair.
   */
  transfer?: TransferRetry;
}

/** The one retry of a failed token transfer (reissue without tokens), as planned. */
export interface TransferRetry {
  oldCardId: string;
  newCardId: string;
  accountId?: string;
  /** The pan_update FAILURE event that claimed the retry (a later FAILURE of the pair retries nothing). */
  failureEventId: string;
  reasonCode?: string;
}

/** The plan id of the transfer retry of an old → new card pair: the idempotency key (one retry per pair). */
export const transferRetryId = (newCardId: string) => `pan-transfer-retry.${newCardId}`.slice(0, 64);

/** A `cards-tokenization` `pan_update` FAILURE: the reissue did not take the tokens along. */
export interface PanUpdateFailure {
  oldCardId: string;
  newCardId: string;
  accountId?: string;
  /** The pan_update event. */
  eventId: string;
  occurredAt: string;
  reasonCode?: string;
}

/** Marks a token suspended by the card-status policy (so NORMAL resumes only those). */
export interface PolicySuspension {
  tokenId: string;
  cardId: string;
  cardEventId: string;
  cardStatus: string;
  at: string;
}

/** A card's status changed (a `cards` `update` applied): what the card-status policy acts on. */
export interface CardChange {
  cardId: string;
  cardEventId: string;
  status: string;
  previousStatus?: string;
  occurredAt: string;
}

/**
 * Where the events flow hands a card change to the card-status policy (the cards flow). Delivery is
 * at least once: the same change may come again (a redelivered event), the policy is idempotent per
 * card event.
 */
export interface CardChangePort {
  cardChanged(change: CardChange): Promise<void>;
  /**
   * A reissue's token transfer failed: the policy may retry it once (docs/decisions/0021). Optional:
   * without it a FAILURE is only alarmed and put on the cards' timelines.
   */
  panUpdateFailed?(failure: PanUpdateFailure): Promise<void>;
}
