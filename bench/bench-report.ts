import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const RESULTS_DIR = path.join(__dirname, 'results');

/** One measured figure with its target. */
export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
  /** Upper bound the value must stay at or under; undefined for context-only figures. */
  target?: number;
  detail?: string;
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** The p-th percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Runs path then floor on even rounds, floor then path on odd ones, so machine drift hits both alike. */
export async function alternate(round: number, path: () => Promise<void>, floor: () => Promise<void>): Promise<void> {
  if (round % 2) {
    await floor();
    await path();
  } else {
    await path();
    await floor();
  }
}

/** Writes `results/<suite>.json` and regenerates `results/README.md` from every suite's JSON. */
export function writeResults(suite: string, entries: BenchEntry[]): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const record = {
    suite,
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      platform: `${os.platform()}-${os.arch()}`,
    },
    entries: entries.map((e) => ({ ...e, pass: e.target === undefined ? undefined : e.value <= e.target })),
  };
  writeFileSync(path.join(RESULTS_DIR, `${suite}.json`), `${JSON.stringify(record, null, 2)}\n`);

  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench`; one JSON file per suite beside this file. Ratios are against a floor measured in the same run on the same machine.',
    '',
    '| suite | figure | value | target | pass | detail |',
    '|---|---|---|---|---|---|',
  ];
  for (const file of readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const r = JSON.parse(readFileSync(path.join(RESULTS_DIR, file), 'utf8')) as typeof record;
    for (const e of r.entries) {
      const target = e.target === undefined ? '' : `≤ ${e.target}`;
      const pass = e.pass === undefined ? '' : e.pass ? 'yes' : '**no**';
      lines.push(`| ${r.suite} | ${e.name} | ${e.value} ${e.unit} | ${target} | ${pass} | ${e.detail ?? ''} |`);
    }
    lines.push(
      `| ${r.suite} | _measured_ | ${r.measuredAt} | | | ${r.machine.cpus} × ${r.machine.cpuModel ?? '?'}, Node ${r.machine.node} |`,
    );
  }
  writeFileSync(path.join(RESULTS_DIR, 'README.md'), `${lines.join('\n')}\n`);
}
