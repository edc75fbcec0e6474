/**
 * The console's bundle (functions/console/web/build.ts): small (≤ 150 KB of JavaScript gzipped), one
 * same-origin script and stylesheet with no inline script or style (the CSP allows only 'self'), no
 * third-party origin, and no browser storage API anywhere in it (tokens and searches stay in memory).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole } from '../../functions/console/web/build';

const MAX_GZIPPED_JS = 150 * 1024;

let dir: string;
let js: string;
let html: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'console-bundle-'));
  const built = buildConsole(dir);
  js = readFileSync(path.join(dir, built.js), 'utf8');
  html = readFileSync(path.join(dir, 'index.html'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('console bundle', () => {
  it(`is at most ${MAX_GZIPPED_JS / 1024} KB of JavaScript gzipped`, () => {
    const gzipped = gzipSync(js).length;
    expect(gzipped).toBeGreaterThan(1000);
    expect(gzipped).toBeLessThanOrEqual(MAX_GZIPPED_JS);
  });

  it('loads one same-origin script and stylesheet: no inline script, no inline style, no third-party origin', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.[1]).toMatch(/src="\/console\/assets\/app-[A-Z2-7]{8}\.js"/);
    expect(scripts[0]?.[2]?.trim()).toBe('');
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toMatch(/<link rel="stylesheet" href="\/console\/assets\/styles-[A-Z2-7]{8}\.css"/);
    // The only absolute URLs in the script are XML namespaces (Preact's SVG/MathML), never fetched.
    const origins = new Set([...js.matchAll(/https?:\/\/[a-z0-9.-]+/gi)].map((m) => m[0]));
    expect([...origins].filter((o) => o !== 'http://www.w3.org')).toEqual([]);
  });

  it('uses no browser storage: tokens, drafts and searches stay in memory', () => {
    expect(js).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie|caches\.open/);
  });
});
