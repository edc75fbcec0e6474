import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { synthesizeTemplates } from '../local/cloud-template';
import { deriveLocalModel } from '../local/local-model';
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

/** Runtime options every function has (the baseline gets them too, so the comparison is fair). */
const RUNTIME_ENV = { NODE_OPTIONS: '--enable-source-maps' };

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
  const envOf = new Map(functions.map((f) => [f.file, f.environment]));
  const times = new Map<string, number[]>([
    [baseline, []],
    ...functions.map((f) => [f.file, []] as [string, number[]]),
  ]);
  for (let i = 0; i < samples; i++) {
    for (const [file, list] of times) list.push(coldRequireMs(file, envOf.get(file)));
  }
  const base = median(times.get(baseline) ?? []);
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
      const ms = median(times.get(file) ?? []);
      return {
        name: `cold require ${entry} / baseline`,
        value: r(ms / base),
        unit: '×',
        target: 1.3,
        detail: `${r(ms)} ms, ${kb(file)} KiB (baseline ${kb(baseline)} KiB), median of ${samples}`,
      };
    }),
  ];
}
