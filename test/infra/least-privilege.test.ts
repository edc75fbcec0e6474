import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import cdkJson from '../../cdk.json';
import { build } from './build-stacks';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: { Service?: unknown };
}

const actionsOf = (s: Statement) => [s.Action].flat();

describe('infra', () => {
  let stateful: Template;
  let stateless: Template;
  let policies: { roles: string; statements: Statement[] }[];
  beforeAll(() => {
    const stacks = build();
    stateful = Template.fromStack(stacks.stateful);
    stateless = Template.fromStack(stacks.stateless);
    policies = Object.values(stateless.findResources('AWS::IAM::Policy')).map((p) => ({
      roles: JSON.stringify(p.Properties.Roles),
      statements: p.Properties.PolicyDocument.Statement as Statement[],
    }));
  });

  describe('least privilege', () => {
    it('allows SMS publish only to phone numbers: never on a topic or endpoint ARN, never on *', () => {
      const publish = policies.flatMap((p) => p.statements).filter((s) => actionsOf(s).includes('sns:Publish'));
      expect(publish.length).toBeGreaterThan(0);
      for (const s of publish) {
        expect(s.Resource).toBeUndefined();
        expect(JSON.stringify(s.NotResource)).toMatch(/:sns:\*:\*:\*/);
      }
    });

    it('allows ses:SendEmail only on the sender identity and only from the configured address', () => {
      const from =
        cdkJson.context['tokenization:idvEmailFrom' as keyof typeof cdkJson.context] ?? 'no-reply@example-issuer.com';
      const send = policies.flatMap((p) => p.statements).filter((s) => actionsOf(s).includes('ses:SendEmail'));
      expect(send.length).toBeGreaterThan(0);
      for (const s of send) {
        expect(s.Resource).not.toEqual('*');
        for (const r of [s.Resource].flat())
          expect(JSON.stringify(r)).toMatch(/:identity\/(no-reply@)?example-issuer\.com"/);
        expect(s.Condition).toEqual({ StringEquals: { 'ses:FromAddress': from } });
      }
    });

    it('lets only the functions that message cardholders publish SMS or send email', () => {
      const senders = policies
        .filter((p) => p.statements.some((s) => actionsOf(s).some((a) => a === 'sns:Publish' || a === 'ses:SendEmail')))
        .map((p) => p.roles)
        .join(' ');
      for (const fn of ['DeliverOtp', 'NotifyCardAdded', 'ReviewAbandonedToken']) expect(senders).toContain(fn);
      for (const fn of ['AwaitOtpActivation', 'SettleChallenge', 'DecideTokenization', 'ConsumePismoEvents'])
        expect(senders).not.toContain(fn);
    });

    it('grants the Pismo client secret to the ID&V steps that call Pismo and to no other step', () => {
      const readers = policies
        .filter((p) =>
          p.statements.some(
            (s) =>
              actionsOf(s).includes('secretsmanager:GetSecretValue') &&
              JSON.stringify(s.Resource).includes('PismoClientSecret'),
          ),
        )
        .map((p) => p.roles)
        .join(' ');
      for (const fn of ['DeliverOtp', 'NotifyCardAdded', 'ReviewAbandonedToken', 'DecideTokenization'])
        expect(readers).toContain(fn);
      for (const fn of ['AwaitOtpActivation', 'SettleChallenge']) expect(readers).not.toContain(fn);
    });

    it('binds every service principal in every key policy to this account (SourceAccount + SourceArn, or the logs context)', () => {
      const keys = [stateful, stateless].flatMap((t) => Object.entries(t.findResources('AWS::KMS::Key')));
      const servicePrincipals = keys.flatMap(([id, k]) =>
        (k.Properties.KeyPolicy.Statement as Statement[])
          .filter((s) => s.Principal?.Service)
          .map((s) => ({ id, service: JSON.stringify(s.Principal?.Service), condition: s.Condition ?? {} })),
      );
      const services = servicePrincipals.map((s) => s.service).join(' ');
      for (const service of ['events', 'cloudwatch', 'sns', 'delivery.logs', 'logs.'])
        expect(services).toContain(service);
      for (const s of servicePrincipals) {
        const keysUsed = Object.values(s.condition).flatMap((c) => Object.keys(c));
        const bound =
          keysUsed.includes('aws:SourceAccount') ||
          keysUsed.includes('aws:SourceArn') ||
          keysUsed.includes('kms:EncryptionContext:aws:logs:arn');
        expect({ key: s.id, service: s.service, bound }).toEqual({ key: s.id, service: s.service, bound: true });
      }
    });

    it('encrypts the ID&V state machine with a customer-managed, rotating key', () => {
      stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        EncryptionConfiguration: {
          Type: 'CUSTOMER_MANAGED_KMS_KEY',
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExecutionKey'), 'Arn'] },
          KmsDataKeyReusePeriodSeconds: Duration.minutes(5).toSeconds(),
        },
      });
      stateless.hasResourceProperties('AWS::KMS::Key', {
        Description: 'Card tokenization ID&V executions',
        EnableKeyRotation: true,
      });
    });
  });

  describe('event intake', () => {
    it('accepts only events from the Pismo source (a context value), dead-lettering what cannot be delivered', () => {
      const rule = (t: Template) =>
        Object.values(t.findResources('AWS::Events::Rule')).find((r) => r.Properties.EventPattern)?.Properties;
      expect(rule(stateless)).toMatchObject({
        EventPattern: {
          source: [{ prefix: 'aws.partner/pismo.io' }],
          detail: { domain: ['cards-tokenization', 'cards', 'cardsonfile'] },
        },
        Targets: [expect.objectContaining({ DeadLetterConfig: { Arn: expect.anything() } })],
      });
      const other = Template.fromStack(
        build({ 'tokenization:pismoEventSource': 'aws.partner/pismo.io/acme' }).stateless,
      );
      expect(rule(other)?.EventPattern.source).toEqual([{ prefix: 'aws.partner/pismo.io/acme' }]);
    });

    it('dead-letters SNS deliveries that fail', () => {
      stateless.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PismoEventsDlq'), 'Arn'] } },
      });
    });
  });

  describe('cdk-nag', () => {
    it('runs the Serverless pack on the app (an unacknowledged Serverless finding fails synth)', () => {
      const { app, stateless: stack } = build();
      new Queue(stack, 'NoRedrive', { enforceSSL: true });
      expect(() => app.synth()).toThrow(/Serverless-SQSRedrivePolicy/);
    });
  });
});
