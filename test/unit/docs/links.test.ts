import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { anchorsOf, documentationFiles, problemsOf, ROOT, slug } from './doc-links';

/**
 * Paths in the documentation drift when code moves (the layout-by-flow move rewrote them by hand):
 * every relative link (and its #anchor) and every backticked repo path in README.md, SECURITY.md and
 * docs/** must exist.
 */
describe('documentation links and paths', () => {
  const files = documentationFiles();

  it('finds the pages', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'SECURITY.md', 'docs/flows/events.md']));
  });

  it.each(files)('%s: every relative link, anchor and repo path exists', (file) => {
    expect(problemsOf(file, readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
  });
});

describe('the checker fails on what it must catch', () => {
  const page = [
    '# Title',
    '## The `x.ts` part (issue 1 §2)',
    'See [ok](README.md), [gone](docs/nowhere.md), [bad anchor](README.md#no-such-heading),',
    '[own](#the-xts-part-issue-1-2), [ext](https://example.com/x), code `shared/domain/nothing-here.ts`,',
    'a placeholder `functions/<flow>/`, a bare `x.ts`, a real one `shared/config.ts` and `cdk.json`.',
    '```bash',
    'cat `shared/not-checked-in-fences.ts` [x](fenced.md)',
    '```',
  ].join('\n');

  it('reports a missing file, a missing anchor and a missing backticked path, nothing else', () => {
    expect(problemsOf('PAGE.md', page)).toEqual([
      'PAGE.md: link to missing docs/nowhere.md',
      'PAGE.md: link to missing anchor README.md#no-such-heading',
      'PAGE.md: `shared/domain/nothing-here.ts` does not exist',
    ]);
  });

  it('computes anchors as GitHub does', () => {
    expect(slug('Decision fail modes under a slow or failing store (issue 11 §10)')).toBe(
      'decision-fail-modes-under-a-slow-or-failing-store-issue-11-10',
    );
    expect(slug('The sanitiser (`shared/domain/sanitise.ts`)')).toBe('the-sanitiser-shareddomainsanitisets');
    expect([...anchorsOf('# A\n## A\n```\n# not a heading\n```\n')]).toEqual(['a', 'a-1']);
  });
});
