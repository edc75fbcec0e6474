import { MdesConnections, parseMdesCustomers } from '../../../../shared/adapters/mdes/customers';
import { UnknownCustomerError } from '../../../../shared/adapters/mdes/errors';

const customers = parseMdesCustomers(
  JSON.stringify([
    { customerId: 'CID-A', organization: 'Bank A', baseUrl: 'mtf', secretId: 'arn:a', encryption: true },
    { customerId: 'CID-B', organization: 'Bank B', baseUrl: 'https://mdes.example/v2', secretId: 'arn:b' },
  ]),
);

describe('MDES customers (a processor serving several issuers)', () => {
  describe('parseMdesCustomers', () => {
    it('refuses an empty list, a bad id and a missing secret, naming the field', () => {
      expect(() => parseMdesCustomers('[]')).toThrow(/MDES_CUSTOMERS/);
      expect(() =>
        parseMdesCustomers(JSON.stringify([{ customerId: 'a b', organization: 'x', baseUrl: 'mtf', secretId: 's' }])),
      ).toThrow(/0\.customerId/);
      expect(() =>
        parseMdesCustomers(JSON.stringify([{ customerId: 'a', organization: 'x', baseUrl: 'mtf' }])),
      ).toThrow(/0\.secretId/);
    });
  });

  describe('MdesConnections.get', () => {
    it('gives each customer its own client, keys and organization; the first is the default', () => {
      const connections = new MdesConnections(customers);
      const a = connections.get('CID-A');
      const b = connections.get('CID-B');
      expect(a.client).not.toBe(b.client);
      expect(a.keys).not.toBe(b.keys);
      expect([a.customer.organization, b.customer.organization]).toEqual(['Bank A', 'Bank B']);
      expect(connections.get()).toBe(a);
      expect(connections.get('CID-A')).toBe(a); // built once per container
      expect(a.client.customerId).toBe('CID-A');
    });

    it('refuses an unknown customer', () => {
      expect(() => new MdesConnections(customers).get('CID-Z')).toThrow(UnknownCustomerError);
    });
  });
});
