import type { Observability } from '../../../shared/adapters/observability/powertools';
import type { TokenState } from '../../../shared/domain/token-state';
import { ingestPismoEvent } from '../../../shared/events/ingest-pismo-event';
import { reportIngestOutcome } from '../../../shared/events/report-outcome';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const T0 = '2026-12-01T09:00:00.000Z';
const T1 = '2026-12-01T10:00:00.000Z';

function token(tokenId: string, cardId: string, status: TokenState['status'] = 'active'): TokenState {
  return {
    tokenId,
    status,
    statusAt: T0,
    facts: { cardId, network: 'MDES' },
    clocks: { status: `0#${T0}#e-${tokenId}`, cardId: `${T0}#e-${tokenId}` },
    firstEventAt: T0,
    lastEventAt: T0,
  };
}

function panUpdate(status: string, migrated: number[], eventId = 'pu-1') {
  return {
    event_id: eventId,
    domain: 'cards-tokenization',
    event_type: 'pan_update-1',
    timestamp: T1,
    data: {
      account_id: 1,
      old_card_id: 100,
      new_card_id: 200,
      migrated_tokens: migrated,
      status,
      reason: status === 'SUCCESS' ? null : 'network timeout',
      reason_code: status === 'SUCCESS' ? null : 'E42',
    },
  };
}

function recordingObs() {
  const metrics: string[] = [];
  const obs = {
    metrics: { addMetric: (name: string) => metrics.push(name) },
    logger: { warn: () => undefined, info: () => undefined },
  } as unknown as Observability;
  return { metrics, obs };
}

describe('pan_update (reissue)', () => {
  it('SUCCESS moves the migrated tokens to the new card: card index, both timelines, history and previous cards kept', async () => {
    const store = new MemoryTokenStore();
    await store.putTokenState(token('11', '100'), undefined);
    await store.putTokenState(token('12', '100'), undefined);
    await store.putTokenState(token('13', '100'), undefined); // not migrated: stays
    await store.addTimelineEntry(
      { tokenId: '11' },
      {
        eventId: 'older',
        eventType: 'notification',
        occurredAt: T0,
        callMethod: 'TC',
        recognized: true,
        facts: {},
        payload: '{}',
        receivedAt: T0,
      },
    );
    const outcome = await ingestPismoEvent(panUpdate('SUCCESS', [11, 12, 99]), { store });
    expect(outcome.panUpdate).toEqual({ status: 'SUCCESS', moved: 2, unknown: 1 });
    expect((await store.listTokensOfCard('200', 10)).items.map((t) => t.tokenId)).toEqual(['11', '12']);
    expect((await store.listTokensOfCard('100', 10)).items.map((t) => t.tokenId)).toEqual(['13']);
    expect((await store.getTokenState('11'))?.state.facts).toMatchObject({ cardId: '200', previousCardIds: ['100'] });
    expect((await store.getTokenState('11'))?.state.status).toBe('active');
    const tokenTimeline = (await store.listTimeline({ tokenId: '11' }, 10)).items;
    expect(tokenTimeline.map((e) => [e.eventId, e.note])).toEqual([
      ['older', undefined],
      ['pu-1', 'moved from card 100 to card 200 (reissue)'],
    ]);
    for (const cardId of ['100', '200']) {
      const [entry] = (await store.listTimeline({ cardId }, 10)).items;
      expect(entry?.note).toBe('reissue: 3 token(s) moved from card 100 to card 200');
    }
    const { metrics, obs } = recordingObs();
    reportIngestOutcome(obs, outcome, 'sqs');
    expect(metrics).toContain('TokensMovedToNewCard');
  });

  it('is idempotent: the same pan_update again moves nothing and adds no entry', async () => {
    const store = new MemoryTokenStore();
    await store.putTokenState(token('11', '100'), undefined);
    await ingestPismoEvent(panUpdate('SUCCESS', [11]), { store });
    const version = (await store.getTokenState('11'))?.version;
    const again = await ingestPismoEvent(panUpdate('SUCCESS', [11]), { store });
    expect(again).toMatchObject({ outcome: 'duplicate', panUpdate: { moved: 0 } });
    expect((await store.getTokenState('11'))?.version).toBe(version);
    expect((await store.getTokenState('11'))?.state.facts.previousCardIds).toEqual(['100']);
  });

  it('FAILURE moves nothing, counts PanUpdateFailed (alarmed) and leaves a work item on both cards', async () => {
    const store = new MemoryTokenStore();
    await store.putTokenState(token('11', '100', 'suspended'), undefined);
    const outcome = await ingestPismoEvent(panUpdate('FAILURE', [11]), { store });
    expect(outcome.panUpdate).toEqual({ status: 'FAILURE', moved: 0, unknown: 0 });
    expect((await store.getTokenState('11'))?.state).toMatchObject({ status: 'suspended', facts: { cardId: '100' } });
    for (const cardId of ['100', '200']) {
      const [entry] = (await store.listTimeline({ cardId }, 10)).items;
      expect(entry?.note).toBe(
        'work item: token transfer from card 100 to card 200 failed (reason code E42); the tokens stay on the old card',
      );
    }
    const { metrics, obs } = recordingObs();
    reportIngestOutcome(obs, outcome, 'http');
    expect(metrics).toContain('PanUpdateFailed');
  });
});
