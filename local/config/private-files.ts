import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The local stack's files hold what production keeps in KMS-encrypted stores: the outbox carries
 * cardholder messages (codes, phone numbers), the DynamoDB stand-in the token store, the secrets file
 * private keys. They are the owner's only: 0600 files in 0700 directories.
 */

/**
 * Makes every file and directory this process (and any child it spawns, such as a DynamoDB
 * stand-in in its own process) creates from now on owner-only, whatever library writes it. A umask
 * rather than a `mode` on each write, because LevelDB's files are created inside dynalite.
 */
export function createPrivateFilesFromNowOn(): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; the explicit modes below still apply.
  }
}

/** Tightens what an earlier version left readable: every file under `root` to 0600, directories to 0700. */
export function makeTreePrivate(root: string): void {
  if (!existsSync(root)) return;
  const stat = statSync(root);
  if (!stat.isDirectory()) {
    chmodSync(root, 0o600);
    return;
  }
  chmodSync(root, 0o700);
  for (const entry of readdirSync(root)) makeTreePrivate(path.join(root, entry));
}
