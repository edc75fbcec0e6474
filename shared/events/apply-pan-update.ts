/**
 * Reissue (issue 14): a `cards-tokenization` `pan_update` moves the migrated tokens to the new card.
 *
 * SUCCESS: each migrated token we know gets the new card id (the card index follows, GSI1) and the
 * old one appended to `previousCardIds`; its history stays (the timeline is the token's), and the
 * event is on the token's timeline too ("moved from card A to card B"). Idempotent: a token already
 * on the new card with the old one in its list changes nothing. FAILURE: nothing moves; the outcome
 * says so (metric `PanUpdateFailed`, alarmed) and the card's timeline entry carries the work item for
 * Customer Service. A card reissued without a transfer leaves its tokens as the card-status policy
 * left them (LOST → suspended), never active on a dead card.
 */
import type { TokenEvent } from '../domain/token-event';
import { applyTokenEvent } from '../domain/token-state';
import { type TimelineEntry, type TimelinePort, type TokenStatePort, VersionConflictError } from '../domain/store';
import { ConcurrencyError } from '../domain/errors';

export interface PanUpdateResult {
  status: 'SUCCESS' | 'FAILURE' | 'OTHER';
  oldCardId?: string;
  newCardId?: string;
  /** Token ids moved to the new card by this event. */
  moved: string[];
  /** Migrated token ids we do not know (nothing to move). */
  unknown: string[];
}

/** What the pan_update says (status, cards, tokens), from the normalised event. */
export function readPanUpdate(event: TokenEvent): Omit<PanUpdateResult, 'moved' | 'unknown'> & { tokenIds: string[] } {
  const word = event.facts.panUpdateStatus?.toUpperCase();
  return {
    status: word === 'SUCCESS' ? 'SUCCESS' : word === 'FAILURE' || word === 'FAILED' ? 'FAILURE' : 'OTHER',
    oldCardId: event.otherCardIds?.length ? (event.cardId ?? undefined) : undefined,
    newCardId: event.otherCardIds?.[0],
    tokenIds: event.facts.migratedTokenIds ?? [],
  };
}

/** A note for the card timeline entry: what happened, for people (the work item on a FAILURE). */
export function panUpdateNote(event: TokenEvent): string | undefined {
  const p = readPanUpdate(event);
  if (p.status === 'FAILURE')
    return (
      `work item: token transfer from card ${p.oldCardId ?? event.cardId} to card ${p.newCardId ?? '?'} failed` +
      ` (reason code ${event.facts.panUpdateReasonCode ?? 'none'}); the tokens stay on the old card`
    );
  if (p.status === 'SUCCESS' && p.oldCardId && p.newCardId)
    return `reissue: ${p.tokenIds.length} token(s) moved from card ${p.oldCardId} to card ${p.newCardId}`;
  return undefined;
}

const MAX_ATTEMPTS = 10;

/** Moves the migrated tokens of a SUCCESS; writes each token's timeline entry (idempotent). */
export async function applyPanUpdate(
  event: TokenEvent,
  entry: TimelineEntry,
  store: TokenStatePort & TimelinePort,
): Promise<PanUpdateResult> {
  const p = readPanUpdate(event);
  const result: PanUpdateResult = {
    status: p.status,
    oldCardId: p.oldCardId,
    newCardId: p.newCardId,
    moved: [],
    unknown: [],
  };
  if (p.status !== 'SUCCESS' || !p.oldCardId || !p.newCardId) return result;
  const { oldCardId, newCardId } = p;
  for (const tokenId of p.tokenIds) {
    let known = true;
    for (let attempt = 1; ; attempt++) {
      const current = await store.getTokenState(tokenId);
      if (!current) {
        known = false;
        break;
      }
      const previous = current.state.facts.previousCardIds ?? [];
      const previousCardIds = previous.includes(oldCardId) ? previous : [...previous, oldCardId];
      const moved: TokenEvent = {
        ...event,
        tokenId,
        cardId: newCardId,
        otherCardIds: undefined,
        status: undefined,
        facts: { cardId: newCardId, previousCardIds },
      };
      const { state, changed } = applyTokenEvent(current.state, moved);
      if (!changed) break;
      try {
        await store.putTokenState(state, current.version);
        result.moved.push(tokenId);
        break;
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyError(`token ${tokenId} is contended; retry`);
      }
    }
    if (!known) {
      result.unknown.push(tokenId);
      continue;
    }
    await store.addTimelineEntry(
      { tokenId },
      { ...entry, note: `moved from card ${oldCardId} to card ${newCardId} (reissue)` },
    );
  }
  return result;
}
