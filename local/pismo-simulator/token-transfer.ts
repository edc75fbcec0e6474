import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventCallback, PismoTokenOperationsSimulator } from './token-operations';

/**
 * Pismo's "Transfer card tokens to other card" (the PAN update of a reissue), on the simulator's
 * token store: `POST /cards-tokenization/v1/cards/{oldCardId}/network-tokens/pan-update` with
 * `{ new_card_id }` (the adapter's unconfirmed reading: PISMO_TOKEN_OPERATIONS_UNCONFIRMED.transferTokens)
 * and an account token. It answers 202, moves the old card's ACTIVE and SUSPENDED tokens to the new
 * card, then emits the `cards-tokenization` `pan_update` event Pismo would (SUCCESS with the migrated
 * tokens), delivered like the `patch` events (the token-operations simulator's `onEvent`). Tests make
 * the next transfers fail (`failNext`: a FAILURE event, nothing moved). Registered in server.ts.
 */

/** A `cards-tokenization` `pan_update` event, as documented (schema version 1). */
export interface PismoPanUpdateEvent {
  event_id: string;
  domain: 'cards-tokenization';
  event_type: 'pan_update';
  schema_version: 1;
  org_id: string;
  cid: string;
  timestamp: string;
  data: {
    account_id: number;
    old_card_id: number;
    new_card_id: number;
    migrated_tokens: number[];
    status: 'SUCCESS' | 'FAILURE';
    reason: string | null;
    reason_code: string | null;
  };
}

/** What the transfer endpoint saw and did, per token-operations simulator. */
export interface TokenTransferState {
  requests: { at: string; status: number; oldCardId: string; newCardId?: string }[];
  events: { event: PismoPanUpdateEvent; delivered: boolean | 'pending'; error?: string }[];
  /** The next n accepted transfers fail (a FAILURE event; no token moves). */
  failNext: number;
}

/** The simulator the endpoint runs on: its token store and how it signs a webhook (the PismoSimulator). */
export interface TransferHost {
  tokenOperations: PismoTokenOperationsSimulator;
  headers(body: string, options?: { audience?: string }): Promise<Record<string, string>>;
}

const states = new WeakMap<PismoTokenOperationsSimulator, TokenTransferState>();

/** The transfer endpoint's state for this token store (created on first use). */
export function tokenTransfers(ops: PismoTokenOperationsSimulator): TokenTransferState {
  let state = states.get(ops);
  if (!state) {
    state = { requests: [], events: [], failNext: 0 };
    states.set(ops, state);
  }
  return state;
}

const PATH = /^\/cards-tokenization\/v1\/cards\/([^/]+)\/network-tokens\/pan-update$/;

/**
 * The token-operations simulator's account-token and card checks (private there: this endpoint
 * lives in its own file so that one stays as it is). They throw its errors, `{ status, errorCode }`.
 */
type Checks = { authenticate(req: IncomingMessage): string; checkCard(accountId: string, cardId: string): void };

/** Serves the request when it is a transfer (true), else leaves it (false). */
export function handleTokenTransfer(host: TransferHost, req: IncomingMessage, res: ServerResponse): boolean {
  const m = req.method === 'POST' ? (req.url ?? '').split('?')[0]?.match(PATH) : null;
  if (!m) return false;
  const ops = host.tokenOperations;
  const state = tokenTransfers(ops);
  const log: TokenTransferState['requests'][number] = {
    at: new Date().toISOString(),
    status: 0,
    oldCardId: decodeURIComponent(m[1] ?? ''),
  };
  state.requests.push(log);
  const reply = (status: number, body?: unknown) => {
    log.status = status;
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const checks = ops as unknown as Checks;
      const accountId = checks.authenticate(req);
      checks.checkCard(accountId, log.oldCardId);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as Record<string, unknown>;
      } catch {
        return reply(400, { error_code: 'INVALID_BODY', message: 'the body must be a JSON object' });
      }
      const to = body?.new_card_id;
      if ((typeof to !== 'number' && typeof to !== 'string') || !/^[1-9]\d{0,18}$/.test(String(to)))
        return reply(400, { error_code: 'INVALID_NEW_CARD_ID', message: 'new_card_id must be a Pismo card id' });
      log.newCardId = String(to);
      if (log.newCardId === log.oldCardId)
        return reply(422, { error_code: 'SAME_CARD', message: 'the new card must differ from the old one' });
      const fail = state.failNext > 0;
      if (fail) state.failNext--;
      const moved = fail
        ? []
        : [...ops.tokens.values()].filter(
            (t) => t.cardId === log.oldCardId && (t.status === 'ACTIVE' || t.status === 'SUSPENDED'),
          );
      for (const t of moved) {
        t.cardId = log.newCardId;
        t.history.push({ operation: 'PAN_UPDATE', status: t.status });
      }
      reply(202);
      emit(host, state, {
        account_id: Number(accountId),
        old_card_id: Number(log.oldCardId),
        new_card_id: Number(log.newCardId),
        migrated_tokens: moved.map((t) => Number(t.tokenId)),
        status: fail ? 'FAILURE' : 'SUCCESS',
        reason: fail ? 'Error processing request' : null,
        reason_code: fail ? 'SIM7655' : null,
      });
    } catch (err) {
      const e = err as { status?: number; errorCode?: string; message?: string };
      reply(e.status ?? 500, { error_code: e.errorCode ?? 'SIMULATOR_ERROR', message: e.message ?? String(err) });
    }
  });
  return true;
}

/** The `pan_update` event of a transfer, delivered in the background to the `onEvent` target. */
function emit(host: TransferHost, state: TokenTransferState, data: PismoPanUpdateEvent['data']): void {
  const event: PismoPanUpdateEvent = {
    event_id: randomUUID(),
    domain: 'cards-tokenization',
    event_type: 'pan_update',
    schema_version: 1,
    org_id: 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6',
    cid: randomUUID(),
    timestamp: new Date().toISOString(),
    data,
  };
  const entry: TokenTransferState['events'][number] = { event, delivered: 'pending' };
  state.events.push(entry);
  const target: EventCallback | undefined = host.tokenOperations.onEvent;
  const deliver = async () => {
    if (!target) throw new Error('no callback configured');
    // The callback types the token-operations' own events; a pan_update is another Pismo event.
    if (typeof target === 'function') return target(event as never);
    const body = JSON.stringify(event);
    const headers = await host.headers(body, { audience: new URL(target).pathname });
    const res = await fetch(target, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
    await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };
  deliver().then(
    () => (entry.delivered = true),
    (err: unknown) => {
      entry.delivered = false;
      entry.error = err instanceof Error ? err.message : String(err);
    },
  );
}
