/**
 * Flow: Customer Service over Mastercard MDES (docs/flows/customer-service.md).
 * Handler: functions/customer-service/customer-service.ts (the `/cs/…` routes of the internal API;
 * reads need `tokens:read`, writes `tokens:write`). Use case: shared/customer-service/customer-service.ts.
 */
import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AppFunction, type MdesBinding } from './app-function';
import { SCOPES, type ServiceApi } from './http-api';

export interface CustomerServiceProps {
  table: ITable;
  logKey: IKey;
  logRetention: RetentionDays;
  api: ServiceApi;
  /** MDES customers (CIDs) and their key secrets. */
  mdes: readonly MdesBinding[];
}

/** Path, method and scope of each route. */
const ROUTES: [string, HttpMethod, string][] = [
  ['/cs/system-status', HttpMethod.GET, SCOPES.tokensRead],
  ['/cs/search', HttpMethod.POST, SCOPES.tokensRead],
  ['/cs/accounts/update', HttpMethod.POST, SCOPES.tokensWrite],
  ['/cs/tokens/{tokenId}/{operation}', HttpMethod.GET, SCOPES.tokensRead],
  ['/cs/tokens/{tokenId}/{operation}', HttpMethod.POST, SCOPES.tokensWrite],
  ['/cs/turs/{tur}/{operation}', HttpMethod.GET, SCOPES.tokensRead],
  ['/cs/turs/{tur}/{operation}', HttpMethod.POST, SCOPES.tokensWrite],
];

export class CustomerService {
  readonly fn: AppFunction;

  constructor(scope: Construct, props: CustomerServiceProps) {
    this.fn = new AppFunction(scope, 'CustomerService', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/customer-service/customer-service.ts',
      description: 'Internal Customer Service API over Mastercard MDES Customer Service',
      // MDES timeouts (5 s) × retries, plus the status search before a write.
      timeout: Duration.seconds(29),
      mastercard: true,
    })
      .useTable(props.table, 'readWrite')
      .useMdes(props.mdes);
    const integration = new HttpLambdaIntegration('CustomerServiceIntegration', this.fn.fn);
    for (const [path, method, authScope] of ROUTES) props.api.addInternalRoute(path, method, integration, authScope);
  }
}
