import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { captureStdout } from '../../fixtures/capture-stdout';

const SECRET = 'Zq8mW3vT6yR1pL9kC4xN7bH2dF5gJ0sA';

function event(headers: Record<string, string>): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:000000000000:api/$default/POST/pismo/events',
    identitySource: Object.values(headers),
    routeKey: 'POST /pismo/events',
    rawPath: '/pismo/events',
    rawQueryString: '',
    cookies: [],
    headers,
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

describe('functions/edge/verify-origin', () => {
  let handler: (e: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean }>;
  const secretIds: unknown[] = [];
  const logs = captureStdout();
  // Warnings go to stderr (Powertools' Console).
  const warnings: string[] = [];
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    warnings.push(String(chunk));
    return true;
  });
  const logged = () => logs.text() + warnings.join('');

  beforeAll(async () => {
    process.env.ORIGIN_VERIFY_SECRET_ID = 'card-tokenization/test/origin-verify';
    process.env.ORIGIN_VERIFY_SECRET_REGION = 'us-east-1';
    jest.spyOn(SecretsManagerClient.prototype, 'send').mockImplementation((command: unknown) => {
      const input = (command as { input: { SecretId: string; VersionStage: string } }).input;
      secretIds.push(input.SecretId);
      if (input.VersionStage === 'AWSPREVIOUS')
        return Promise.reject(Object.assign(new Error('none'), { name: 'ResourceNotFoundException' }));
      return Promise.resolve({ SecretString: JSON.stringify({ value: SECRET }) });
    });
    ({ handler } = await import('../../../functions/edge/verify-origin'));
  });

  afterAll(() => {
    logs.restore();
    stderr.mockRestore();
    jest.restoreAllMocks();
  });

  it('allows the request carrying the secret in x-origin-verify (as API Gateway passes headers: lower case)', async () => {
    await expect(handler(event({ 'x-origin-verify': SECRET }))).resolves.toEqual({ isAuthorized: true });
    expect(new Set(secretIds)).toEqual(new Set(['card-tokenization/test/origin-verify']));
  });

  it('refuses another value or another header, and never logs the value presented or expected', async () => {
    const forged = `${SECRET.slice(0, -1)}x`;
    await expect(handler(event({ 'x-origin-verify': forged }))).resolves.toEqual({ isAuthorized: false });
    await expect(handler(event({ authorization: SECRET }))).resolves.toEqual({ isAuthorized: false });
    expect(logged()).toContain('origin verification refused');
    expect(logged()).not.toContain(forged);
    expect(logged()).not.toContain(SECRET);
  });
});
