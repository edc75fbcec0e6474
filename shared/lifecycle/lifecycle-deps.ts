import { type BaseConfig, loadBaseConfig, loadLifecycleConfig } from '../config';
import { AppError } from '../domain/errors';
import type { Officer } from '../domain/audit';
import { csStatusOfCode } from '../domain/status-rules';
import { CustomerNotAllowedError } from '../adapters/http/errors';
import { customerServesOrg, lazyConnections } from '../adapters/mdes/customers';
import type { RequestOf } from '../adapters/mdes/contract';
import { PismoAccountsClient } from '../adapters/pismo/accounts-client';
import { pismoClientSecretFrom } from '../adapters/pismo/client-secret';
import { PismoTokenOperationsClient } from '../adapters/pismo/token-operations';
import type { Observability } from '../adapters/observability/powertools';
import { DynamoTokenStore } from '../adapters/dynamo/token-store';
import type { LifecycleDeps, MdesLifecyclePort, PismoLifecyclePort } from './ports';

/**
 * For which MDES customers (CIDs) the acting officer may act:
 * - `officer`: a person with a JWT; only the customers its claim (`claimName`) allows (a processor's
 *   staff never act for another issuer);
 * - `issuer`: the issuer itself (the card-status policy, no JWT): the customer serving the token's
 *   Pismo organisation, whichever it is. Explicit here, never a bypass in a handler.
 */
export type CustomerAccess = { kind: 'officer'; allowed: readonly string[]; claimName: string } | { kind: 'issuer' };

/**
 * Composition root of the token lifecycle use case (shared/lifecycle/lifecycle.ts): the Pismo port
 * (token operations, accounts), MDES Customer Service per customer and the store, one set per
 * container. Used by the lifecycle API handler and by the card-status policy's token actions
 * (docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md). Returns the deps for one access.
 */
export function createLifecycleDeps(
  obs: Observability,
  base: BaseConfig = loadBaseConfig(),
  lifecycle: ReturnType<typeof loadLifecycleConfig> = loadLifecycleConfig(),
): (access: CustomerAccess) => LifecycleDeps {
  const clientSecret = pismoClientSecretFrom(lifecycle.pismoClientSecretId);
  const operations = new PismoTokenOperationsClient({
    baseUrl: lifecycle.pismoTokenizationUrl,
    authUrl: lifecycle.pismoAuthUrl,
    clientId: lifecycle.pismoClientId,
    clientSecret,
    // Never a body or an id: operation, attempt, status, duration.
    onAttempt: (a) => {
      obs.metrics.addMetric('PismoCalls', 'Count', 1);
      obs.metrics.addMetric('PismoLatency', 'Milliseconds', a.durationMs);
      if (a.status === 'timeout' || a.status === 'network' || a.status >= 500)
        obs.metrics.addMetric('PismoFailures', 'Count', 1);
      obs.logger.info('pismo call', { ...a, durationMs: Math.round(a.durationMs) });
    },
  });
  const accounts = new PismoAccountsClient({
    baseUrl: lifecycle.pismoAuthUrl,
    clientId: lifecycle.pismoClientId,
    clientSecret,
  });
  const pismo: PismoLifecyclePort = {
    performTokenOperation: (ref, input) => operations.performTokenOperation(ref, input),
    performCardTokenOperation: (ref, input) => operations.performCardTokenOperation(ref, input),
    getCardTokens: (ref) => operations.getCardTokens(ref),
    accountOfCard: (cardId) => accounts.accountOf({ cardId }),
  };
  const connections = lazyConnections();
  const store = new DynamoTokenStore(base.tableName);

  /** MDES Customer Service for a token of Pismo organisation `orgId`: the customer (CID) serving it. */
  function mdesFor(orgId: string | undefined, access: CustomerAccess): MdesLifecyclePort {
    const all = connections().customers;
    const customer = all.find((c) => customerServesOrg(c, all, orgId));
    if (!customer)
      throw new AppError(`no MDES customer serves organisation ${orgId ?? '(none)'}`, 'conflict', { expose: true });
    if (access.kind === 'officer' && !access.allowed.includes(customer.customerId))
      throw new CustomerNotAllowedError(customer.customerId, access.claimName);
    const { client } = connections().get(customer.customerId);
    const auditInfo = (officer: Officer) => ({
      UserId: officer.userId,
      UserName: officer.userName,
      Organization: customer.organization,
    });
    return {
      customerId: customer.customerId,
      lookup: async (tur, officer) => {
        const found = (
          await client.search({ TokenUniqueReference: tur, AuditInfo: auditInfo(officer) })
        ).body.SearchResponse?.Accounts?.Account?.flatMap((a) => a.Tokens?.Token ?? []).find(
          (t) => t.TokenUniqueReference === tur,
        );
        return found
          ? { status: csStatusOfCode(found.CurrentStatusCode), suspenders: found.Suspenders?.Suspender ?? [] }
          : undefined;
      },
      perform: async (operation, request) => {
        const body = {
          TokenUniqueReference: request.tur,
          ReasonCode: request.reasonCode,
          ...(request.comment ? { CommentText: request.comment } : {}),
          AuditInfo: auditInfo(request.officer),
        } as RequestOf<typeof operation>;
        const result = await client.call(operation, body);
        return { confirmedBySearch: result.confirmedBySearch };
      },
    };
  }

  return (access) => ({
    store,
    pismo,
    mdes: (orgId) => mdesFor(orgId, access),
    pismoMastercardPrograms: lifecycle.pismoMastercardPrograms,
  });
}
