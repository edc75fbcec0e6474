import { fork } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { DynaliteReply, DynaliteRequest } from './dynalite-process';
import type { LocalTable } from '../model/model';

/** A running dynalite endpoint. */
export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** Where dynalite runs: its own process (the default) or this one. */
  mode: DynaliteMode;
  /** The child's process id (own-process mode). */
  pid?: number;
  /** DynamoDB API calls served since start (or the last reset), by operation name. */
  calls(): Promise<Map<string, number>>;
  resetCalls(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `process`: a child process, so the stand-in's CPU (~1.2–1.6 ms per call) runs on another core
 * than the gateway and the handlers. `in-process`: the former layout, kept to measure the difference;
 * in memory only (nothing here could keep LevelDB's files 0600, the child's umask does).
 */
export type DynaliteMode = 'process' | 'in-process';

/**
 * Starts dynalite on loopback; persisted under `dir` when given (files 0600), else in memory.
 * The child process exits with its parent, even one that is killed (its IPC channel closes).
 */
export async function startDynalite(dir?: string, mode: DynaliteMode = 'process'): Promise<LocalDynamo> {
  const { port, pid, calls, resetCalls, close } = mode === 'process' ? await forkDynalite(dir) : await listenHere(dir);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint,
    client,
    mode,
    pid,
    calls,
    resetCalls,
    stop: async () => {
      client.destroy();
      await close();
    },
  };
}

interface Running {
  port: number;
  pid?: number;
  calls(): Promise<Map<string, number>>;
  resetCalls(): Promise<void>;
  close(): Promise<void>;
}

async function forkDynalite(dir?: string): Promise<Running> {
  // The child is TypeScript: load it through tsx's CommonJS hook, under `npm start`, the bench and jest alike.
  const child = fork(path.join(__dirname, 'dynalite-process.ts'), [JSON.stringify({ dir })], {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`dynalite process exited (${code}) before listening`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', (m: DynaliteReply) => {
      if (m.type !== 'ready') return;
      child.off('exit', onExit);
      resolve(m.port);
    });
  });
  const pending = new Map<number, (calls: Map<string, number>) => void>();
  let nextId = 0;
  child.on('message', (m: DynaliteReply) => {
    if (m.type !== 'calls') return;
    pending.get(m.id)?.(new Map(Object.entries(m.calls)));
    pending.delete(m.id);
  });
  const send = (m: DynaliteRequest) => child.send(m);
  // Answered over IPC: awaiting the answer orders a reset before the HTTP calls that follow it.
  const calls = (reset: boolean) =>
    new Promise<Map<string, number>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      send({ type: 'calls', id, reset });
    });
  return {
    port,
    pid: child.pid,
    calls: () => calls(false),
    resetCalls: async () => {
      await calls(true);
    },
    close: async () => {
      if (child.exitCode === null && child.connected) send({ type: 'stop' });
      await exited;
    },
  };
}

async function listenHere(dir?: string): Promise<Running> {
  if (dir) throw new Error('dynalite in-process runs in memory only; persist with the default (own process)');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const calls = new Map<string, number>();
  server.on('request', (req: IncomingMessage) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    calls.set(op, (calls.get(op) ?? 0) + 1);
  });
  return {
    port: (server.address() as AddressInfo).port,
    calls: async () => new Map(calls),
    resetCalls: async () => calls.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
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
    // As with DynamoDB, a new table takes writes only once ACTIVE; under load dynalite's creation delay
    // outlasted a test's first write (ResourceNotFoundException).
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 0.05, maxDelay: 0.2 }, { TableName: table.name });
  }
}
