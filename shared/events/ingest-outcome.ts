import type { ChallengeStatus } from '../domain/challenge';
import type { TokenStatus } from '../domain/token-status';

/** What happened to one event; handlers turn this into responses, logs and metrics. */
export interface IngestOutcome {
  outcome: 'applied' | 'duplicate';
  eventId: string;
  eventType: string;
  callMethod: string;
  recognized: boolean;
  /** Schema version the event declared (`schema_version` or the `-<n>` event type suffix). */
  schemaVersion?: string;
  /** Paths of fields we do not know (kept, redacted, in the stored payload); at most 20. */
  unknownFields: string[];
  tokenId: string | null;
  cardId: string | null;
  /** The token's status after this event (undefined for events without a token). */
  tokenStatus?: TokenStatus;
  /** Whether the token state changed (false for duplicates and already-superseded events). */
  stateChanged: boolean;
  /** The ID&V challenge this event carried, if any. */
  challenge?: { challengeId: string; status: ChallengeStatus; workflow: 'started' | 'duplicate' | 'none' };
  /** Whether a waiting ID&V workflow was resumed by this event. */
  resumedWorkflow?: boolean;
  /**
   * A `cards` `update` (ingest-card-event.ts): its status, whether we know it, whether the card's
   * state is this event's (false: an older event, which changed nothing), and the card's status now.
   */
  card?: { status: string; statusKnown: boolean; current: boolean; cardStatus: string };
  /** A pan_update (reissue): its status, and how many migrated tokens moved / were unknown to us. */
  panUpdate?: { status: 'SUCCESS' | 'FAILURE' | 'OTHER'; moved: number; unknown: number };
}
