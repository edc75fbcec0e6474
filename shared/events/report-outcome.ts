import { EVENT_TYPES } from '../adapters/pismo/event-schemas';
import type { IngestOutcome } from './ingest-pismo-event';
import type { Observability } from '../adapters/observability/powertools';

/** Logs (ids only) and counts one ingestion outcome, the same for the HTTP and queue paths. */
export function reportIngestOutcome(obs: Observability, outcome: IngestOutcome, channel: 'http' | 'sqs'): void {
  obs.metrics.addMetric(outcome.outcome === 'applied' ? 'EventsApplied' : 'EventsDuplicate', 'Count', 1);
  // A card `update` carries `card`; any other card event type is unknown (ingest-card-event.ts).
  const knownType = outcome.card !== undefined || (EVENT_TYPES as readonly string[]).includes(outcome.eventType);
  if (outcome.card && !outcome.card.statusKnown) {
    // A card status we do not know: stored on the card (the policy leaves its tokens alone), counted.
    obs.metrics.addMetric('UnknownCardStatus', 'Count', 1);
    obs.logger.warn('unknown card status stored', { eventId: outcome.eventId, cardId: outcome.cardId });
  }
  if (outcome.panUpdate?.status === 'FAILURE' && outcome.outcome === 'applied') {
    // Reissue without the token transfer: a work item for Customer Service (on the card timelines), alarmed.
    obs.metrics.addMetric('PanUpdateFailed', 'Count', 1);
    obs.logger.warn('pan_update failed: tokens not transferred', { eventId: outcome.eventId, cardId: outcome.cardId });
  }
  if (outcome.panUpdate?.status === 'SUCCESS' && outcome.panUpdate.moved > 0) {
    obs.metrics.addMetric('TokensMovedToNewCard', 'Count', outcome.panUpdate.moved);
  }
  if (outcome.card && !outcome.card.current) {
    // Older than the last event applied for the card: on its timeline, no change of state.
    obs.metrics.addMetric('CardEventsSuperseded', 'Count', 1);
  }
  if (!outcome.recognized) {
    // An event type, call method or status word we do not know: stored, never dead-lettered.
    obs.metrics.addMetric(knownType ? 'UnknownCallMethod' : 'UnknownEventType', 'Count', 1);
    obs.logger.warn(knownType ? 'unknown call method or status stored on the timeline' : 'unknown event type stored', {
      eventId: outcome.eventId,
      eventType: outcome.eventType,
      callMethod: outcome.callMethod,
    });
  }
  if (outcome.unknownFields.length > 0) {
    // Additive change from Pismo: kept (redacted) in the stored payload, counted here.
    obs.metrics.addMetric('UnknownEventFields', 'Count', outcome.unknownFields.length);
    obs.logger.warn('unknown event fields kept', { eventId: outcome.eventId, unknownFields: outcome.unknownFields });
  }
  obs.logger.info('event ingested', {
    channel,
    eventId: outcome.eventId,
    eventType: outcome.eventType,
    schemaVersion: outcome.schemaVersion,
    callMethod: outcome.callMethod,
    outcome: outcome.outcome,
    tokenId: outcome.tokenId,
    cardId: outcome.cardId,
    tokenStatus: outcome.tokenStatus,
    stateChanged: outcome.stateChanged,
  });
}
