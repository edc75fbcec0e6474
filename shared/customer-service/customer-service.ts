/**
 * The Customer Service flow: an officer of the issuer acts on a cardholder's MDES tokens through
 * MDES Customer Service, each action audited (who, what, on which token, the outcome).
 *
 * Primary course (one token operation, the usual case): the officer (from the JWT) asks for an
 * operation on a token (our id or its TUR) for an MDES customer their token allows → the token is
 * resolved and checked to be that customer's → the request is validated against the MDES contract
 * → a PENDING audit record is written → the FAQ's status table and multi-suspender rules allow it
 * (MDES is searched for the status when ours cannot tell) → MDES is called as the officer → the
 * record becomes DONE and the token's timeline shows it → the result goes back. A rule's "no" is a
 * 409 and the record REFUSED; MDES's "no" its reason and REFUSED; MDES, the circuit or our keys
 * unavailable: FAILED.
 *
 * Also: search (search.ts), update of every token of an account (account-update.ts), MDES system
 * status (below). MDES is reached through the `MdesCustomerService` port (ports.ts).
 */
import type { CustomerServiceDeps } from './ports';

export type { Officer } from '../domain/audit';
export { updateAccountTokens } from './account-update';
export { StatusRuleViolationError, TokenOfOtherCustomerError, TurCollisionError } from './errors';
export { allowedOperationsOf, TOKEN_OPERATIONS, type TokenOperation } from './operations';
export type { CustomerServiceDeps, MdesCustomerConnection, MdesCustomerService } from './ports';
export { type TokenRef, tokenIdOfTur } from './resolve';
export { searchTokens, type SearchedToken } from './search';
export { runTokenOperation, type TokenOperationResult } from './token-operation';

/** MDES System Status (no token, no audit: it reads nothing about a cardholder). */
export async function systemStatus(customerId: string | undefined, deps: CustomerServiceDeps) {
  const { customer, client } = deps.connection(customerId);
  const result = await client.systemStatus();
  return { customerId: customer.customerId, circuit: client.circuitState, mdes: result.body };
}
