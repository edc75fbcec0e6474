import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';

/**
 * Lets an AWS service use a key on behalf of this account only (confused-deputy protection): the
 * key-policy statement names the service principal and requires `aws:SourceAccount` = this account
 * and `aws:SourceArn` like `sourceArn` (the resources of ours that may ask).
 */
export function allowServiceToUseKey(key: IKey, service: string, actions: string[], sourceArn: string): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(service)],
      actions,
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(key).account },
        ArnLike: { 'aws:SourceArn': sourceArn },
      },
    }),
  );
}

/** An ARN pattern of this stack's account and region: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export function accountArn(scope: IKey, service: string, resource: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
}
