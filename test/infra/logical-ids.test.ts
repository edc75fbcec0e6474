import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { build } from './build-stacks';

/**
 * Resources that hold data or state (or are retained on delete): a new logical ID makes
 * CloudFormation create a new one and delete (or orphan) the old one, losing the table's items, the
 * queues' messages, the keys' ciphertexts, the secrets, the topics' subscriptions, the retained log
 * groups' history and running executions. A refactor of the constructs must keep these ids; a
 * deliberate change (or a new resource) updates this list in the same commit.
 */
const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::Logs::LogGroup',
  'AWS::StepFunctions::StateMachine',
  'AWS::S3::Bucket',
];

/** Logical IDs of the stateful resources of a stack, by type (types without one left out). */
function statefulIds(stack: Stack): Record<string, string[]> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  const byType: Record<string, string[]> = {};
  for (const type of STATEFUL_TYPES) {
    const ids = Object.entries(resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id)
      .sort();
    if (ids.length > 0) byType[type] = ids;
  }
  return byType;
}

const FUNCTION_LOGS = [
  'ConsumePismoEventsLogs0A46B239',
  'CustomerServiceLogs8E0A9D98',
  'DecideTokenizationLogs3DC03AC1',
  'IdvWorkflowAwaitOtpActivationFnLogsFB3B9151',
  'IdvWorkflowDeliverOtpFnLogs26129B0D',
  'IdvWorkflowNotifyCardAddedFnLogsF1609043',
  'IdvWorkflowReviewAbandonedTokenFnLogsD3ACDD15',
  'IdvWorkflowSettleChallengeFnLogs3B80A927',
  'IngestPismoEventLogsBD20D456',
  'LifecycleLogs30D5DD74',
  'MonitorMdesKeysLogs02BDEF32',
  'ReadTokensLogsD3829524',
  'ReconciliationReconciliationApiLogs56D21ECD',
  'ReconciliationReconciliationSweepLogsB6808E2A',
  'ReconciliationScheduledReconciliationLogsDA97B28C',
  'ReconciliationSweepLogs54BEF974',
  'ResendChallengeLogsDAB8E925',
  'RotateMdesKeysLogs07C5A0E0',
];

describe('logical IDs of stateful resources (a change replaces the resource)', () => {
  it('stateful stack: table, keys and secrets', () => {
    expect(statefulIds(build().stateful)).toEqual({
      'AWS::DynamoDB::Table': ['Tokens1180AAEA'],
      'AWS::KMS::Key': ['KeysKey6A759AB6', 'LogKeyE83D0C1B', 'OtpKeyE2075449', 'TableKeyF581D96F'],
      'AWS::SecretsManager::Secret': ['CursorKey255E8F8A', 'MdesKeysdefaultA9B0E1BE', 'PismoClientSecret6E69BD3A'],
    });
  });

  it('stateless stack: queues, topics, keys, log groups and the ID&V state machine', () => {
    expect(statefulIds(build().stateless)).toEqual({
      'AWS::KMS::Key': [
        'CardLifecycleExecutionKey72CF1AAD',
        'IdvWorkflowExecutionKey38691A10',
        'MessagingKey9A79A2B1',
        'TopicKeyB2E0C9CB',
      ],
      'AWS::SQS::Queue': ['PismoEventsDlq5CDAED26', 'PismoEventsQueueCDD4671C'],
      'AWS::SNS::Topic': ['OperatorAlarms0A66BB52', 'PismoEventsTopic4C95078C'],
      'AWS::Logs::LogGroup': [
        'ApiAccessLogsE9DF007D',
        ...FUNCTION_LOGS,
        'IdvWorkflowLogsB7881617',
        'CardLifecycleActOnCardTokenFnLogsD5F69498',
        'CardLifecycleLogsD4BA4117',
        'CardLifecyclePlanCardChangeFnLogsD74B7925',
        'CardholderLogsBB786D2D',
      ].sort(),
      'AWS::StepFunctions::StateMachine': [
        'CardLifecycleStateMachine6B45C05A',
        'IdvWorkflowStateMachine81DE793B',
        'ReconciliationSweepStateMachineACA10BEE',
      ],
      'AWS::S3::Bucket': ['ReconciliationExports0D6D2C76'],
    });
  });

  it('with the edge: the origin-verify logs in the stateless stack; the edge stack', () => {
    const stacks = build({
      'tokenization:apiOriginDomain': 'abc123.execute-api.eu-west-1.amazonaws.com',
      'tokenization:pismoSourceRanges': '203.0.113.0/24',
      'tokenization:internalSourceRanges': '10.0.0.0/8',
    });
    expect(statefulIds(stacks.stateless)['AWS::Logs::LogGroup']).toContain('OriginVerifyVerifyOriginLogsE8D4D547');
    if (!stacks.edge) throw new Error('no edge stack');
    expect(statefulIds(stacks.edge)).toEqual({
      'AWS::KMS::Key': ['EdgeLogKey293A9817'],
      'AWS::SecretsManager::Secret': ['EdgeOriginSecretC4CB396E'],
      'AWS::Logs::LogGroup': ['EdgeWafLogsA541426F'],
      'AWS::S3::Bucket': ['EdgeAccessLogsC159D9EF'],
    });
  });
});
