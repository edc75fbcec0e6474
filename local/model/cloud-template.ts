import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';
import { buildApp } from '../../infra/build-app';

/** One synthesized CloudFormation template. */
export interface SynthesizedStack {
  stackName: string;
  template: CfnTemplate;
}

/** The parts of a CloudFormation template the local stack reads. */
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/**
 * Synthesizes the CDK app in-process (bundling skipped, cdk-nag still enforced) and returns every
 * stack's template: the single source the local stack derives its tables, routes and env from.
 */
export function synthesizeTemplates(contextOverrides: Record<string, unknown> = {}): SynthesizedStack[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'tokenization-synth-'));
  try {
    const app = new App({
      outdir,
      context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...contextOverrides },
    });
    buildApp(app);
    const assembly = app.synth();
    return assembly.stacks.map((s) => ({ stackName: s.stackName, template: s.template as CfnTemplate }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
