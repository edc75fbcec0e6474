import type { CardholderTokenActions } from '../../shared/cardholder/ports';
import { performTokenAction } from '../../shared/lifecycle/lifecycle';
import type { LifecycleDeps } from '../../shared/lifecycle/ports';

/**
 * The cardholder flow's {@link CardholderTokenActions}, through the token lifecycle use case (the one
 * door for acting on tokens: docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md): the
 * cardholder is the officer (kind `cardholder`), the cardholder's rule its `actorRule`.
 */
export function lifecycleCardholderActions(deps: LifecycleDeps): CardholderTokenActions {
  return {
    perform: (request) =>
      performTokenAction(
        {
          tokenId: request.tokenId,
          action: request.action,
          body: { reason: request.reason },
          officer: request.officer,
          actorRule: request.actorRule,
        },
        deps,
      ),
  };
}
