import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import cdkJson from '../../cdk.json';
import { buildApp } from '../../infra/build-app';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
type Policy = { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } };

/** The KMS actions each role may use on the OTP key, by the logical id of the role. */
function otpKeyActionsByRole(template: Template): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as Policy[]) {
    for (const st of policy.Properties.PolicyDocument.Statement) {
      if (!JSON.stringify(st.Resource ?? null).includes('OtpKey')) continue;
      const role = policy.Properties.Roles[0]?.Ref ?? '?';
      out[role] = [...(out[role] ?? []), ...[st.Action].flat()];
      expect(st.Condition).toEqual({
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['challengeId', 'tokenId'] },
      });
    }
  }
  return out;
}

describe('OTP key (ID&V codes sealed at rest)', () => {
  it('lets the two ingestion functions only seal and the delivery step only open, bound to a challenge', () => {
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const { stateful, stateless } = buildApp(app);
    Template.fromStack(stateful).hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { Description: 'Card tokenization ID&V codes sealed until delivery', EnableKeyRotation: true },
    });
    const byRole = otpKeyActionsByRole(Template.fromStack(stateless));
    const roles = Object.keys(byRole).sort();
    expect(roles).toHaveLength(3);
    expect(roles.filter((r) => r.startsWith('IdvWorkflowDeliverOtpFn'))).toHaveLength(1);
    for (const [role, actions] of Object.entries(byRole)) {
      if (role.startsWith('IdvWorkflowDeliverOtpFn')) expect(actions).toEqual(['kms:Decrypt']);
      else {
        expect(role).toMatch(/^(ConsumePismoEvents|IngestPismoEvent)/);
        expect(actions).toEqual(['kms:Encrypt']);
      }
    }
  });
});
