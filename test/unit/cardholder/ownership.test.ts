import type { CardState } from '../../../shared/domain/card';
import type { TokenState } from '../../../shared/domain/token-state';
import { accountOfCard, ownedCard, ownedToken } from '../../../shared/cardholder/ownership';
import { cardholderAccountOf } from '../../../shared/cardholder/identity';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const ME = '100002000';
const OTHER = '100001185';
const AT = '2026-11-01T10:00:00.000Z';

const token = (tokenId: string, facts: TokenState['facts']): TokenState => ({
  tokenId,
  status: 'active',
  facts,
  clocks: {},
  firstEventAt: AT,
  lastEventAt: AT,
});
const card = (cardId: string, accountId?: string): CardState => ({
  cardId,
  status: 'NORMAL',
  statusKnown: true,
  ...(accountId ? { accountId } : {}),
  lastEventId: 'e1',
  lastEventAt: AT,
  firstEventAt: AT,
});

async function storeWith(tokens: TokenState[], cards: CardState[] = []) {
  const store = new MemoryTokenStore();
  for (const t of tokens) await store.putTokenState(t, undefined);
  for (const c of cards) await store.putCardState(c, undefined);
  return store;
}

describe('cardholder ownership', () => {
  describe('ownedToken', () => {
    it("returns the account's token; another account's and an unknown one are the same 404", async () => {
      const store = await storeWith([token('mine', { accountId: ME }), token('theirs', { accountId: OTHER })]);
      await expect(ownedToken(ME, 'mine', store)).resolves.toMatchObject({ tokenId: 'mine' });
      await expect(ownedToken(ME, 'theirs', store)).rejects.toMatchObject({
        statusCode: 404,
        message: 'digital card theirs not found',
      });
      await expect(ownedToken(ME, 'none', store)).rejects.toMatchObject({
        statusCode: 404,
        message: 'digital card none not found',
      });
    });

    it("falls back to the card's account when the token names none (card state, else the card's tokens)", async () => {
      const store = await storeWith(
        [
          token('t1', { cardId: 'c1' }),
          token('t2', { cardId: 'c2' }),
          token('t2b', { cardId: 'c2', accountId: ME }),
          token('t3', { cardId: 'c3' }),
          token('t4', {}),
        ],
        [card('c1', ME), card('c3', OTHER)],
      );
      await expect(ownedToken(ME, 't1', store)).resolves.toMatchObject({ tokenId: 't1' });
      await expect(ownedToken(ME, 't2', store)).resolves.toMatchObject({ tokenId: 't2' });
      await expect(ownedToken(ME, 't3', store)).rejects.toMatchObject({ statusCode: 404 });
      await expect(ownedToken(ME, 't4', store)).rejects.toMatchObject({ statusCode: 404 });
    });

    it("trusts the token's own account over its card's", async () => {
      const store = await storeWith([token('t1', { cardId: 'c1', accountId: OTHER })], [card('c1', ME)]);
      await expect(ownedToken(ME, 't1', store)).rejects.toMatchObject({ statusCode: 404 });
    });
  });

  describe('ownedCard', () => {
    it("a card is the account's by its state, else by its tokens when they agree; else 404", async () => {
      const store = await storeWith(
        [
          token('a', { cardId: 'c2', accountId: ME }),
          token('b', { cardId: 'c3', accountId: ME }),
          token('c', { cardId: 'c3', accountId: OTHER }),
        ],
        [card('c1', ME), card('c4', OTHER), card('c5')],
      );
      await expect(ownedCard(ME, 'c1', store)).resolves.toBe('c1');
      await expect(ownedCard(ME, 'c2', store)).resolves.toBe('c2');
      // The tokens disagree: nobody owns it here.
      expect(await accountOfCard('c3', store)).toBeUndefined();
      for (const c of ['c3', 'c4', 'c5', 'c9'])
        await expect(ownedCard(ME, c, store)).rejects.toMatchObject({
          statusCode: 404,
          message: `card ${c} not found`,
        });
    });
  });

  describe('cardholderAccountOf', () => {
    it('takes the account from sub with scope cardholder; anything else is 403', () => {
      expect(cardholderAccountOf({ sub: ME, scope: 'cardholder' })).toBe(ME);
      expect(cardholderAccountOf({ sub: ME }, ['cardholder'])).toBe(ME);
      expect(cardholderAccountOf({ sub: ME, scp: ['cardholder'] })).toBe(ME);
      for (const claims of [
        { sub: ME, scope: 'tokens:write' },
        { sub: 'agent-7', scope: 'cardholder' },
        { sub: '0123', scope: 'cardholder' },
        { scope: 'cardholder' },
      ])
        expect(() => cardholderAccountOf(claims)).toThrow(expect.objectContaining({ statusCode: 403 }));
    });
  });
});
