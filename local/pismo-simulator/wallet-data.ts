import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PismoTokenOperationsSimulator } from './token-operations';

/**
 * A local Pismo for push provisioning ("Pre-digitalization": encrypted card data for Apple Pay,
 * Google Pay, Samsung Pay) and card on file (Pismo's digital wallet: create, list, update status).
 * Account tokens are the token-operations simulator's (same OAuth endpoint, same 401s). Strict on
 * input: Apple's certificates, nonce and nonce signature must be present and base64 (the
 * certificates DER: a SEQUENCE), the card number Luhn-valid, the CVV 3-4 digits, the expiry `mmyy`.
 * Answers carry realistic fake data: random bytes of each field's real size, base64, and never a
 * card number. Paths and names follow the adapters' unconfirmed readings
 * (shared/adapters/pismo/push-provisioning.ts, card-on-file.ts). Nothing it receives is logged or
 * kept but a card on file's last four digits (the `provision-1` event carries the expiry, as
 * Pismo's does).
 */

export type WalletDataRoute =
  'applePay' | 'googlePay' | 'samsungPay' | 'createCardOnFile' | 'listCardsOnFile' | 'updateCardOnFile';

/** One card on file the simulated Pismo holds (no PAN, no CVV, no expiry). */
export interface SimCardOnFile {
  cardUuid: string;
  accountId: string;
  cardId: string;
  cardName: string;
  status: 'PENDING' | 'ACTIVE' | 'SUSPENDED';
  lastFour: string;
  createdAt: string;
}

/** One request as the simulator saw it (no body, no token). */
export interface WalletDataRequestLog {
  at: string;
  route: WalletDataRoute;
  status: number;
  cardId?: string;
}

/** A fault injected into one route: answer `status` (with `errorCode`), or never answer (`timeout`). */
export interface WalletDataFault {
  kind: 'status' | 'timeout';
  status?: number;
  errorCode?: string;
  times?: number;
}

/** `cardsonfile` events the simulated Pismo emits (provision-1 on create, patch-cards-1 on update). */
export interface PismoCardOnFileEvent {
  event_id: string;
  domain: 'cardsonfile';
  event_type: 'provision-1' | 'patch-cards-1';
  schema_version: 1;
  org_id: string;
  cid: string;
  timestamp: string;
  data: Record<string, unknown>;
}

class WalletSimError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isBase64 = (v: unknown): v is string => typeof v === 'string' && v.length >= 4 && BASE64.test(v);
const b64 = (bytes: number) => randomBytes(bytes).toString('base64');
const luhn = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
};

export class PismoWalletDataSimulator {
  readonly cardsOnFile = new Map<string, SimCardOnFile>();
  readonly requests: WalletDataRequestLog[] = [];
  readonly events: PismoCardOnFileEvent[] = [];
  /** Told of every `cardsonfile` event (the local stack may post it to the events route). */
  onEvent?: (event: PismoCardOnFileEvent) => void | Promise<void>;
  private readonly faults = new Map<WalletDataRoute, WalletDataFault>();

  constructor(private readonly tokenOperations: PismoTokenOperationsSimulator) {}

  injectFault(route: WalletDataRoute, fault: WalletDataFault): void {
    this.faults.set(route, { ...fault });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  requestsTo(route: WalletDataRoute): number {
    return this.requests.filter((r) => r.route === route).length;
  }

  /** Serves the request when it is one of ours (true), else leaves it (false). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const push = path.match(
      /^\/cards-tokenization\/v1\/cards\/([^/]+)\/network-tokens\/push-provisioning\/wallets\/(applepay|googlepay|samsungpay)$/,
    );
    let route: WalletDataRoute | undefined;
    if (push && req.method === 'POST')
      route = ({ applepay: 'applePay', googlepay: 'googlePay', samsungpay: 'samsungPay' } as const)[
        push[2] as 'applepay'
      ];
    else if (path === '/wallet/v3/cards-on-file' && req.method === 'POST') route = 'createCardOnFile';
    else if (path === '/wallet/v1/cards-on-file' && req.method === 'GET') route = 'listCardsOnFile';
    else if (path === '/wallet/v1/cards-on-file' && req.method === 'PATCH') route = 'updateCardOnFile';
    if (!route) return false;
    const log: WalletDataRequestLog = { at: new Date().toISOString(), route, status: 0 };
    if (push) log.cardId = decodeURIComponent(push[1] ?? '');
    this.requests.push(log);
    this.serve(route, req, res, log).catch((err: unknown) => {
      if (!res.headersSent) this.reply(res, log, 500, { error_code: 'SIMULATOR_ERROR', message: String(err) });
    });
    return true;
  }

  private reply(res: ServerResponse, log: WalletDataRequestLog, status: number, body?: unknown): void {
    log.status = status;
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private async serve(
    route: WalletDataRoute,
    req: IncomingMessage,
    res: ServerResponse,
    log: WalletDataRequestLog,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const fault = this.faults.get(route);
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) this.faults.delete(route);
      if (fault.kind === 'timeout') return;
      const status = fault.status ?? 500;
      return this.reply(res, log, status, {
        error_code: fault.errorCode ?? 'INTERNAL_ERROR',
        message: 'injected fault',
      });
    }
    let result: { status: number; body?: unknown };
    try {
      const accountId = this.tokenOperations.authenticate(req);
      if (route === 'listCardsOnFile') result = this.list(accountId);
      else {
        const body = this.parseBody(raw);
        if (route === 'createCardOnFile') result = this.create(accountId, body);
        else if (route === 'updateCardOnFile') result = this.update(accountId, body);
        else {
          this.tokenOperations.checkCard(accountId, log.cardId ?? '');
          result = this.pushData(route, log.cardId ?? '', body);
        }
      }
    } catch (err) {
      const e = err as { status?: unknown; errorCode?: unknown; message?: unknown };
      if (typeof e.status !== 'number' || typeof e.errorCode !== 'string') throw err;
      result = { status: e.status, body: { error_code: e.errorCode, message: String(e.message) } };
    }
    this.reply(res, log, result.status, result.body);
  }

  private parseBody(raw: string): Record<string, unknown> {
    try {
      const body = JSON.parse(raw) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw new WalletSimError(400, 'INVALID_BODY', 'the body must be a JSON object');
  }

  /** The network of a card as the simulated Pismo knows it (from its tokens), if any. */
  private networkOf(cardId: string): 'vts' | 'mdes' | undefined {
    return [...this.tokenOperations.tokens.values()].find((t) => t.cardId === cardId)?.network;
  }

  private pushData(route: WalletDataRoute, cardId: string, body: Record<string, unknown>) {
    const additional_info = {
      name: 'Daniel Kanczuk',
      printed_name: 'DANIEL KANCZUK',
      last_4_digits: cardId.slice(-4).padStart(4, '0'),
      address: 'Rua Exemplo 100',
      city: 'Belo Horizonte',
      state: 'MG',
      country: 'BR',
      phone: '+5531988881234',
    };
    if (route === 'applePay') {
      const certs = body.certificates;
      if (!Array.isArray(certs) || certs.length === 0)
        throw new WalletSimError(400, 'INVALID_CERTIFICATES', 'certificates (leaf and sub-CA) are required');
      for (const c of certs)
        if (!isBase64(c) || Buffer.from(c, 'base64')[0] !== 0x30)
          throw new WalletSimError(400, 'INVALID_CERTIFICATES', 'each certificate must be base64 DER');
      if (!isBase64(body.nonce)) throw new WalletSimError(400, 'INVALID_NONCE', 'nonce must be base64');
      if (!isBase64(body.nonce_signature))
        throw new WalletSimError(400, 'INVALID_NONCE_SIGNATURE', 'nonce_signature must be base64');
      return {
        status: 200,
        body: {
          push_data: {
            // EC P-256 uncompressed point (65 bytes), JWE-size pass data, activation data.
            ephemeralPublicKey: Buffer.concat([Buffer.from([4]), randomBytes(64)]).toString('base64'),
            encryptedData: b64(432),
            activationData: b64(48),
          },
          additional_info,
        },
      };
    }
    const id = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9._:+/=-]{1,128}$/.test(v);
    if (route === 'googlePay') {
      if (!id(body.wallet_account_id) || !id(body.device_id))
        throw new WalletSimError(400, 'INVALID_DEVICE', 'wallet_account_id and device_id are required');
      return { status: 200, body: { push_data: { opaque_payment_card: b64(640) }, additional_info } };
    }
    if (!id(body.device_id) || !id(body.wallet_user_id))
      throw new WalletSimError(400, 'INVALID_DEVICE', 'device_id and wallet_user_id are required');
    if (this.networkOf(cardId) === 'mdes')
      throw new WalletSimError(422, 'WALLET_NOT_SUPPORTED', 'Samsung Pay push provisioning is only available for Visa');
    return { status: 200, body: { push_data: { encryptedData: b64(512) }, additional_info, has_address_info: true } };
  }

  private create(accountId: string, body: Record<string, unknown>) {
    const pan = body.number;
    if (typeof pan !== 'string' || !/^\d{12,19}$/.test(pan) || !luhn(pan))
      throw new WalletSimError(400, 'INVALID_CARD_NUMBER', 'the card number is invalid');
    if (typeof body.cvv !== 'string' || !/^\d{3,4}$/.test(body.cvv))
      throw new WalletSimError(400, 'INVALID_CVV', 'cvv must be 3 or 4 digits');
    if (typeof body.expiration_date !== 'string' || !/^(0[1-9]|1[0-2])\d{2}$/.test(body.expiration_date))
      throw new WalletSimError(400, 'INVALID_EXPIRATION_DATE', 'expiration_date must be mmyy');
    if (typeof body.card_name !== 'string' || typeof body.name !== 'string')
      throw new WalletSimError(400, 'INVALID_NAME', 'card_name and name are required');
    const cardId = String(body.card_id ?? '');
    if (cardId) this.tokenOperations.checkCard(accountId, cardId);
    const card: SimCardOnFile = {
      cardUuid: randomUUID(),
      accountId,
      cardId,
      cardName: body.card_name,
      status: body.skip_validation === true ? 'ACTIVE' : 'PENDING',
      lastFour: pan.slice(-4),
      createdAt: new Date().toISOString(),
    };
    this.cardsOnFile.set(card.cardUuid, card);
    // Pismo's provision-1 carries the expiry (MMYY): the events flow must not keep it.
    this.emit('provision-1', card, { expiration_date: body.expiration_date });
    return { status: 201, body: this.view(card) };
  }

  private list(accountId: string) {
    const items = [...this.cardsOnFile.values()].filter((c) => c.accountId === accountId).map((c) => this.view(c));
    return { status: 200, body: { items } };
  }

  private update(accountId: string, body: Record<string, unknown>) {
    const card = this.cardsOnFile.get(String(body.card_uuid ?? ''));
    if (!card || card.accountId !== accountId)
      throw new WalletSimError(404, 'CARD_NOT_FOUND', 'card on file not found for this account');
    if (body.status !== 'ACTIVE' && body.status !== 'SUSPENDED')
      throw new WalletSimError(400, 'INVALID_STATUS', 'status must be ACTIVE or SUSPENDED');
    if (card.status === 'PENDING' && body.status === 'ACTIVE')
      throw new WalletSimError(422, 'VALIDATION_PENDING', 'the card on file waits for its validation');
    card.status = body.status;
    this.emit('patch-cards-1', card);
    return { status: 200, body: { message: 'SUCCESS' } };
  }

  /** The cardholder confirms the micro-charge (as online banking would): the card on file becomes ACTIVE. */
  confirmValidation(cardUuid: string): void {
    const card = this.cardsOnFile.get(cardUuid);
    if (card?.status === 'PENDING') card.status = 'ACTIVE';
  }

  private view(c: SimCardOnFile) {
    return {
      card_uuid: c.cardUuid,
      pismo_card_id: c.cardId ? Number(c.cardId) : null,
      card_name: c.cardName,
      card_status: c.status,
      validation: { status: c.status === 'PENDING' ? 'PENDING' : 'SUCCESS' },
      last_4_digits: c.lastFour,
      creation_date: c.createdAt,
      default_card: false,
    };
  }

  private emit(type: PismoCardOnFileEvent['event_type'], c: SimCardOnFile, extra: Record<string, unknown> = {}): void {
    const event: PismoCardOnFileEvent = {
      event_id: randomUUID(),
      domain: 'cardsonfile',
      event_type: type,
      schema_version: 1,
      org_id: 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6',
      cid: randomUUID(),
      timestamp: new Date().toISOString(),
      data: {
        account_id: Number(c.accountId),
        ...(c.cardId ? { pismo_card_id: Number(c.cardId) } : {}),
        card_uuid: c.cardUuid,
        card_name: c.cardName,
        card_status: c.status,
        last_4_digits: c.lastFour,
        issuer_card: true,
        ...(type === 'provision-1' ? { created_at: c.createdAt } : {}),
        ...extra,
      },
    };
    this.events.push(event);
    void Promise.resolve(this.onEvent?.(event)).catch(() => undefined);
  }
}
