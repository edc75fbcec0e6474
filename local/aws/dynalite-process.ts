import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import dynalite from 'dynalite';

/**
 * The DynamoDB stand-in's own process (forked by `startDynalite`): dynalite costs ~1.2–1.6 ms of CPU
 * per call, so in the stack's process it competed with the gateway and the handlers for one core.
 * Here it runs on the other one. Protocol (IPC): the parent sends `{ dir? }` as argv[2]; the child
 * answers `{ type: 'ready', port }`, then serves `calls` (optionally resetting them) and `stop` messages.
 */

/** Messages the parent sends. */
export type DynaliteRequest = { type: 'calls'; id: number; reset?: boolean } | { type: 'stop' };

/** Messages the child sends. */
export type DynaliteReply =
  { type: 'ready'; port: number } | { type: 'calls'; id: number; calls: Record<string, number> } | { type: 'stopped' };

/** Files under the data directory are the table's contents: owner-only, whatever existed before. */
function restrict(dir: string): void {
  chmodSync(dir, 0o700);
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) restrict(file);
    else chmodSync(file, 0o600);
  }
}

function main(): void {
  const send = (m: DynaliteReply) => process.send?.(m);
  const { dir } = JSON.parse(process.argv[2] ?? '{}') as { dir?: string };
  // LevelDB creates its files as it goes (logs, tables, manifests): the umask keeps every one 0600.
  process.umask(0o077);
  if (dir) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    restrict(dir);
  }
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const calls = new Map<string, number>();
  server.on('request', (req: IncomingMessage) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    calls.set(op, (calls.get(op) ?? 0) + 1);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      send({ type: 'stopped' });
      process.exit(0);
    });
  };
  process.on('message', (m: DynaliteRequest) => {
    if (m.type === 'calls') {
      send({ type: 'calls', id: m.id, calls: Object.fromEntries(calls) });
      if (m.reset) calls.clear();
    } else if (m.type === 'stop') stop();
  });
  // The parent is gone (exited, crashed or was killed): never outlive it.
  process.on('disconnect', () => (stopping ? undefined : process.exit(0)));
  server.once('error', (err) => {
    console.error(err);
    process.exit(1);
  });
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }));
}

main();
