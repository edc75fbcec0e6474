import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TRACE_ENABLED_ENV, traced } from '../../shared/adapters/observability/tracer';
import { build } from './build-stacks';

const ROOT = path.resolve(__dirname, '..', '..');
const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation - build';

/** Runs `fn` with these variables set (undefined: unset), restoring the environment after. */
function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    process.env = saved;
  }
}

function middlewareOf(client: DynamoDBClient | SNSClient): string[] {
  return client.middlewareStack.identify();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

describe('observability', () => {
  describe('traced (Powertools Tracer on AWS SDK clients)', () => {
    it('records SDK calls as X-Ray subsegments when tracing is enabled on the Lambda runtime', () => {
      const env = { POWERTOOLS_TRACE_ENABLED: 'true', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };
      const client = withEnv(env, () => traced(new DynamoDBClient({ region: 'us-east-1' })));
      expect(middlewareOf(client)).toContain(XRAY_MIDDLEWARE);
    });

    it.each([
      [
        'the flag is unset (tests)',
        { POWERTOOLS_TRACE_ENABLED: undefined, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
      ],
      [
        'the process is no Lambda runtime (local stack)',
        { POWERTOOLS_TRACE_ENABLED: 'true', AWS_EXECUTION_ENV: undefined },
      ],
    ])('leaves the client untouched when %s', (_, env) => {
      const client = new SNSClient({ region: 'us-east-1' });
      const before = middlewareOf(client);
      expect(withEnv(env, () => traced(client))).toBe(client);
      expect(middlewareOf(client)).toEqual(before);
    });

    it('wraps every AWS SDK client where shared/ and functions/ create it', () => {
      const creation = /new (?:[\w$]+\.)?(DynamoDB|SFN|SNS|SESv2|SecretsManager|KMS)Client\(/g;
      const sites: string[] = [];
      for (const file of [...sourceFiles('shared'), ...sourceFiles('functions')]) {
        const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
        lines.forEach((line, i) => {
          for (const m of line.matchAll(creation)) {
            sites.push(`${file}:${i + 1}`);
            const before = line.slice(0, m.index);
            expect({ site: `${file}:${i + 1}`, traced: before.endsWith('traced(') }).toEqual({
              site: `${file}:${i + 1}`,
              traced: true,
            });
          }
        });
      }
      // The five client types are all created somewhere (the scan sees them).
      expect(sites.length).toBeGreaterThanOrEqual(7);
    });

    it.each([
      [{}, 'true'],
      [{ 'tokenization:sdkTracing': 'false' }, 'false'],
    ])('is switched on for every deployed function unless the context says otherwise (%j)', (context, value) => {
      const fns = Template.fromStack(build(context).stateless).findResources('AWS::Lambda::Function', {
        Metadata: { 'local:entry': Match.anyValue() },
      });
      expect(Object.keys(fns).length).toBeGreaterThan(10);
      for (const fn of Object.values(fns))
        expect(fn.Properties.Environment.Variables).toMatchObject({ [TRACE_ENABLED_ENV]: value });
    });
  });
});
