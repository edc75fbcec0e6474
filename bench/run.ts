import { spawnSync } from 'node:child_process';
import { writeResults } from './bench-report';
import { benchColdStart } from './cold-start-bench';
import { benchCustomerService } from './customer-service-bench';
import { benchDecision } from './decision-bench';
import { benchIdv } from './idv-bench';
import { benchIngestion } from './ingestion-bench';
import { benchLifecycle } from './lifecycle-bench';
import { benchReconciliation } from './reconciliation-bench';
import { benchSaturation, saturationProbe } from './saturation-bench';
import { benchCards } from './cards-bench';

const SUITES = {
  ingestion: benchIngestion,
  decision: benchDecision,
  idv: benchIdv,
  'cold-start': benchColdStart,
  'customer-service': benchCustomerService,
  lifecycle: benchLifecycle,
  saturation: benchSaturation,
  reconciliation: benchReconciliation,
  cards: benchCards,
} as const;
type Suite = keyof typeof SUITES;

/**
 * `npm run bench [-- ingestion|decision|idv|cold-start|customer-service|lifecycle|saturation|reconciliation|cards]`: runs the suites and writes bench/results/.
 * Each suite runs in its own process: the local stack's handlers build their clients at import,
 * so one process hosts one stack.
 */
async function main() {
  const only = process.argv[2] as Suite | undefined;
  if (process.argv[2] === 'saturation-probe') {
    await saturationProbe(process.argv[3] === 'in-process' ? 'in-process' : 'process');
    return;
  }
  if (only) {
    if (!(only in SUITES)) throw new Error(`unknown suite ${only}; one of ${Object.keys(SUITES).join(', ')}`);
    const entries = await SUITES[only]();
    writeResults(only, entries);
    console.table(entries);
    return;
  }
  for (const suite of Object.keys(SUITES)) {
    const run = spawnSync(process.execPath, [...process.execArgv, __filename, suite], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`bench suite ${suite} failed`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
