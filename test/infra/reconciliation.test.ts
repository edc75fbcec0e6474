import { Template } from 'aws-cdk-lib/assertions';
import { deriveLocalModel } from '../../local/model/model';
import type { CfnTemplate } from '../../local/model/cloud-template';
import { LocalStepFunctions, SfnError } from '../../local/aws/step-functions';
import { build } from './build-stacks';

type Json = Record<string, unknown>;

/** The sweep state machine's definition (JSON) from a stateless template. */
function sweepDefinition(template: Template): { States: Record<string, Json> } {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const [sweep] = Object.entries(machines).filter(([id]) => id.startsWith('ReconciliationSweepStateMachine'));
  if (!sweep) throw new Error('no sweep state machine');
  const parts = (sweep[1].Properties as { DefinitionString: { 'Fn::Join': [string, unknown[]] } }).DefinitionString[
    'Fn::Join'
  ][1];
  const text = parts.map((p) => (typeof p === 'string' ? p : 'X')).join('');
  return JSON.parse(text) as { States: Record<string, Json> };
}

describe('reconciliation (infra)', () => {
  const distributed = build();
  const template = Template.fromStack(distributed.stateless);

  it('sweeps with a table export and a Distributed Map of bounded concurrency in AWS', () => {
    const { States } = sweepDefinition(template);
    expect(Object.keys(States)).toEqual(
      expect.arrayContaining([
        'StartSweep',
        'ExportTable',
        'WaitForExport',
        'DescribeExport',
        'ReconcileExportFiles',
        'FinishSweep',
      ]),
    );
    const map = States.ReconcileExportFiles as Json & { ItemProcessor: { ProcessorConfig: Json }; ItemReader: Json };
    expect(map.ItemProcessor.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED' });
    expect(String(map.ItemReader.Resource)).toMatch(/s3:listObjectsV2/);
    expect(map.MaxConcurrency).toBe(10);
    expect(String(States.ExportTable?.Resource)).toMatch(/dynamodb:exportTableToPointInTime/);
  });

  it('runs hourly over tokens in doubt and weekly the sweep; alarms on drift to the operators', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties as Json);
    expect(rules.map((r) => r.ScheduleExpression)).toEqual(
      expect.arrayContaining(['rate(1 hour)', 'cron(0 3 ? * SUN *)']),
    );
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Json);
    const drift = alarms.find((a) => JSON.stringify(a.Metrics ?? []).includes('ReconciliationDrift'));
    expect(drift).toMatchObject({ Threshold: 25, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(JSON.stringify(drift?.AlarmActions)).toMatch(/OperatorAlarms/);
  });

  it('splits the MDES budget among the functions and the sweep workers', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => (f.Properties as { Environment?: { Variables?: Json } }).Environment?.Variables ?? {})
      .filter((v) => v.RECONCILIATION_MDES_RATE_PER_SECOND !== undefined);
    expect(fns).toHaveLength(3);
    for (const v of fns) expect(Number(v.RECONCILIATION_MDES_RATE_PER_SECOND)).toBeCloseTo(1 / 12);
  });

  it('the local runner refuses the AWS form, naming why, and runs the inline form (aws-local-stepfunctions has no ItemReader)', () => {
    const stacks = (app: typeof distributed.app) =>
      app.synth().stacks.map((s) => ({ stackName: s.stackName, template: s.template as CfnTemplate }));
    const aws = deriveLocalModel(stacks(distributed.app));
    const awsSweep = [...aws.stateMachines.values()].find((m) => m.logicalId.startsWith('ReconciliationSweep'));
    expect(awsSweep?.unsupported).toMatch(/ExportTable: the local runner only runs Lambda tasks/);
    const runner = new LocalStepFunctions(aws.stateMachines, () => Promise.resolve({}));
    expect(() => runner.startExecution(awsSweep?.arn ?? '', 'x', '{}')).toThrow(SfnError);

    const inline = build({
      'tokenization:reconciliationSweep': 'inline',
      'tokenization:reconciliationSweepConcurrency': 3,
    });
    const local = deriveLocalModel(stacks(inline.app));
    const sweep = [...local.stateMachines.values()].find((m) => m.logicalId.startsWith('ReconciliationSweep'));
    expect(sweep?.unsupported).toBeUndefined();
    expect(Object.keys(sweep?.taskFunctions ?? {}).sort()).toEqual(['FinishSweep', 'ReconcileBatch', 'StartSweep']);
    const map = (sweep?.definition.States as Record<string, Json>).ReconcileCards;
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 3, ItemsPath: '$.run.batches' });
  });
});
