import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { LocalTable } from './local-model';

/** A running dynalite endpoint. */
export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** DynamoDB API calls served since start (or the last reset), by operation name. */
  calls: Map<string, number>;
  stop(): Promise<void>;
}

/** Starts dynalite on loopback; persisted under `dir` when given, else in memory. */
export async function startDynalite(dir?: string): Promise<LocalDynamo> {
  if (dir) mkdirSync(dir, { recursive: true });
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const calls = new Map<string, number>();
  server.on('request', (req: IncomingMessage) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    calls.set(op, (calls.get(op) ?? 0) + 1);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint,
    client,
    calls,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function createInput(table: LocalTable): CreateTableCommandInput {
  const p = table.properties as Record<string, unknown>;
  const gsis = (p.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined) ?? [];
  return {
    TableName: table.name,
    KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: gsis.length
      ? gsis.map((g) => ({
          IndexName: String(g.IndexName),
          KeySchema: g.KeySchema as NonNullable<CreateTableCommandInput['KeySchema']>,
          Projection: g.Projection as { ProjectionType: 'ALL' },
        }))
      : undefined,
  };
}

/**
 * Creates each table as the template declares it (keys and GSIs; KMS, PITR and TTL have no local
 * meaning). A persisted table whose indexes no longer match the template is recreated.
 */
export async function ensureTables(client: DynamoDBClient, tables: LocalTable[], log: (m: string) => void = () => {}) {
  for (const table of tables) {
    const wanted = createInput(table);
    try {
      const existing = await client.send(new DescribeTableCommand({ TableName: table.name }));
      const have = (existing.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort();
      const want = (wanted.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort();
      if (JSON.stringify(have) === JSON.stringify(want)) continue;
      log(`table ${table.name}: indexes changed in the template, recreating the local table`);
      await client.send(new DeleteTableCommand({ TableName: table.name }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    await client.send(new CreateTableCommand(wanted));
  }
}
