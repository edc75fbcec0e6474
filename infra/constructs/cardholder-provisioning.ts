/**
 * Flow: the cardholder API for the issuer's app (docs/flows/cardholder.md), push provisioning and
 * card on file. Handler: functions/cardholder/provisioning.ts (its own function: it holds the Pismo
 * PCI calls, never MDES). Use cases: shared/cardholder/push-provisioning.ts, card-on-file.ts.
 */
import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CARDHOLDER_PROVISIONING_ENV, ENV } from '../../shared/config';
import { AppFunction } from './app-function';
import type { ServiceApi } from './http-api';
import { PISMO_TOKENIZATION_URL_CONTEXT } from './lifecycle';

/** Context key: Pismo's cards-on-file API base (PCI host; default: the Pismo API URL). */
export const PISMO_CARDS_ON_FILE_URL_CONTEXT = 'tokenization:pismoCardsOnFileUrl';

export interface CardholderProvisioningProps {
  logKey: IKey;
  logRetention: RetentionDays;
  table: ITable;
  /** The service's HTTP API: the routes get its cardholder JWT authorizer and scope `cardholder`. */
  api: ServiceApi;
  /** Pismo's API host (OAuth) and our client id. */
  idv: { pismoApiUrl: string; pismoClientId: string };
  pismoClientSecret: { secret: ISecret; key: IKey };
}

/** The routes (route table: functions/cardholder/provisioning.ts `PROVISIONING_ROUTES`). */
export const CARDHOLDER_PROVISIONING_ROUTES: readonly { method: HttpMethod; path: string }[] = [
  { method: HttpMethod.POST, path: '/me/cards/{cardId}/push-provisioning/apple-pay' },
  { method: HttpMethod.POST, path: '/me/cards/{cardId}/push-provisioning/google-pay' },
  { method: HttpMethod.POST, path: '/me/cards/{cardId}/push-provisioning/samsung-pay' },
  { method: HttpMethod.POST, path: '/me/cards/{cardId}/cards-on-file' },
  { method: HttpMethod.GET, path: '/me/cards/{cardId}/cards-on-file' },
  { method: HttpMethod.POST, path: '/me/cards/{cardId}/cards-on-file/{cardOnFileId}/status' },
];

/**
 * Push provisioning and card on file: one function on the cardholder authorizer. Least privilege:
 * read/write on the token table (card state read; request ids, rate counters and audit written),
 * read of the Pismo client secret; no MDES key.
 */
export class CardholderProvisioning extends Construct {
  readonly fn: AppFunction;

  constructor(scope: Construct, id: string, props: CardholderProvisioningProps) {
    super(scope, id);
    const api = props.idv.pismoApiUrl.replace(/\/+$/, '');
    const tokenizationUrl =
      (this.node.tryGetContext(PISMO_TOKENIZATION_URL_CONTEXT) as string | undefined) || `${api}/cards-tokenization`;
    const cardsOnFileUrl = (this.node.tryGetContext(PISMO_CARDS_ON_FILE_URL_CONTEXT) as string | undefined) || api;
    this.fn = new AppFunction(this, 'CardholderProvisioning', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/cardholder/provisioning.ts',
      description: 'Cardholder API: push provisioning (Apple, Google, Samsung Pay) and card on file via Pismo',
      // One Pismo write (4 s timeout, sent once) or a read with its retries, plus the account token.
      timeout: Duration.seconds(20),
      environment: {
        [ENV.pismoApiUrl]: props.idv.pismoApiUrl,
        [ENV.pismoClientId]: props.idv.pismoClientId,
        [CARDHOLDER_PROVISIONING_ENV.pismoTokenizationUrl]: tokenizationUrl,
        [CARDHOLDER_PROVISIONING_ENV.pismoCardsOnFileUrl]: cardsOnFileUrl,
      },
    })
      .useTable(props.table, 'readWrite')
      .useSecret(ENV.pismoClientSecretId, props.pismoClientSecret.secret, props.pismoClientSecret.key);
    const integration = new HttpLambdaIntegration('CardholderProvisioningIntegration', this.fn.fn);
    for (const route of CARDHOLDER_PROVISIONING_ROUTES)
      props.api.addCardholderRoute(route.path, route.method, integration);
  }
}
