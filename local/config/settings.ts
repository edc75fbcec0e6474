/**
 * local/config: what `npm start` and the local CLIs (`npm run dev-token`, `npm run pismo`) share:
 * where local state lives (`.local/`, git-ignored), the port, the internal API's audience. This module
 * imports neither the CDK app nor the handlers, so the CLIs start instantly. `private-files.ts` keeps
 * the local state owner-only (0600 files in 0700 directories).
 */
import * as path from 'node:path';
import cdkJson from '../../cdk.json';
import { CARDHOLDER_JWT_AUDIENCE_DEFAULT, contextString, INTERNAL_API_DEFAULTS } from '../../infra/context-defaults';

/** The local MDES customer id (CID) of the demo issuer. */
export const LOCAL_MDES_CUSTOMER = 'CID-DEMO';

/** Repository-local state directory (git-ignored). */
export const LOCAL_DIR = path.resolve(__dirname, '..', '..', '.local');

/** The Pismo simulator's persisted signing key, shared by `npm start` and `npm run pismo`. */
export const PISMO_KEY_FILE = path.join(LOCAL_DIR, 'pismo-signing-key.json');

/** The dev issuer's persisted key, shared by `npm start` and `npm run dev-token`. */
export const DEV_ISSUER_KEY_FILE = path.join(LOCAL_DIR, 'dev-issuer.json');

/** The cardholder messages the local SNS/SES stand-ins deliver (the cardholder's phone and mailbox). */
export const OUTBOX_FILE = path.join(LOCAL_DIR, 'outbox.jsonl');

/** The port `npm start` serves on: `PORT`, default 3000. */
export function localPort(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.PORT ?? 3000);
}

/** The local gateway's base URL for the CLIs: `http://127.0.0.1:$PORT`. */
export function localGatewayUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${localPort(env)}`;
}

/**
 * The audience of the internal API's JWT authorizer, read from `cdk.json` with the app's own default
 * (no synthesis). The local stack overrides only the issuer, so this is the template's audience; a
 * test compares it with the synthesized authorizer.
 */
export function internalApiAudience(): string {
  return contextString(cdkJson.context, 'jwtAudience', INTERNAL_API_DEFAULTS.jwtAudience);
}

/** The audience of the cardholder JWT authorizer (the issuer's app), from `cdk.json` with the app's default. */
export function cardholderApiAudience(): string {
  return contextString(cdkJson.context, 'cardholderJwtAudience', CARDHOLDER_JWT_AUDIENCE_DEFAULT);
}
