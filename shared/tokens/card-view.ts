/**
 * The card view of the read API (`GET /cards/{cardId}`, the console's card screen): the card as its
 * Pismo card events left it (status, last four; never more of the card), its tokens grouped by wallet
 * and device, and its refusals (events of the card that never became a token).
 */
import type { CardState } from '../domain/card';
import { NotFoundError } from '../domain/errors';
import { type AllowedAction, allowedActionsOf } from '../domain/lifecycle-actions';
import type { CardPort, TimelineEntry, TimelinePort, TokenStatePort } from '../domain/store';
import type { Network } from '../domain/token-event';
import type { TokenState } from '../domain/token-state';
import type { TokenStatus } from '../domain/token-status';

/** Tokens read for one card at most (the view says when there were more). */
export const CARD_VIEW_MAX_TOKENS = 500;
/** Refusals shown at most (the newest). */
export const CARD_VIEW_MAX_REFUSALS = 50;
/** Timeline entries of the card read at most to find its newest refusals. */
const CARD_TIMELINE_READ_MAX = 1000;

/** A token in a list: what its row shows and which actions it allows. */
export interface TokenSummary {
  tokenId: string;
  network?: Network;
  status?: TokenStatus;
  statusAt?: string;
  tokenUniqueReference?: string;
  tokenType?: string;
  walletName?: string;
  deviceName?: string;
  deviceId?: string;
  lastEventAt: string;
  allowedActions: AllowedAction[];
}

/** The tokens of one wallet on one device. */
export interface TokenGroup {
  key: string;
  walletName?: string;
  walletId?: string;
  tokenRequestorId?: string;
  deviceId?: string;
  deviceName?: string;
  deviceType?: string;
  tokens: TokenSummary[];
}

export interface CardView {
  cardId: string;
  card?: Pick<CardState, 'status' | 'statusKnown' | 'previousStatus' | 'cardType' | 'lastFour' | 'accountId'> & {
    updatedAt?: string;
  };
  groups: TokenGroup[];
  tokenCount: number;
  tokensTruncated: boolean;
  refusals: TimelineEntry[];
}

/** The row of a token (no clocks, no workflow task token: only what people read). */
export function summaryOf(t: TokenState): TokenSummary {
  const f = t.facts;
  const out: TokenSummary = {
    tokenId: t.tokenId,
    network: f.network,
    status: t.status,
    statusAt: t.statusAt,
    tokenUniqueReference: f.tokenUniqueReference,
    tokenType: f.tokenType,
    walletName: f.walletName,
    deviceName: f.deviceName,
    deviceId: f.deviceId,
    lastEventAt: t.lastEventAt,
    allowedActions: allowedActionsOf(f.network, t.status),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as unknown as TokenSummary;
}

/** Groups tokens by wallet (name, else id, else token requestor) and device (id, else name), in first-seen order. */
export function groupByWalletAndDevice(tokens: readonly TokenState[]): TokenGroup[] {
  const groups = new Map<string, TokenGroup>();
  for (const t of tokens) {
    const f = t.facts;
    const wallet = f.walletName ?? f.walletId ?? f.tokenRequestorId ?? 'unknown wallet';
    const device = f.deviceId ?? f.deviceName ?? 'no device';
    const key = `${wallet}|${device}`;
    let group = groups.get(key);
    if (!group) {
      group = Object.fromEntries(
        Object.entries({
          key,
          walletName: f.walletName,
          walletId: f.walletId,
          tokenRequestorId: f.tokenRequestorId,
          deviceId: f.deviceId,
          deviceName: f.deviceName,
          deviceType: f.deviceType,
        }).filter(([, v]) => v !== undefined),
      ) as unknown as TokenGroup;
      group.tokens = [];
      groups.set(key, group);
    }
    group.tokens.push(summaryOf(t));
  }
  return [...groups.values()];
}

/** Reads a card's view; 404 when we know neither the card, nor a token of it, nor an event of it. */
export async function getCardView(
  store: Pick<TokenStatePort, 'listTokensOfCard'> & Pick<TimelinePort, 'listTimeline'> & Pick<CardPort, 'getCardState'>,
  cardId: string,
): Promise<CardView> {
  const tokensRead = (async () => {
    const tokens: TokenState[] = [];
    let cursor: string | undefined;
    let truncated = false;
    do {
      const page = await store.listTokensOfCard(cardId, 100, cursor);
      tokens.push(...page.items);
      cursor = page.items.length ? page.nextCursor : undefined;
      if (tokens.length >= CARD_VIEW_MAX_TOKENS) {
        truncated = tokens.length > CARD_VIEW_MAX_TOKENS || cursor !== undefined;
        break;
      }
    } while (cursor);
    return { tokens: tokens.slice(0, CARD_VIEW_MAX_TOKENS), truncated };
  })();
  const timelineRead = (async () => {
    const entries: TimelineEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listTimeline({ cardId }, 200, cursor);
      entries.push(...page.items);
      cursor = page.items.length ? page.nextCursor : undefined;
    } while (cursor && entries.length < CARD_TIMELINE_READ_MAX);
    return entries;
  })();
  const [{ tokens, truncated }, timeline, card] = await Promise.all([
    tokensRead,
    timelineRead,
    store.getCardState(cardId),
  ]);
  if (!card && tokens.length === 0 && timeline.length === 0) throw new NotFoundError(`card ${cardId} not known`);
  const refusals = timeline
    .filter((e) => !e.card)
    .slice(-CARD_VIEW_MAX_REFUSALS)
    .reverse();
  return {
    cardId,
    ...(card
      ? {
          card: Object.fromEntries(
            Object.entries({
              status: card.state.status,
              statusKnown: card.state.statusKnown,
              previousStatus: card.state.previousStatus,
              cardType: card.state.cardType,
              lastFour: card.state.lastFour,
              accountId: card.state.accountId,
              updatedAt: card.state.lastEventAt,
            }).filter(([, v]) => v !== undefined),
          ) as CardView['card'],
        }
      : {}),
    groups: groupByWalletAndDevice(tokens),
    tokenCount: tokens.length,
    tokensTruncated: truncated,
    refusals,
  };
}
