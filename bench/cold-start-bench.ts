import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { synthesizeTemplates } from '../local/model/cloud-template';
import { deriveLocalModel } from '../local/model/model';
import { type BenchEntry, median } from './bench-report';
import { INSTALLED_NOT_BUNDLED } from '../infra/constructs/app-function';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(__dirname, '.build');

/** Bundles an entry with the options AppFunction gives NodejsFunction (SDK included). */
function bundle(entry: string, name: string): string {
  const outfile = path.join(OUT, `${name}.js`);
  buildSync({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // As AppFunction: installed beside the bundle, loaded only for a PKCS#12 key.
    external: INSTALLED_NOT_BUNDLED,
    logLevel: 'error',
  });
  return outfile;
}

const PROBE =
  'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

/**
 * Runtime options every function has (the baseline gets them too, so the comparison is fair): source
 * maps, and SDK tracing, which AppFunction turns on for every function.
 */
const RUNTIME_ENV = { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_TRACE_ENABLED: 'true' };

function coldRequireMs(file: string, environment: Record<string, string> = RUNTIME_ENV): number {
  const out = spawnSync(process.execPath, ['-e', PROBE, file], {
    env: {
      ...environment,
      PATH: process.env.PATH,
      TABLE_NAME: 'bench',
      PISMO_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      AWS_REGION: 'us-east-1',
      // As on Lambda: with the template's POWERTOOLS_TRACE_ENABLED the X-Ray tracer loads and wraps clients.
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`require ${file} failed: ${out.stderr}`);
  return Number(out.stdout);
}

/** Each function bundle's size and cold `require` time against a DynamoDB-client-only bundle. */
export async function benchColdStart(samples = 25): Promise<BenchEntry[]> {
  mkdirSync(OUT, { recursive: true });
  const model = deriveLocalModel(synthesizeTemplates());
  const baseline = bundle('bench/baseline-dynamodb.ts', 'baseline-dynamodb');
  // Each bundle is required with its function's environment from the template (config is read at load).
  const functions = [...new Map([...model.functions.values()].map((f) => [f.entry, f])).values()].map((f) => ({
    entry: f.entry,
    environment: f.environment,
    file: bundle(f.entry, path.basename(f.entry, '.ts')),
  }));
  // Paired samples: each function's cold require runs right beside a baseline require (order
  // alternating), and its figure is the median of those per-pair ratios. A baseline measured once per
  // round drifted from the functions measured seconds later on this shared machine (up to ±0.15 ×).
  const baseTimes: number[] = [];
  const times = new Map<string, { ms: number[]; ratios: number[] }>(
    functions.map((f) => [f.file, { ms: [], ratios: [] }]),
  );
  for (let i = 0; i < samples; i++) {
    for (const f of functions) {
      const entry = times.get(f.file);
      if (!entry) continue;
      const pair = i % 2 ? [f.file, baseline] : [baseline, f.file];
      const [first, second] = pair.map((file) =>
        coldRequireMs(file, file === baseline ? undefined : f.environment),
      ) as [number, number];
      const [b, ms] = i % 2 ? [second, first] : [first, second];
      baseTimes.push(b);
      entry.ms.push(ms);
      entry.ratios.push(ms / b);
    }
  }
  const base = median(baseTimes);
  const kb = (file: string) => Math.round(statSync(file).size / 1024);
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return [
    {
      name: 'baseline bundle (DynamoDB document client only)',
      value: r(base),
      unit: 'ms',
      detail: `${kb(baseline)} KiB`,
    },
    ...functions.map(({ entry, file }) => {
      const measured = times.get(file) ?? { ms: [], ratios: [] };
      return {
        name: `cold require ${entry} / baseline`,
        value: r(median(measured.ratios)),
        unit: '×',
        target: 1.3,
        detail: `${r(median(measured.ms))} ms, ${kb(file)} KiB (baseline ${kb(baseline)} KiB), median of ${samples} paired ratios`,
      };
    }),
  ];
}
