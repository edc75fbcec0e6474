import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './doc-links';

/** The README is the front door: short, with the two Quick start commands exactly as CI and people run them. */
describe('README.md', () => {
  const file = path.join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');

  it('is at most 10 KB', () => {
    expect(statSync(file).size).toBeLessThanOrEqual(10 * 1024);
  });

  it('has both Quick start commands', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'));
    expect(quickStart).toContain('npm ci && npm start');
    expect(quickStart).toContain('npm ci && npm test');
  });

  it('maps each flow to its handler folder, use case folder and doc page', () => {
    for (const flow of ['events', 'decision', 'idv', 'tokens', 'customer-service', 'keys']) {
      const row = readme.split('\n').find((l) => l.startsWith('|') && l.includes(`docs/flows/${flow}.md`));
      expect({ flow, row: row !== undefined }).toEqual({ flow, row: true });
      expect(row).toContain(`functions/${flow}/`);
      expect(row).toContain(`shared/${flow}/`);
    }
  });
});
