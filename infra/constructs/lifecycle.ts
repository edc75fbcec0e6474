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
import { SCOPES, type ServiceApi } from './http-api';

/** Context key: Pismo's tokenization API base (default: the Pismo API URL + `/cards-tokenization`). */
export const PISMO_TOKENIZATION_URL_CONTEXT = 'tokenization:pismoTokenizationUrl';
/** Context key: comma-separated Pismo program ids whose Mastercard tokens go through Pismo, not MDES. */
export const LIFECYCLE_PISMO_PROGRAMS_CONTEXT = 'tokenization:lifecyclePismoMastercardPrograms';

export interface LifecycleProps {
  logKey: IKey;
  logRetention: RetentionDays;
  table: ITable;
  /** The service's HTTP API: the routes get its JWT authorizer and scope `tokens:write`. */
  api: ServiceApi;
  /** Pismo's API host (OAuth, cards) and our client id (the stack's ID&V settings carry them). */
  idv: { pismoApiUrl: string; pismoClientId: string };
  pismoClientSecret: { secret: ISecret; key: IKey };
  mdes: readonly MdesBinding[];
}

/** The lifecycle routes: token, card and device actions (all `POST`, scope `tokens:write`). */
export const LIFECYCLE_ROUTES = [
  '/tokens/{tokenId}/suspend',
  '/tokens/{tokenId}/resume',
  '/tokens/{tokenId}/delete',
  '/tokens/{tokenId}/activate',
  '/tokens/{tokenId}/approve-device-binding',
  '/cards/{cardId}/tokens/suspend',
  '/cards/{cardId}/tokens/resume',
  '/cards/{cardId}/tokens/delete',
  '/devices/tokens/suspend',
] as const;

/**
 * The token lifecycle flow: one function behind the lifecycle routes on the internal HTTP API (JWT
 * authorizer, scope `tokens:write`). Least privilege: read/write on the token table (state read,
 * audit and timeline written; never a status), read of the Pismo client secret and of the MDES
 * customers' key secrets; nothing else.
 */
export class Lifecycle extends Construct {
  readonly fn: AppFunction;

  constructor(scope: Construct, id: string, props: LifecycleProps) {
    super(scope, id);
    const tokenizationUrl =
      (this.node.tryGetContext(PISMO_TOKENIZATION_URL_CONTEXT) as string | undefined) ||
      `${props.idv.pismoApiUrl.replace(/\/+$/, '')}/cards-tokenization`;
    const programs = String(this.node.tryGetContext(LIFECYCLE_PISMO_PROGRAMS_CONTEXT) ?? '');
    this.fn = new AppFunction(this, 'Lifecycle', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/lifecycle/lifecycle.ts',
      description: 'Token lifecycle: suspend/resume/delete/activate on both networks (Pismo, MDES)',
      // Pismo or MDES timeouts × retries, plus the read that confirms a lost write.
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
    const integration = new HttpLambdaIntegration('LifecycleIntegration', this.fn.fn);
    for (const path of LIFECYCLE_ROUTES)
      props.api.addInternalRoute(path, HttpMethod.POST, integration, SCOPES.tokensWrite);
  }
}
