/**
 * Search by identifier (`GET /search?cardId=|tokenId=|tur=`, the console's search box): the tokens
 * our store holds for a card id, a token id or a Token Unique Reference. A PAN is never an input
 * here (it would be in a URL): PAN search is `POST /cs/search`, a body to Mastercard MDES.
 */
import { ValidationError } from '../domain/errors';
import type { CardPort, TokenStatePort } from '../domain/store';
import type { Network } from '../domain/token-event';
import type { TokenState } from '../domain/token-state';
import type { TokenStatus } from '../domain/token-status';

/** Matches returned at most. */
export const ID_SEARCH_MAX = 50;

export interface SearchMatch {
  tokenId: string;
  cardId?: string;
  network?: Network;
  status?: TokenStatus;
  tokenUniqueReference?: string;
  walletName?: string;
  deviceName?: string;
  lastEventAt?: string;
}

export interface IdSearchResult {
  by: 'cardId' | 'tokenId' | 'tur';
  matches: SearchMatch[];
  cards: string[];
  collision?: boolean;
}

export type IdQuery = { by: 'cardId' | 'tokenId' | 'tur'; value: string };

function matchOf(t: TokenState): SearchMatch {
  const m: SearchMatch = {
    tokenId: t.tokenId,
    cardId: t.facts.cardId,
    network: t.facts.network,
    status: t.status,
    tokenUniqueReference: t.facts.tokenUniqueReference,
    walletName: t.facts.walletName,
    deviceName: t.facts.deviceName,
    lastEventAt: t.lastEventAt,
  };
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as unknown as SearchMatch;
}

const cardsOf = (matches: SearchMatch[]) => [...new Set(matches.map((m) => m.cardId).filter((c) => c !== undefined))];

/** Exactly one of the query parameters, else 400. */
export function idQueryOf(query: Record<string, string | undefined>): IdQuery {
  const given = (['cardId', 'tokenId', 'tur'] as const).filter((k) => query[k] !== undefined);
  const unknown = Object.keys(query).filter((k) => !['cardId', 'tokenId', 'tur'].includes(k));
  if (unknown.length) throw new ValidationError(`unknown query parameter(s): ${unknown.join(', ')}`);
  const [by] = given;
  if (given.length !== 1 || !by)
    throw new ValidationError('give exactly one of cardId, tokenId or tur (a PAN: POST /cs/search, in the body)');
  return { by, value: query[by] ?? '' };
}

/** The tokens for one identifier (at most {@link ID_SEARCH_MAX}). */
export async function searchByIdentifier(
  store: Pick<TokenStatePort, 'getTokenState' | 'listTokensOfCard' | 'findTokenIdsByTur'> &
    Pick<CardPort, 'getCardState'>,
  query: IdQuery,
): Promise<IdSearchResult> {
  if (query.by === 'tokenId') {
    const found = await store.getTokenState(query.value);
    const matches = found ? [matchOf(found.state)] : [];
    return { by: 'tokenId', matches, cards: cardsOf(matches) };
  }
  if (query.by === 'tur') {
    const ids = await store.findTokenIdsByTur(query.value, ID_SEARCH_MAX);
    const states = await Promise.all(ids.map((id) => store.getTokenState(id)));
    const matches = states.filter((s) => s !== undefined).map((s) => matchOf(s.state));
    return { by: 'tur', matches, cards: cardsOf(matches), ...(ids.length > 1 ? { collision: true } : {}) };
  }
  const [page, card] = await Promise.all([
    store.listTokensOfCard(query.value, ID_SEARCH_MAX),
    store.getCardState(query.value),
  ]);
  const matches = page.items.map(matchOf);
  return { by: 'cardId', matches, cards: card || matches.length ? [query.value] : [] };
}
