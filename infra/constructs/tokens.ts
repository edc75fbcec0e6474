/**
 * Flow: the internal read API (docs/flows/tokens.md).
 * Handler: functions/tokens/read-tokens.ts (`GET /tokens`, `GET /tokens/{tokenId}`,
 * `GET /tokens/{tokenId}/challenges`, and the console's reads {@link CONSOLE_READ_ROUTES}; scope
 * `tokens:read`). Use cases: shared/tokens/ (read-tokens, card-view, id-search, decisions, key-expiry).
 *
 * Reads the token store only; pagination cursors are signed with the cursor key secret.
 */
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config';
import { AppFunction } from './app-function';
import { SCOPES, type ServiceApi } from './http-api';

/** The reads the console added (issue 15; all `GET`, scope `tokens:read`). */
export const CONSOLE_READ_ROUTES = [
  '/tokens/{tokenId}/timeline',
  '/cards/{cardId}',
  '/search',
  '/decisions',
  '/decisions/stats',
  '/keys/expiry',
] as const;

export interface TokensProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  api: ServiceApi;
  /** HMAC key of the pagination cursors, and its encryption key. */
  cursorKeySecret: { secret: ISecret; key: IKey };
}

export class Tokens {
  readonly read: AppFunction;

  constructor(scope: Construct, props: TokensProps) {
    this.read = new AppFunction(scope, 'ReadTokens', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/tokens/read-tokens.ts',
      description: 'GET /tokens, GET /tokens/{tokenId}: token state and timeline',
    })
      .useTable(props.table, 'read')
      .useSecret(ENV.cursorKeySecretId, props.cursorKeySecret.secret, props.cursorKeySecret.key);
    const integration = new HttpLambdaIntegration('ReadIntegration', this.read.fn);
    for (const path of ['/tokens', '/tokens/{tokenId}', '/tokens/{tokenId}/challenges', ...CONSOLE_READ_ROUTES])
      props.api.addInternalRoute(path, HttpMethod.GET, integration, SCOPES.tokensRead);
  }
}
