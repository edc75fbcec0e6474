import { ENV } from '../config';
import { SecretsManagerKeyStore } from '../keys/key-store';
import * as z from '../zod';
import { MdesCustomerServiceClient, type MdesClientOptions } from './client';

/**
 * The MDES customers (CIDs) this deployment serves, from `MDES_CUSTOMERS` (JSON, set by the stack).
 * A processor serves several issuers: each has its own keys (one secret), organization name for
 * `AuditInfo`, environment and encryption switch. The first is the default.
 */
export const mdesCustomerSchema = z.strictObject({
  customerId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_-]')),
  organization: z.string().check(z.minLength(1), z.maxLength(200)),
  /** `sandbox`, `mtf`, `production`, or a base URL (the local simulator). */
  baseUrl: z.string().check(z.minLength(1)),
  secretId: z.string().check(z.minLength(1)),
  encryption: z.optional(z.boolean()),
});
export type MdesCustomer = z.infer<typeof mdesCustomerSchema>;

/** Parses `MDES_CUSTOMERS`; throws naming the problem (a cold-start failure, never a request failure). */
export function parseMdesCustomers(text: string | undefined): MdesCustomer[] {
  const parsed = z.safeParse(z.array(mdesCustomerSchema).check(z.minLength(1)), JSON.parse(text || '[]'));
  if (!parsed.success)
    throw new Error(
      `MDES_CUSTOMERS is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** A customer's client with what the callers need next to it. */
export interface MdesConnection {
  customer: MdesCustomer;
  client: MdesCustomerServiceClient;
  keys: SecretsManagerKeyStore;
}

/** Unknown customer id in a request (400). */
export class UnknownCustomerError extends Error {
  override readonly name = 'UnknownCustomerError';
}

/** One client per customer, built on first use and kept for the container's life. */
export class MdesConnections {
  private readonly connections = new Map<string, MdesConnection>();

  constructor(
    readonly customers: readonly MdesCustomer[],
    private readonly clientOptions: Partial<MdesClientOptions> = {},
  ) {}

  /** The connection of `customerId`, or of the default (first) customer. */
  get(customerId?: string): MdesConnection {
    const customer = customerId ? this.customers.find((c) => c.customerId === customerId) : this.customers[0];
    if (!customer) throw new UnknownCustomerError(`unknown MDES customer ${customerId ?? '(none configured)'}`);
    let connection = this.connections.get(customer.customerId);
    if (!connection) {
      const keys = new SecretsManagerKeyStore({ secretId: customer.secretId });
      connection = {
        customer,
        keys,
        client: new MdesCustomerServiceClient({
          customerId: customer.customerId,
          baseUrl: customer.baseUrl,
          credentials: keys,
          encryption: customer.encryption ?? false,
          ...this.clientOptions,
        }),
      };
      this.connections.set(customer.customerId, connection);
    }
    return connection;
  }
}

/** The connections of `MDES_CUSTOMERS`, built on first use (functions that never call MDES load nothing). */
export function lazyConnections(
  env: NodeJS.ProcessEnv = process.env,
  clientOptions: Partial<MdesClientOptions> = {},
): () => MdesConnections {
  let connections: MdesConnections | undefined;
  return () => (connections ??= new MdesConnections(parseMdesCustomers(env[ENV.mdesCustomers]), clientOptions));
}
