import { randomUUID } from 'node:crypto';
import type { TokenVault } from './vault';
import type { MdesVaultSync } from './vault-sync';

/**
 * The event that confirms an MDES Token Activate (the call centre's activation of a Mastercard token
 * routed to MDES): MDES tells Pismo the token is active and Pismo tells us with a `cards-tokenization`
 * `patch` (status ACTIVE). Locally the simulator's vault reports each activation and this posts that
 * event, signed, to our webhook, so the ID&V workflow waiting for the token ends as it would in AWS.
 * A TUR no Pismo event has named yet (no Pismo token id) is left alone.
 */
export function confirmMdesActivations(
  vault: Pick<TokenVault, 'onActivated'>,
  sync: Pick<MdesVaultSync, 'tokenIdOf'>,
  post: (event: unknown) => Promise<unknown>,
  orgId = 'TN-3a897b16-a18e-47bc-88d2-cf10fb0612b6',
): void {
  vault.onActivated = (tur) => {
    const tokenId = sync.tokenIdOf(tur);
    if (!tokenId) return;
    const event = {
      event_id: randomUUID(),
      domain: 'cards-tokenization',
      event_type: 'patch',
      schema_version: 1,
      org_id: orgId,
      cid: randomUUID(),
      timestamp: new Date().toISOString(),
      data: { token_id: /^\d+$/.test(tokenId) ? Number(tokenId) : tokenId, patch: { status: 'ACTIVE' } },
    };
    // In the background, after MDES has answered the activation (as the real event comes later).
    setImmediate(() => void post(event).catch(() => undefined));
  };
}
