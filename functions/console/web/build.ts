/**
 * The console's browser bundle: esbuild bundles `src/main.ts` (Preact + htm + oauth4webapi) into one
 * minified script and writes it with the stylesheet and `index.html` into the directory the console
 * handler serves. Run by the CDK bundling of the console function and by the local stack's start (no
 * build output is committed): `tsx functions/console/web/build.ts [outDir]`.
 * The page loads only same-origin files (`/console/app.js`, `/console/app.css`): no inline script or
 * style, no CDN, so the handler's Content-Security-Policy can be `script-src 'self'`.
 */
import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** Where the console handler serves its files from (`functions/console/assets/`). */
export const CONSOLE_ASSETS_DIR = path.join(__dirname, '..', 'assets');

/** The URL path the console is served under. */
export const CONSOLE_BASE = '/console';

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Customer Service console</title>
    <link rel="icon" href="${CONSOLE_BASE}/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="${CONSOLE_BASE}/app.css" />
    <script src="${CONSOLE_BASE}/app.js" defer></script>
  </head>
  <body>
    <div id="app"><p class="loading">Loading the console…</p></div>
    <noscript>The console needs JavaScript.</noscript>
  </body>
</html>
`;

/** So the browser's icon request is not a 404 at the API's root. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#12263f"/>' +
  '<rect x="3" y="5" width="10" height="6" rx="1" fill="#fff"/></svg>\n';

/** The files written, for the size test and the handler's content types. */
export interface ConsoleBuild {
  outDir: string;
  files: string[];
}

/** Bundles the console into `outDir` (created when missing); synchronous, ~100 ms. */
export function buildConsole(outDir: string = CONSOLE_ASSETS_DIR): ConsoleBuild {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [path.join(__dirname, 'src', 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2022'],
    platform: 'browser',
    tsconfig: path.join(__dirname, 'tsconfig.json'),
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'error',
  });
  copyFileSync(path.join(__dirname, 'src', 'styles.css'), path.join(outDir, 'app.css'));
  writeFileSync(path.join(outDir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(outDir, 'favicon.svg'), FAVICON);
  return { outDir, files: ['index.html', 'app.js', 'app.css', 'favicon.svg'] };
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? CONSOLE_ASSETS_DIR);
  const { files } = buildConsole(outDir);
  process.stdout.write(`console: ${files.join(', ')} in ${path.relative(process.cwd(), outDir) || '.'}\n`);
}
