import type { IngestOutcome } from '../use-cases/ingest-pismo-event';
import type { Observability } from './powertools';

/** Logs (ids only) and counts one ingestion outcome, the same for the HTTP and queue paths. */
export function reportIngestOutcome(obs: Observability, outcome: IngestOutcome, channel: 'http' | 'sqs'): void {
  obs.metrics.addMetric(outcome.outcome === 'applied' ? 'EventsApplied' : 'EventsDuplicate', 'Count', 1);
  if (!outcome.recognized) {
    obs.metrics.addMetric('UnknownCallMethod', 'Count', 1);
    obs.logger.warn('unknown network_call_method stored on the timeline', {
      eventId: outcome.eventId,
      callMethod: outcome.callMethod,
    });
  }
  obs.logger.info('event ingested', {
    channel,
    eventId: outcome.eventId,
    eventType: outcome.eventType,
    callMethod: outcome.callMethod,
    outcome: outcome.outcome,
    tokenId: outcome.tokenId,
    cardId: outcome.cardId,
    tokenStatus: outcome.tokenStatus,
    stateChanged: outcome.stateChanged,
  });
}
