/**
 * Flow: the cardholder API for the issuer's app (docs/flows/cardholder.md).
 * Handler: functions/cardholder/cardholder.ts (the routes below; the cardholder's JWT, scope
 * `cardholder`). Use cases: shared/cardholder/; token actions through the lifecycle use case
 * (shared/lifecycle/, docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md).
 */
import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, LIFECYCLE_ENV } from '../../shared/config';
import { AppFunction, type MdesBinding } from './app-function';
import type { ServiceApi } from './http-api';
import { LIFECYCLE_PISMO_PROGRAMS_CONTEXT, PISMO_TOKENIZATION_URL_CONTEXT } from './lifecycle';

export interface CardholderProps {
  logKey: IKey;
  logRetention: RetentionDays;
  table: ITable;
  /** The service's HTTP API: the routes get its cardholder JWT authorizer and scope `cardholder`. */
  api: ServiceApi;
  /** Pismo's API host (OAuth, cards) and our client id (the stack's ID&V settings carry them). */
  idv: { pismoApiUrl: string; pismoClientId: string };
  pismoClientSecret: { secret: ISecret; key: IKey };
  mdes: readonly MdesBinding[];
}

/**
 * The cardholder routes, all on one function (its route table: functions/cardholder/cardholder.ts).
 * A new route is one line here and one in that table (and its OpenAPI entry and audit driver).
 */
export const CARDHOLDER_ROUTES: readonly { method: HttpMethod; path: string }[] = [
  { method: HttpMethod.GET, path: '/me/digital-cards' },
  { method: HttpMethod.POST, path: '/me/digital-cards/{tokenId}/turn-off' },
  { method: HttpMethod.POST, path: '/me/digital-cards/{tokenId}/turn-on' },
  { method: HttpMethod.POST, path: '/me/digital-cards/{tokenId}/remove' },
  { method: HttpMethod.POST, path: '/me/digital-cards/{tokenId}/activate' },
];

/**
 * The cardholder API: one function behind the `/me/*` routes, on the HTTP API's cardholder JWT
 * authorizer (the app's own audience, scope `cardholder`; the subject is the Pismo account).
 * Least privilege as the lifecycle's: read/write on the token table (audit and timeline written,
 * never a status), read of the Pismo client secret and of the MDES customers' key secrets.
 */
export class Cardholder extends Construct {
  readonly fn: AppFunction;

  constructor(scope: Construct, id: string, props: CardholderProps) {
    super(scope, id);
    const tokenizationUrl =
      (this.node.tryGetContext(PISMO_TOKENIZATION_URL_CONTEXT) as string | undefined) ||
      `${props.idv.pismoApiUrl.replace(/\/+$/, '')}/cards-tokenization`;
    const programs = String(this.node.tryGetContext(LIFECYCLE_PISMO_PROGRAMS_CONTEXT) ?? '');
    this.fn = new AppFunction(this, 'Cardholder', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/cardholder/cardholder.ts',
      description: "Cardholder API for the issuer's app: digital cards per device, turn off/on, remove",
      // Pismo or MDES timeouts × retries, plus the read that confirms a lost write (as the lifecycle's).
      timeout: Duration.seconds(29),
      mastercard: true,
      environment: {
        [ENV.pismoApiUrl]: props.idv.pismoApiUrl,
        [ENV.pismoClientId]: props.idv.pismoClientId,
        [LIFECYCLE_ENV.pismoTokenizationUrl]: tokenizationUrl,
        ...(programs ? { [LIFECYCLE_ENV.pismoMastercardPrograms]: programs } : {}),
      },
    })
      .useTable(props.table, 'readWrite')
      .useSecret(ENV.pismoClientSecretId, props.pismoClientSecret.secret, props.pismoClientSecret.key)
      .useMdes(props.mdes);
    const integration = new HttpLambdaIntegration('CardholderIntegration', this.fn.fn);
    for (const route of CARDHOLDER_ROUTES) props.api.addCardholderRoute(route.path, route.method, integration);
  }
}
