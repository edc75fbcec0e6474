import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateTableCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { startDynalite } from '../../../local/aws/dynamodb';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local DynamoDB stand-in', () => {
  describe('in its own process', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'dynalite-test-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps every persisted file owner-only and counts the calls it served', async () => {
      const dynamo = await startDynalite(dir);
      try {
        await dynamo.client.send(
          new CreateTableCommand({
            TableName: 'tokens',
            KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        // A new table takes writes once ACTIVE (as in DynamoDB); under load that is not immediate.
        await waitUntilTableExists(
          { client: dynamo.client, maxWaitTime: 60, minDelay: 0.05, maxDelay: 0.2 },
          { TableName: 'tokens' },
        );
        await dynamo.client.send(new PutItemCommand({ TableName: 'tokens', Item: { PK: { S: 'a' } } }));
        expect((await dynamo.calls()).get('PutItem')).toBe(1);
        await dynamo.resetCalls();
        expect((await dynamo.calls()).size).toBe(0);
      } finally {
        await dynamo.stop();
      }
      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    });

    it('leaves no process behind when stopped', async () => {
      const dynamo = await startDynalite();
      const pid = dynamo.pid ?? 0;
      expect(alive(pid)).toBe(true);
      await dynamo.stop();
      expect(alive(pid)).toBe(false);
    });
  });
});
