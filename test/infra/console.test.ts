import { Match, Template } from 'aws-cdk-lib/assertions';
import cdkJson from '../../cdk.json';
import { build } from './build-stacks';

const EXTERNAL = {
  'tokenization:consoleClientId': 'console-spa',
  'tokenization:consoleAuthorizationEndpoint': 'https://idp.example-issuer.com/authorize',
  'tokenization:consoleTokenEndpoint': 'https://idp.example-issuer.com/token',
  'tokenization:consoleEndSessionEndpoint': 'https://idp.example-issuer.com/logout',
};

/** The console function's environment. */
function consoleEnv(t: Template): Record<string, unknown> {
  const [fn] = Object.values(
    t.findResources('AWS::Lambda::Function', { Metadata: { 'local:entry': 'functions/console/console.ts' } }),
  );
  return fn?.Properties.Environment.Variables as Record<string, unknown>;
}

describe('console (no external identity provider: Cognito)', () => {
  const t = Template.fromStack(build().stateless);

  it('creates a retained user pool: no self sign-up, MFA (TOTP) required, strong passwords, Plus plan, threat protection', () => {
    t.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        DeletionProtection: 'ACTIVE',
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 14,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: Match.anyValue(), LambdaVersion: 'V2_0' } },
      }),
    });
  });

  it('has one group per kind of user', () => {
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['agents', 'read-only', 'supervisors']);
  });

  it("gives the console a public app client: code flow only, the console's URL as callback, short tokens", () => {
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'profile', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: 15,
    });
    const [client] = Object.values(t.findResources('AWS::Cognito::UserPoolClient'));
    expect(JSON.stringify(client?.Properties.CallbackURLs)).toContain('/console"');
    expect(client?.Properties.LogoutURLs).toEqual(client?.Properties.CallbackURLs);
  });

  it("points the API's JWT authorizer at the pool, accepting its app client", () => {
    const [authorizer] = Object.values(
      t.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { AuthorizerType: 'JWT' } }),
    );
    const jwt = authorizer?.Properties.JwtConfiguration as { Issuer: unknown; Audience: unknown[] };
    expect(JSON.stringify(jwt.Issuer)).toContain('cognito-idp');
    expect(jwt.Audience[0]).toBe(cdkJson.context['tokenization:jwtAudience']);
    const [clientId] = Object.keys(t.findResources('AWS::Cognito::UserPoolClient'));
    expect(jwt.Audience[1]).toEqual({ Ref: clientId });
  });

  it("leaves the cardholder authorizer on the deployment's own issuer, never the agents' pool", () => {
    const authorizers = Object.values(
      t.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { AuthorizerType: 'JWT' } }),
    ).map((a) => a.Properties as { Name: string; JwtConfiguration: { Issuer: unknown } });
    const cardholder = authorizers.find((a) => a.Name === 'CardholderJwt');
    expect(cardholder?.JwtConfiguration.Issuer).toBe(cdkJson.context['tokenization:jwtIssuer']);
  });

  it('serves the console without an authorizer and GET /me with tokens:read', () => {
    for (const routeKey of ['GET /console', 'GET /console/{proxy+}'])
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'NONE' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /me',
      AuthorizationType: 'JWT',
      AuthorizationScopes: ['tokens:read'],
    });
    for (const routeKey of [
      'GET /tokens/{tokenId}/timeline',
      'GET /cards/{cardId}',
      'GET /search',
      'GET /decisions',
      'GET /decisions/stats',
      'GET /keys/expiry',
    ])
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'JWT',
        AuthorizationScopes: ['tokens:read'],
      });
  });

  it("tells the console the hosted sign-in endpoints and the pool's issuer", () => {
    const env = consoleEnv(t);
    expect(JSON.stringify(env.CONSOLE_AUTHORIZATION_ENDPOINT)).toContain('/oauth2/authorize');
    expect(JSON.stringify(env.CONSOLE_TOKEN_ENDPOINT)).toContain('/oauth2/token');
    expect(JSON.stringify(env.CONSOLE_END_SESSION_ENDPOINT)).toContain('/logout');
    expect(JSON.stringify(env.CONSOLE_ISSUER)).toContain('cognito-idp');
    expect(env.CONSOLE_SCOPE).toBe('openid profile email');
    expect(env.CONSOLE_MDES_CUSTOMERS).toBe('default');
  });

  it('grants the console function nothing but its logs (no table, no secret)', () => {
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    const [consoleRole] = Object.keys(t.findResources('AWS::IAM::Role')).filter((id) =>
      id.startsWith('ConsoleServeConsole'),
    );
    const own = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(`"${consoleRole}"`),
    );
    expect(policies).toContain('ConsoleServeConsole');
    expect(JSON.stringify(own)).not.toMatch(/dynamodb:|secretsmanager:|kms:Decrypt/);
  });
});

describe('console with an external identity provider', () => {
  const t = Template.fromStack(build(EXTERNAL).stateless);

  it('creates no user pool and keeps the configured issuer', () => {
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: {
        Issuer: cdkJson.context['tokenization:jwtIssuer'],
        Audience: [cdkJson.context['tokenization:jwtAudience']],
      },
    });
    expect(consoleEnv(t)).toMatchObject({
      CONSOLE_ISSUER: cdkJson.context['tokenization:jwtIssuer'],
      CONSOLE_CLIENT_ID: 'console-spa',
      CONSOLE_TOKEN_ENDPOINT: 'https://idp.example-issuer.com/token',
      CONSOLE_SCOPE: 'openid profile tokens:read tokens:write',
    });
  });

  it('fails the synth when an endpoint is missing, naming it', () => {
    expect(() => build({ 'tokenization:consoleClientId': 'x' })).toThrow(/tokenization:consoleAuthorizationEndpoint/);
  });
});
