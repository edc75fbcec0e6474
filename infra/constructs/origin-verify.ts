import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config';
import { ORIGIN_VERIFY_HEADER } from '../../shared/edge/origin-verify';
import { AppFunction } from './app-function';

/** Where the origin secret lives: the edge stack's Secrets Manager secret (docs/security/edge.md). */
export interface OriginVerifySettings {
  /** Name of the secret (`{"value":"…"}`), created by the edge stack. */
  secretName: string;
  /** Region of the secret: the edge stack's (us-east-1). */
  secretRegion: string;
  /** How long API Gateway caches the authorizer's answer per header value. */
  resultsCacheTtl: Duration;
}

export interface OriginVerifyAuthorizerProps {
  settings: OriginVerifySettings;
  logKey: IKey;
  logRetention: RetentionDays;
}

/**
 * The REQUEST Lambda authorizer of the Pismo routes once CloudFront fronts the API: identity source
 * `$request.header.x-origin-verify` (a request without the header is refused by API Gateway before
 * any function runs), simple responses, cached per header value. The function
 * (functions/edge/verify-origin.ts) reads the secret by name in the edge region; no cross-region reference.
 */
export class OriginVerifyAuthorizer extends Construct {
  readonly authorizer: HttpLambdaAuthorizer;
  readonly fn: AppFunction;

  constructor(scope: Construct, id: string, props: OriginVerifyAuthorizerProps) {
    super(scope, id);
    const { secretName, secretRegion, resultsCacheTtl } = props.settings;
    this.fn = new AppFunction(this, 'VerifyOrigin', {
      logKey: props.logKey,
      logRetention: props.logRetention,
      entry: 'functions/edge/verify-origin.ts',
      description: 'Authorizer of the Pismo routes: the request came through CloudFront (x-origin-verify)',
      memorySize: 256,
      timeout: Duration.seconds(5),
      environment: {
        [ENV.originVerifySecretId]: secretName,
        [ENV.originVerifySecretRegion]: secretRegion,
      },
    });
    // By name in another region: the ARN's random suffix is unknown here (six characters, `-??????`).
    // The secret uses the account's aws/secretsmanager key, whose policy lets Secrets Manager decrypt
    // for any principal of the account allowed GetSecretValue: no KMS grant is needed.
    this.fn.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          Stack.of(this).formatArn({
            service: 'secretsmanager',
            region: secretRegion,
            resource: 'secret',
            resourceName: `${secretName}-??????`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    this.authorizer = new HttpLambdaAuthorizer('OriginVerify', this.fn.fn, {
      authorizerName: 'origin-verify',
      identitySource: [`$request.header.${ORIGIN_VERIFY_HEADER}`],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl,
    });
  }
}
