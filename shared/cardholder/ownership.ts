import { NotFoundError } from '../domain/errors';
import type { CardPort, TokenStatePort } from '../domain/store';
import type { TokenState } from '../domain/token-state';

/**
 * Ownership: every id a cardholder names (a token, a card) must belong to the caller's Pismo account
 * in OUR store; an id from the path is never trusted on its own. Another account's id and an id we
 * do not know answer the same 404, so a caller cannot learn that an id exists.
 */

type OwnershipStore = Pick<TokenStatePort, 'getTokenState' | 'listTokensOfCard'> & Pick<CardPort, 'getCardState'>;

/** The one answer for "not yours" and "no such": the id is echoed, existence is not revealed. */
export class NotOwnedError extends NotFoundError {
  constructor(kind: 'digital card' | 'card', id: string) {
    super(`${kind} ${id} not found`);
  }
}

/** Bound on the tokens of a card read to learn its account (a card has a handful; a runaway guard). */
const CARD_TOKENS_READ = 100;

/**
 * The Pismo account our store ties a card to: the card's own state (Pismo `cards` events), else its
 * tokens' states. undefined when the store does not know, or when they disagree (then nobody owns it
 * here: a reissue in flight is settled by the next events, not guessed).
 */
export async function accountOfCard(cardId: string, store: OwnershipStore): Promise<string | undefined> {
  const card = await store.getCardState(cardId);
  if (card?.state.accountId) return card.state.accountId;
  const page = await store.listTokensOfCard(cardId, CARD_TOKENS_READ);
  const accounts = new Set(page.items.map((t) => t.facts.accountId).filter((a): a is string => !!a));
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** The token, when it is the account's (its state names the account, or its card is the account's); else 404. */
export async function ownedToken(accountId: string, tokenId: string, store: OwnershipStore): Promise<TokenState> {
  const found = await store.getTokenState(tokenId);
  const state = found?.state;
  if (!state) throw new NotOwnedError('digital card', tokenId);
  const owner =
    state.facts.accountId ?? (state.facts.cardId ? await accountOfCard(state.facts.cardId, store) : undefined);
  if (owner !== accountId) throw new NotOwnedError('digital card', tokenId);
  return state;
}

/** The card id, when our store ties the card to the account; else 404 (unknown and not-owned alike). */
export async function ownedCard(accountId: string, cardId: string, store: OwnershipStore): Promise<string> {
  if ((await accountOfCard(cardId, store)) !== accountId) throw new NotOwnedError('card', cardId);
  return cardId;
}
