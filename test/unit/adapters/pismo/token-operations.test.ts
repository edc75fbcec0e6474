import {
  parseCardResults,
  parseCardTokens,
  PISMO_TOKEN_OPERATIONS_UNCONFIRMED,
  PismoTokenOperationsClient,
} from '../../../../shared/adapters/pismo/token-operations';

describe('Pismo token operations: wire bodies', () => {
  it('sends Pismo field names, the activation code only with CALL_CENTER_ACTIVATION', () => {
    expect(
      PismoTokenOperationsClient.buildTokenOperationBody({
        operationType: 'SUSPEND',
        reason: 'Suspended due to lost device.',
        operatorId: 'NbChEH',
      }),
    ).toEqual({ operation_type: 'SUSPEND', operation_reason: 'Suspended due to lost device.', operator_id: 'NbChEH' });
    expect(
      PismoTokenOperationsClient.buildTokenOperationBody({
        operationType: 'CALL_CENTER_ACTIVATION',
        reason: 'Activated by the call center',
        activationCode: '94',
      }),
    ).toEqual({
      operation_type: 'CALL_CENTER_ACTIVATION',
      operation_reason: 'Activated by the call center',
      [PISMO_TOKEN_OPERATIONS_UNCONFIRMED.activationCodeField]: '94',
    });
    expect(
      PismoTokenOperationsClient.buildCardOperationBody({
        operationType: 'DELETE',
        reason: 'Card cancelled by issuer',
      }),
    ).toEqual({ operation_type: 'DELETE', operation_reason: 'Card cancelled by issuer' });
  });

  it('accepts the optional code on the call-center device-binding approval only', () => {
    expect(
      PismoTokenOperationsClient.buildTokenOperationBody({
        operationType: 'TOKEN_DEVICE_BINDING_APPROVE_CALL_CENTER',
        reason: 'r',
        activationCode: '1234',
      }),
    ).toMatchObject({ activation_code: '1234' });
    expect(() =>
      PismoTokenOperationsClient.buildTokenOperationBody({
        operationType: 'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP',
        reason: 'r',
        activationCode: '1234',
      }),
    ).toThrow(
      expect.objectContaining({
        statusCode: 400,
        details: ['activationCode: not allowed with TOKEN_DEVICE_BINDING_APPROVE_BANK_APP'],
      }),
    );
  });

  it('refuses a card operation reason over 254 characters (stricter than the documented 255)', () => {
    expect(() =>
      PismoTokenOperationsClient.buildCardOperationBody({ operationType: 'SUSPEND', reason: 'x'.repeat(255) }),
    ).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});

describe('Pismo token operations: tolerant reading', () => {
  it('reads tokens wrapped or flat, with string or number ids, and keeps unknown fields', () => {
    const tokens = parseCardTokens({
      tokens: [
        { token: { token_id: 412, status: 'active', network: 'VTS', token_unique_reference: 'DNITHE1' }, extra: 1 },
        { id: '413', token_status: 'SUSPENDED', future_field: { a: [1] } },
        'not an object',
        { token: { status: 7 } },
      ],
      next_page: null,
    });
    expect(tokens?.map(({ raw: _raw, ...t }) => t)).toEqual([
      { tokenId: '412', status: 'ACTIVE', network: 'vts', tokenUniqueReference: 'DNITHE1' },
      { tokenId: '413', status: 'SUSPENDED', network: undefined, tokenUniqueReference: undefined },
      { tokenId: undefined, status: '7', network: undefined, tokenUniqueReference: undefined },
    ]);
    expect(tokens?.[0]?.raw.extra).toBe(1);
    expect(tokens?.[1]?.raw.future_field).toEqual({ a: [1] });
  });

  it('masks card numbers and secrets in the items it keeps', () => {
    const [token] =
      parseCardTokens({
        tokens: [{ token: { token_id: 1, token: '5454545454545454', note: 'pan 4111111111111111' } }],
      }) ?? [];
    const raw = JSON.stringify(token?.raw);
    expect(raw).not.toContain('5454545454545454');
    expect(raw).not.toContain('4111111111111111');
  });

  it('says "no list" rather than "no tokens" when the answer has no token list', () => {
    expect(parseCardTokens({})).toBeUndefined();
    expect(parseCardTokens({ tokens: {} })).toBeUndefined();
    expect(parseCardTokens(undefined)).toBeUndefined();
    expect(parseCardTokens({ tokens: [] })).toEqual([]);
  });

  it('reads per-token results of a card operation when there are any', () => {
    expect(parseCardResults(undefined)).toBeUndefined();
    expect(
      parseCardResults({
        results: [{ token_id: 9, status: 'SUSPENDED', result: 'FAILED', error_code: 'E1', message: 'm' }],
      })?.map(({ raw: _raw, ...r }) => r),
    ).toEqual([{ tokenId: '9', status: 'SUSPENDED', result: 'FAILED', errorCode: 'E1', message: 'm' }]);
  });
});
