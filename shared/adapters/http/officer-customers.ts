import { DEFAULT_OFFICER_CUSTOMERS_CLAIM, ENV, loadOfficerCustomersClaim } from '../../config';

/**
 * Which MDES customers (CIDs) an officer may act for: a claim of the officer's JWT. A processor
 * serving several issuers gives each issuer's staff tokens naming only that issuer's customer(s).
 */

/** Environment variable naming the claim; default {@link DEFAULT_OFFICER_CUSTOMERS_CLAIM}. */
export const OFFICER_CUSTOMERS_CLAIM_ENV = ENV.officerCustomersClaim;
export { DEFAULT_OFFICER_CUSTOMERS_CLAIM };

/** The claim name from the environment (read once per container; shared/config.ts). */
export const officerCustomersClaim = loadOfficerCustomersClaim;

/**
 * The customer ids the claim allows. Accepts a JSON array (the token as issued) and the forms API
 * Gateway's HTTP JWT authorizer hands a Lambda (it flattens arrays to `"[a b]"`), or a space- or
 * comma-separated string. A missing claim allows nothing.
 */
export function allowedCustomersOf(claims: Record<string, unknown>, claimName: string): string[] {
  const raw = claims[claimName];
  if (Array.isArray(raw)) return raw.filter((c): c is string => typeof c === 'string' && c.length > 0);
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((c) => c.replace(/^"|"$/g, ''))
    .filter(Boolean);
}
