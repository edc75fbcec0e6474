import type { MdesSimulator } from './server';

type Nd = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** MDES TV `sf2_event_indicator` → the vault status it leaves (3 deleted, 4 deleted, 6 suspended, 7 resumed). */
const TV_STATUS: Record<string, 'D' | 'S' | 'A'> = { '3': 'D', '4': 'D', '6': 'S', '7': 'A' };

/**
 * Keeps the MDES simulator's vault in step with the Pismo events the local stack receives: MDES
 * sends those events in the first place, so a token Pismo reports deleted must be deleted at MDES
 * too (otherwise the demo's deleted token 17556 is ACTIVE in the simulator and can be suspended).
 * TURs are learnt from TC and resync events (a TV names only Pismo's token id), per Pismo token id.
 */
export class MdesVaultSync {
  private readonly turByTokenId = new Map<string, string>();

  constructor(private readonly mdes: Pick<MdesSimulator, 'learnFromPismoEvent' | 'applyNetworkStatus'>) {}

  /** The Pismo token id of a TUR learnt from the events, if any. */
  tokenIdOf(tur: string): string | undefined {
    for (const [tokenId, known] of this.turByTokenId) if (known === tur) return tokenId;
    return undefined;
  }

  /** Called with every body posted to `/pismo/events`, before the function sees it. */
  observe(body: unknown): void {
    this.mdes.learnFromPismoEvent(body);
    const data = (body as { data?: Record<string, unknown> } | null | undefined)?.data;
    if (!data || (typeof data.token_id !== 'string' && typeof data.token_id !== 'number')) return;
    const tokenId = String(data.token_id);
    const mdesData = (data.network_data as Nd | undefined)?.de124_member_defined_data?.mdes_data;
    const tur = mdesData?.tokenization_complete?.sf10_token_unique_ref ?? data.token_unique_reference;
    if (typeof tur === 'string' && tur.length >= 9) this.turByTokenId.set(tokenId, tur);
    const indicator = mdesData?.tokenization_event_notification?.sf2_event_indicator;
    const to = typeof indicator === 'string' ? TV_STATUS[indicator.trim()] : undefined;
    const known = this.turByTokenId.get(tokenId);
    if (to && known) this.mdes.applyNetworkStatus(known, to);
  }
}
