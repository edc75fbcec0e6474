import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Officer } from '../../domain/audit';
import { ValidationError } from '../../domain/errors';

/** The claims of the caller's JWT, as API Gateway's JWT authorizer hands them over (none: empty). */
export function claimsOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): Record<string, unknown> {
  return event.requestContext.authorizer?.jwt?.claims ?? {};
}

/**
 * The acting customer-service officer, from the JWT: `sub` (required: every action is audited and
 * sent to MDES under the officer) and `name` (else the `sub`), cut to what MDES `AuditInfo` takes
 * (UserId 50, UserName 200 characters).
 */
export function officerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): Officer {
  const claims = claimsOf(event);
  const userId = String(claims.sub ?? '');
  if (!userId) throw new ValidationError('the token names no user (sub): MDES requires the acting officer');
  return { userId: userId.slice(0, 50), userName: String(claims.name ?? userId).slice(0, 200) };
}
