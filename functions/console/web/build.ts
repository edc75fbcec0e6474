/**
 * The console's browser bundle: esbuild bundles `src/main.ts` (Preact + htm + oauth4webapi) and
 * `src/styles.css` into content-hashed files under `assets/` (cached for a year by the handler) and
 * writes `index.html` naming them, into the directory the console handler serves
 * (functions/console/public/). Run at the local stack's start and before every `cdk synth`/`deploy`
 * (cdk.json `build`), never committed: `npm run build:console [-- outDir]`.
 * The page loads only same-origin files: no inline script or style, no CDN, so the handler's
 * Content-Security-Policy can be `script-src 'self'; style-src 'self'`.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** Where the console handler serves its files from (copied beside its bundle in AWS). */
export const CONSOLE_PUBLIC_DIR = path.join(__dirname, '..', 'public');

/** The URL path the console is served under. */
export const CONSOLE_BASE = '/console';

/** So the browser's icon request is not a 404 at the API's root. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#12263f"/>' +
  '<rect x="3" y="5" width="10" height="6" rx="1" fill="#fff"/></svg>\n';

const indexHtml = (js: string, css: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Customer Service console</title>
    <link rel="icon" href="${CONSOLE_BASE}/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="${CONSOLE_BASE}/${css}" />
    <script src="${CONSOLE_BASE}/${js}" defer></script>
  </head>
  <body>
    <div id="app"><p class="loading">Loading the console…</p></div>
    <noscript>The console needs JavaScript.</noscript>
  </body>
</html>
`;

/** What was written: paths relative to the output directory. */
export interface ConsoleBuild {
  outDir: string;
  js: string;
  css: string;
  files: string[];
}

/** Writes via a temporary name and a rename, so a reader never sees half a file. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** Bundles the console into `outDir` (created when missing); synchronous, ~100 ms. */
export function buildConsole(outDir: string = CONSOLE_PUBLIC_DIR): ConsoleBuild {
  const { outputFiles } = buildSync({
    entryPoints: { app: path.join(__dirname, 'src', 'main.ts'), styles: path.join(__dirname, 'src', 'styles.css') },
    outdir: path.join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2022'],
    platform: 'browser',
    tsconfig: path.join(__dirname, 'tsconfig.json'),
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'error',
    write: false,
  });
  const rel = (p: string) => path.relative(outDir, p).split(path.sep).join('/');
  const js = outputFiles.find((f) => f.path.endsWith('.js'));
  const css = outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error('esbuild wrote no script or no stylesheet');
  // Earlier builds' hashed files go; then the new ones, then the page that names them.
  const assets = path.join(outDir, 'assets');
  mkdirSync(assets, { recursive: true });
  const keep = new Set([js.path, css.path].map((p) => path.basename(p)));
  // Only finished hashed files (another process's `.tmp` may be on its way to a rename).
  for (const name of readdirSync(assets))
    if (/^(app|styles)-[A-Z2-7]{8}\.(js|css)$/.test(name) && !keep.has(name))
      rmSync(path.join(assets, name), { force: true });
  for (const f of [js, css]) writeAtomically(f.path, f.contents);
  writeAtomically(path.join(outDir, 'favicon.svg'), FAVICON);
  writeAtomically(path.join(outDir, 'index.html'), indexHtml(rel(js.path), rel(css.path)));
  return {
    outDir,
    js: rel(js.path),
    css: rel(css.path),
    files: ['index.html', 'favicon.svg', rel(js.path), rel(css.path)],
  };
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? CONSOLE_PUBLIC_DIR);
  const { files } = buildConsole(outDir);
  process.stdout.write(`console: ${files.join(', ')} in ${path.relative(process.cwd(), outDir) || '.'}\n`);
}
