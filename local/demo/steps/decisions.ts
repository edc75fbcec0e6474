import type { LocalStack } from '../../stack/local-stack';
import { DECISION_SCENARIOS } from '../../pismo-simulator/scenarios';
import { textTable } from '../text-table';

/** Pismo's anti-fraud webhook: each decision scenario, signed by the Pismo simulator, and our answer. */
export async function decisionsDemo(stack: LocalStack): Promise<void> {
  console.log(
    "== Pismo's tokenization anti-fraud webhook (POST /pismo/tokenization-decisions), signed by the Pismo simulator",
  );
  const decisionRows: (string | undefined)[][] = [];
  for (const scenario of DECISION_SCENARIOS) {
    const res = await stack.pismo.send(`${stack.url}/pismo/tokenization-decisions`, scenario.request);
    decisionRows.push([
      scenario.name,
      String(res.status),
      String(res.body.decision),
      (res.body.reason_codes as string[] | undefined)?.join(', ') || '-',
      scenario.changes,
    ]);
  }
  console.log(
    textTable(['scenario', 'HTTP', 'decision', 'reason codes', 'changed from the seed message'], decisionRows),
    '\n',
  );
}
