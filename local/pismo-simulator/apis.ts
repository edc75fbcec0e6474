import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A cardholder as Pismo's accounts API would return them (local data only). */
export interface SimulatedAccount {
  accountId: string;
  cardIds: string[];
  phones: { type: string; country_code: string; area_code: string; number: string; active: boolean }[];
  customers: { email?: string; is_owner: boolean }[];
}

/** The cardholders of the seed events: MDES card 4995608 (phone hint ###7728) and VTS card 5271995. */
export function seedAccounts(): SimulatedAccount[] {
  return [
    {
      accountId: '100001185',
      cardIds: ['4995608'],
      phones: [{ type: 'MOBILE', country_code: '55', area_code: '11', number: '912347728', active: true }],
      customers: [{ email: 'ana.souza@example.com', is_owner: true }],
    },
    {
      accountId: '100002000',
      cardIds: ['5271995', '5272036'],
      phones: [{ type: 'MOBILE', country_code: '55', area_code: '31', number: '988881234', active: true }],
      customers: [{ email: 'daniel.k@example.com', is_owner: true }],
    },
  ];
}

/** The OAuth client the local stack's functions use for the simulated Pismo APIs. */
export const SIMULATED_CLIENT = { id: 'local-issuer', secret: 'local-secret' };

type Send = (status: number, payload: unknown) => void;

/**
 * The Pismo APIs our functions call, over `accounts`: OAuth client credentials
 * (`POST /passport/v1/oauth2/token`; only SIMULATED_CLIENT gets a token), then, with a token it
 * issued, `GET /cards/v2/cards/{id}` and `GET /accounts/v1/accounts/{id}/phones|customers`.
 * Anything else is 404; a missing or unknown token is 401.
 */
export class SimulatedPismoApis {
  /** OAuth tokens issued (to observe token caching). */
  tokensIssued = 0;
  private readonly accessTokens = new Set<string>();

  constructor(private readonly accounts: () => SimulatedAccount[]) {}

  handle(req: IncomingMessage, send: Send): void {
    if (req.method === 'POST' && req.url === '/passport/v1/oauth2/token') {
      let raw = '';
      req.on('data', (c: Buffer) => {
        raw += c.toString();
      });
      req.on('end', () => {
        const form = new URLSearchParams(raw);
        if (form.get('client_id') !== SIMULATED_CLIENT.id || form.get('client_secret') !== SIMULATED_CLIENT.secret) {
          return send(401, { message: 'invalid client' });
        }
        const token = randomUUID();
        this.accessTokens.add(token);
        this.tokensIssued++;
        send(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      });
      return;
    }
    const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!this.accessTokens.has(bearer)) return send(401, { message: 'missing or unknown access token' });
    const card = req.url?.match(/^\/cards\/v2\/cards\/([^/]+)$/);
    if (card) {
      const account = this.accounts().find((a) => a.cardIds.includes(decodeURIComponent(card[1] ?? '')));
      return account
        ? send(200, { id: card[1], account_id: Number(account.accountId) })
        : send(404, { message: 'card not found' });
    }
    const sub = req.url?.match(/^\/accounts\/v1\/accounts\/([^/]+)\/(phones|customers)$/);
    if (sub) {
      const account = this.accounts().find((a) => a.accountId === decodeURIComponent(sub[1] ?? ''));
      if (!account) return send(404, { message: 'account not found' });
      return send(200, { items: sub[2] === 'phones' ? account.phones : account.customers });
    }
    send(404, { message: `no simulated Pismo API at ${req.url}` });
  }
}
