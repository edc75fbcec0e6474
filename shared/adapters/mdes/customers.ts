import { ENV } from '../../config';
import { SecretsManagerKeyStore } from './key-store';
import * as z from '../../zod';
import { MdesCustomerServiceClient, type MdesClientOptions } from './client';
import { UnknownCustomerError } from './errors';

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
  /**
   * The Pismo organisations (tenants, `org_id`) whose tokens this customer serves. A token whose
   * `orgId` is listed under another customer is never acted on with this one. Unset: the customer
   * serves every token no other customer lists.
   */
  orgIds: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64)))),
});
export type MdesCustomer = z.infer<typeof mdesCustomerSchema>;

/** Parses `MDES_CUSTOMERS`; throws naming the problem (a cold-start failure, never a request failure). */
export function parseMdesCustomers(text: string | undefined): MdesCustomer[] {
  const parsed = z.safeParse(z.array(mdesCustomerSchema).check(z.minLength(1)), JSON.parse(text || '[]'));
  if (!parsed.success)
    throw new Error(
      `MDES_CUSTOMERS is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  for (const c of parsed.data)
    if (c.encryption && isSandbox(c.baseUrl))
      throw new Error(
        `MDES_CUSTOMERS is invalid: customer ${c.customerId} enables payload encryption on the Mastercard sandbox, ` +
          'which has no Search encryption (Customer Service FAQ); turn encryption off for sandbox, test it in MTF',
      );
  return parsed.data;
}

/** Mastercard's sandbox, by environment name or URL (`sandbox.api.mastercard.com`). */
function isSandbox(baseUrl: string): boolean {
  if (baseUrl === 'sandbox') return true;
  try {
    return new URL(baseUrl).hostname.toLowerCase().startsWith('sandbox.');
  } catch {
    return false;
  }
}

/**
 * Whether `customer` may act on a token of Pismo organisation `orgId` (see `orgIds`): a listed org
 * belongs to its customers only; an unlisted or unknown org to the customers that list none.
 */
export function customerServesOrg(
  customer: MdesCustomer,
  all: readonly MdesCustomer[],
  orgId: string | undefined,
): boolean {
  if (customer.orgIds) return orgId !== undefined && customer.orgIds.includes(orgId);
  return orgId === undefined || !all.some((c) => c.orgIds?.includes(orgId));
}

/** A customer's client with what the callers need next to it. */
export interface MdesConnection {
  customer: MdesCustomer;
  client: MdesCustomerServiceClient;
  keys: SecretsManagerKeyStore;
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
