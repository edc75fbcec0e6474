import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { claimsOf, officerOf } from '../../../../shared/adapters/http/officer';

const eventWith = (claims?: Record<string, unknown>) =>
  ({
    requestContext: { authorizer: claims ? { jwt: { claims, scopes: [] } } : undefined },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('officerOf (the acting officer from the JWT)', () => {
  it('takes sub and name', () => {
    expect(officerOf(eventWith({ sub: 'agent-7', name: 'Ana Souza' }))).toEqual({
      userId: 'agent-7',
      userName: 'Ana Souza',
    });
  });

  it('names the officer by sub when the token has no name', () => {
    expect(officerOf(eventWith({ sub: 'agent-7' }))).toEqual({ userId: 'agent-7', userName: 'agent-7' });
  });

  it('cuts them to what MDES AuditInfo takes (UserId 50, UserName 200)', () => {
    const officer = officerOf(eventWith({ sub: 'u'.repeat(80), name: 'n'.repeat(300) }));
    expect(officer.userId).toHaveLength(50);
    expect(officer.userName).toHaveLength(200);
  });

  it.each([[{ name: 'Ana' }], [{ sub: '' }], [undefined]])('refuses a token naming no user (%j): 400', (claims) => {
    expect(() => officerOf(eventWith(claims))).toThrow(
      expect.objectContaining({ name: 'ValidationError', statusCode: 400 }),
    );
  });

  it('reads no claims as none', () => {
    expect(claimsOf(eventWith(undefined))).toEqual({});
  });
});
