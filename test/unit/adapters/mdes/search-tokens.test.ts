import {
  accountTokensOfSearch,
  type ResponseOf,
  tokenOfSearch,
  tokensOfSearch,
} from '../../../../shared/adapters/mdes/contract';

const body: ResponseOf<'search'> = {
  SearchResponse: {
    Accounts: {
      Account: [
        {
          AccountPanSuffix: '4444',
          Tokens: { Token: [{ TokenUniqueReference: 'T1' }, { TokenUniqueReference: 'T2' }] },
        },
        { AccountPanSuffix: '1111' },
        { AccountPanSuffix: '2222', Tokens: { Token: [{ TokenUniqueReference: 'T3', CurrentStatusCode: 'D' }] } },
      ],
    },
  },
};

describe('tokens of a Search response', () => {
  it('lists every token of every account, in MDES’s order', () => {
    expect(tokensOfSearch(body).map((t) => t.TokenUniqueReference)).toEqual(['T1', 'T2', 'T3']);
    expect(accountTokensOfSearch(body).map((x) => [x.account.AccountPanSuffix, x.token.TokenUniqueReference])).toEqual([
      ['4444', 'T1'],
      ['4444', 'T2'],
      ['2222', 'T3'],
    ]);
  });

  it('finds the token of a TUR, or none', () => {
    expect(tokenOfSearch(body, 'T3')).toEqual({ TokenUniqueReference: 'T3', CurrentStatusCode: 'D' });
    expect(tokenOfSearch(body, 'T9')).toBeUndefined();
  });

  it('reads an empty answer as no tokens', () => {
    expect(tokensOfSearch({})).toEqual([]);
    expect(tokensOfSearch({ SearchResponse: { Accounts: {} } })).toEqual([]);
  });
});
