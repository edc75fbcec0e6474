/**
 * Cognito pre-token-generation trigger (V2) of the console's user pool, created only when no external
 * identity provider is configured (infra/constructs/console.ts, ADR 0030): maps the user's groups to
 * the API's scopes and adds `name` and the MDES customers claim to the access token.
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { loadConsoleMdesCustomers } from '../../shared/config';
import { officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { createObservability } from '../../shared/adapters/observability/powertools';
import { accessTokenChangesOf } from '../../shared/console/token-claims';

const obs = createObservability('console-pre-token');
const customersClaim = officerCustomersClaim();
const mdesCustomers = loadConsoleMdesCustomers();

export const handler = async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
  const groups = event.request.groupConfiguration?.groupsToOverride ?? [];
  const changes = accessTokenChangesOf({
    username: event.userName,
    userAttributes: event.request.userAttributes,
    groups,
    mdesCustomers,
    customersClaim,
  });
  obs.logger.info('console token', { trigger: event.triggerSource, groups, scopes: changes.scopesToAdd });
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: {
        // Cognito V2 takes arrays as claim values; the type of @types/aws-lambda says strings only.
        claimsToAddOrOverride: changes.claimsToAddOrOverride as Record<string, string>,
        scopesToAdd: changes.scopesToAdd,
        scopesToSuppress: changes.scopesToSuppress,
      },
      idTokenGeneration: { claimsToAddOrOverride: { name: String(changes.claimsToAddOrOverride.name) } },
    },
  };
  return event;
};
