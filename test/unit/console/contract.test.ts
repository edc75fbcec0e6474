/**
 * The console's contract (shared/console/contract.ts) against what the use cases return: each check
 * fails to compile when a use case's answer stops fitting the type the console reads.
 */
import type * as C from '../../../shared/console/contract';
import type { searchTokens, systemStatus } from '../../../shared/customer-service/customer-service';
import type { performCardAction, performTokenAction, suspendDevice } from '../../../shared/lifecycle/lifecycle';
import type { getTokenWithTimeline, listChallengesOfToken, listTokensOfCard } from '../../../shared/tokens/read-tokens';

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
/** Compiles only when `A` is assignable to `B`. */
type Fits<A extends B, B> = A;

export type Checks = [
  Fits<Result<typeof getTokenWithTimeline>, C.TokenView>,
  Fits<Result<typeof listTokensOfCard>, C.CardTokensView>,
  Fits<Result<typeof listChallengesOfToken>, C.ChallengesView>,
  Fits<Result<typeof searchTokens>, C.CsSearchResult>,
  Fits<Result<typeof systemStatus>, C.SystemStatusView>,
  Fits<Result<typeof performTokenAction>, C.TokenActionResult>,
  Fits<Result<typeof performCardAction>, C.CardActionResult>,
  Fits<Result<typeof suspendDevice>, C.DeviceSuspendResult>,
];

describe('console contract', () => {
  it('is types only (compiles to nothing the browser would run)', async () => {
    const mod: Record<string, unknown> = await import('../../../shared/console/contract');
    expect(Object.keys(mod).filter((k) => k !== '__esModule')).toEqual([]);
  });
});
