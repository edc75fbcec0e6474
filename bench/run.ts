import { writeResults } from './bench-report';
import { benchColdStart } from './cold-start-bench';
import { benchDecision } from './decision-bench';
import { benchIngestion } from './ingestion-bench';

/** `npm run bench [-- ingestion|decision|cold-start]`: runs the suites and writes bench/results/. */
async function main() {
  const only = process.argv[2];
  if (!only || only === 'ingestion') {
    const entries = await benchIngestion();
    writeResults('ingestion', entries);
    console.table(entries);
  }
  if (!only || only === 'decision') {
    const entries = await benchDecision();
    writeResults('decision', entries);
    console.table(entries);
  }
  if (!only || only === 'cold-start') {
    const entries = await benchColdStart();
    writeResults('cold-start', entries);
    console.table(entries);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
