import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PismoAccountsClient } from '../../../../shared/adapters/pismo/accounts-client';

/** A minimal stand-in for Pismo's API that counts the calls by path. */
async function fakePismo(): Promise<{ url: string; calls: Map<string, number>; server: Server }> {
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = String(req.url);
    calls.set(path, (calls.get(path) ?? 0) + 1);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (path === '/passport/v1/oauth2/token') res.end(JSON.stringify({ access_token: 't', expires_in: 300 }));
      else if (path.startsWith('/cards/v2/cards/')) res.end(JSON.stringify({ account_id: 42 }));
      else if (path.endsWith('/phones'))
        res.end(
          JSON.stringify({ items: [{ type: 'MOBILE', country_code: '55', area_code: '11', number: '912345678' }] }),
        );
      else if (path.endsWith('/customers'))
        res.end(JSON.stringify({ items: [{ is_owner: true, email: 'a@b.example' }] }));
      else res.writeHead(404).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

describe('PismoAccountsClient', () => {
  describe('concurrent lookups', () => {
    let pismo: Awaited<ReturnType<typeof fakePismo>>;
    beforeEach(async () => {
      pismo = await fakePismo();
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => pismo.server.close(() => resolve()));
    });

    it('makes one token call and one card call when the phone and the email of a card are asked at once', async () => {
      const client = new PismoAccountsClient({ baseUrl: pismo.url, clientId: 'c', clientSecret: 's' });
      const [phone, email] = await Promise.all([client.mobilePhone({ cardId: '7' }), client.email({ cardId: '7' })]);
      expect(phone).toBe('+5511912345678');
      expect(email).toBe('a@b.example');
      expect(pismo.calls.get('/passport/v1/oauth2/token')).toBe(1);
      expect(pismo.calls.get('/cards/v2/cards/7')).toBe(1);
    });

    it('asks for the card again on a later lookup (nothing is kept once answered)', async () => {
      const client = new PismoAccountsClient({ baseUrl: pismo.url, clientId: 'c', clientSecret: 's' });
      await client.mobilePhone({ cardId: '7' });
      await client.email({ cardId: '7' });
      expect(pismo.calls.get('/cards/v2/cards/7')).toBe(2);
      expect(pismo.calls.get('/passport/v1/oauth2/token')).toBe(1);
    });
  });
});
