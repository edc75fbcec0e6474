import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';
import { buildApp, type ServiceStacks } from '../../infra/build-app';

/** Builds the service as `cdk synth` does (cdk.json context, bundling skipped), with overrides. */
export function build(context: Record<string, unknown> = {}): ServiceStacks & { app: App } {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, ...buildApp(app) };
}
