import type { TokenEvent, TokenFacts } from './token-event';
import { isTerminalStatus, type TokenStatus } from './token-status';

/**
 * The current state of one token, folded from its events.
 *
 * Every field is a last-writer-wins register whose clock is `<occurredAt>#<eventId>` of the event
 * that wrote it (status clocks are prefixed with a terminal flag so deleted/declined always win).
 * Merging is therefore a per-field max: commutative, associative and idempotent, so duplicated,
 * redelivered and reordered events converge to the state of one in-order delivery without
 * transactions.
 */
export interface TokenState {
  tokenId: string;
  status?: TokenStatus;
  statusAt?: string;
  statusEventId?: string;
  facts: TokenFacts;
  /** Per-field clocks; `status` included. */
  clocks: Record<string, string>;
  firstEventAt: string;
  lastEventAt: string;
  /** The ID&V workflow waiting for this token's activation (set by the workflow, not by events). */
  activationWait?: { challengeId: string; taskToken: string };
}

/** The state after applying one event, and whether anything changed. */
export interface ApplyResult {
  state: TokenState;
  changed: boolean;
}

function eventClock(event: TokenEvent): string {
  return `${event.occurredAt}#${event.eventId}`;
}

function statusClock(status: TokenStatus, event: TokenEvent): string {
  return `${isTerminalStatus(status) ? 1 : 0}#${eventClock(event)}`;
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

/**
 * Folds one token event into the token's state. Pure. `current` is undefined for a new token.
 * Throws if the event belongs to no token (refusals): callers keep those on the card timeline.
 */
export function applyTokenEvent(current: TokenState | undefined, event: TokenEvent): ApplyResult {
  if (event.tokenId === null) throw new Error('applyTokenEvent needs an event with a token id');
  const clock = eventClock(event);
  const state: TokenState = current
    ? { ...current, facts: { ...current.facts }, clocks: { ...current.clocks } }
    : { tokenId: event.tokenId, facts: {}, clocks: {}, firstEventAt: event.occurredAt, lastEventAt: event.occurredAt };
  let changed = current === undefined;

  if (event.occurredAt < state.firstEventAt) {
    state.firstEventAt = event.occurredAt;
    changed = true;
  }
  if (event.occurredAt > state.lastEventAt) {
    state.lastEventAt = event.occurredAt;
    changed = true;
  }

  if (event.status) {
    const sc = statusClock(event.status, event);
    const held = state.clocks.status;
    if (held === undefined || sc > held) {
      state.status = event.status;
      state.statusAt = event.occurredAt;
      state.statusEventId = event.eventId;
      state.clocks.status = sc;
      changed = true;
    }
  }

  const facts = state.facts as Record<string, unknown>;
  for (const [field, value] of Object.entries(event.facts)) {
    if (!isPresent(value)) continue;
    const held = state.clocks[field];
    if (held === undefined || clock > held) {
      facts[field] = value;
      state.clocks[field] = clock;
      changed = true;
    }
  }
  return { state, changed };
}
