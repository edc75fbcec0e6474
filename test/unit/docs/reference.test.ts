import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ENV } from '../../../shared/config';
import { OFFICER_CUSTOMERS_CLAIM_ENV } from '../../../shared/adapters/http/officer-customers';
import { ROOT } from './doc-links';

/**
 * The reference pages list every CDK context key, environment variable and metric: a key, variable
 * or metric added to the code fails here until docs/reference/ names it.
 */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sources(rel);
    return name.endsWith('.ts') ? [readFileSync(path.join(ROOT, rel), 'utf8')] : [];
  });
}

function matches(texts: string[], patterns: RegExp[]): string[] {
  const found = new Set<string>();
  for (const text of texts) for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[1] ?? '');
  return [...found].sort();
}

function page(rel: string): string {
  return readFileSync(path.join(ROOT, 'docs', 'reference', rel), 'utf8');
}

/** The page names `name` in inline code, alone or as `tokenization:<name>`. */
function named(markdown: string, name: string, prefix = ''): boolean {
  return new RegExp('`(' + prefix + ')?' + name + '`').test(markdown);
}

describe('docs/reference/configuration.md', () => {
  const doc = page('configuration.md');

  it('lists every tokenization:* context key the CDK app reads', () => {
    const keys = matches(sources('infra'), [
      /\bcontext\(app, '(\w+)'/g,
      /requiredContext\(app, '(\w+)'/g,
      /'tokenization:(\w+)'/g,
      /`tokenization:(\w+)`/g,
    ]);
    expect(keys).toEqual(expect.arrayContaining(['stage', 'pismoOrgId', 'mdesCustomers', 'sdkTracing']));
    expect(keys.filter((k) => !named(doc, k, 'tokenization:'))).toEqual([]);
  });

  it('lists every environment variable of shared/config.ts ENV, and the others the code reads', () => {
    const names = [...Object.values(ENV), OFFICER_CUSTOMERS_CLAIM_ENV];
    expect(names.filter((n) => !named(doc, n))).toEqual([]);
  });
});

describe('docs/reference/metrics.md', () => {
  const doc = page('metrics.md');

  it('lists every metric the code emits or derives', () => {
    const code = [...sources('shared'), ...sources('functions'), ...sources('infra')];
    // The first argument of addMetric may choose between names (`cond ? 'A' : 'B'`).
    const firstArgs = matches(code, [/addMetric\(([^()]*?),\s*(?:'\w+'|MetricUnit\.\w+),/g]);
    const metrics = [
      ...firstArgs.flatMap((arg) => [...arg.matchAll(/'([A-Z]\w+)'/g)].map((m) => m[1] ?? '')),
      ...matches(code, [/\bmetric\(\s*'(\w+)'/g, /metricName:\s*'(\w+)'/g]),
    ];
    const outcomes = matches(code, [/DECISION_OUTCOMES = \[([^\]]+)\]/g])
      .flatMap((list) => list.match(/\w+/g) ?? [])
      .map((o) => `Decision${o}`);
    const all = [...metrics, ...outcomes];
    expect(all).toEqual(
      expect.arrayContaining(['EventsApplied', 'MdesKeyDaysToExpiry', 'OtpDelivered', 'DecisionAPPROVED']),
    );
    expect(all.filter((m) => !named(doc, m))).toEqual([]);
  });
});
