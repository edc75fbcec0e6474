/**
 * Micro-benchmark of the one sanitiser (`npx tsx bench/sanitise.ts`): the cost it adds per stored
 * item on the decision hot path (a decision record), per token state, and per timeline entry (the
 * redacted Pismo payload, the largest string we store).
 */
import { sanitiseDeep } from '../shared/domain/sanitise';
import { redactPismoEvent } from '../shared/adapters/pismo/redact-event';
import { seedEvent } from '../local/seed/pismo-events';

const decisionRecord = {
  PK: 'TOKEN#27005',
  SK: 'DECISION#2026-12-01T10:00:00.000Z#0b6a4f4e-6a53-4f7e-9b7e-1f0a2b3c4d5e',
  decisionId: '0b6a4f4e-6a53-4f7e-9b7e-1f0a2b3c4d5e',
  decidedAt: '2026-12-01T10:00:00.000Z',
  decision: 'REQUIRE_ADDITIONAL_AUTHENTICATION',
  reasonCodes: ['DEVICE_SCORE', 'PAN_SOURCE_MANUAL'],
  ruleSetVersion: 'default-v1',
  firedRules: [
    { id: 'device-score-low', outcome: 'REQUIRE_ADDITIONAL_AUTHENTICATION', reasonCode: 'DEVICE_SCORE' },
    { id: 'pan-keyed-manually', outcome: 'REQUIRE_ADDITIONAL_AUTHENTICATION', reasonCode: 'PAN_SOURCE_MANUAL' },
  ],
  signals: {
    network: 'mdes',
    deviceScore: 1,
    accountScore: 4,
    panSource: 'KEY_ENTERED',
    deviceCountry: 'BR',
    tokenType: 'C',
  },
  callMethod: 'TA',
  network: 'mdes',
  cardId: '4995608',
  latencyMs: 12,
};
const payload = JSON.stringify(redactPismoEvent(seedEvent('mdes-ta')));
const timelineEntry = { PK: 'TOKEN#17556', SK: 'EVENT#2026-12-01T10:00:00.000Z#ta-1', eventId: 'ta-1', payload };
const withPan = { ...decisionRecord, signals: { ...decisionRecord.signals, deviceName: 'Phone 5555 5555 5555 4444' } };

function measure(name: string, value: unknown, iterations: number): void {
  for (let i = 0; i < iterations / 10; i++) sanitiseDeep(value); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sanitiseDeep(value);
  const us = Number(process.hrtime.bigint() - started) / 1e3 / iterations;
  console.log(`${name.padEnd(40)} ${us.toFixed(2)} µs/item`);
}

measure('decision record (clean)', decisionRecord, 200_000);
measure('decision record (clean, again)', decisionRecord, 200_000);
measure('decision record (one card number)', withPan, 200_000);
measure(`timeline entry (${payload.length} B payload)`, timelineEntry, 20_000);

// Reference: what serialising the same item costs (the SDK marshals and serialises every item).
for (const [name, value, iterations] of [
  ['JSON.stringify(decision record)', decisionRecord, 200_000],
  ['JSON.stringify(timeline entry)', timelineEntry, 20_000],
] as const) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) JSON.stringify(value);
  console.log(
    `${name.padEnd(40)} ${(Number(process.hrtime.bigint() - started) / 1e3 / iterations).toFixed(2)} µs/item`,
  );
}
