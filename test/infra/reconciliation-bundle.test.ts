import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import { externalModulesOf } from '../../infra/constructs/app-function';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The sweep reads the table export with `@aws-sdk/client-s3` (pinned in package.json): bundled with
 * the function as AppFunction bundles it (its `externalModules`), so nothing relies on the Lambda
 * runtime's SDK copy (docs/decisions/0008-http-api-and-bundled-sdk.md).
 */
describe('the full sweep function bundle', () => {
  it('holds the pinned S3 client and requires no AWS SDK module at run time', async () => {
    // Act: the sweep's function calls Mastercard (MDES search), so node-forge stays outside.
    const external = externalModulesOf({ mastercard: true });
    const out = await build({
      entryPoints: [path.join(ROOT, 'functions/reconciliation/sweep-step.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external,
      logLevel: 'silent',
    });

    // Assess
    expect(external.some((m) => m.startsWith('@aws-sdk'))).toBe(false);
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((i) => i.startsWith('node_modules/@aws-sdk/client-s3/'))).toBe(true);
    // Nothing outside the bundle but Node's own modules and the installed-not-bundled ones.
    const outside = Object.values(out.metafile.outputs)
      .flatMap((o) => o.imports)
      .filter((i) => i.external)
      .map((i) => i.path.replace(/^node:/, ''));
    expect(outside.filter((m) => !builtinModules.includes(m) && !external.includes(m))).toEqual([]);
    // An import() of a computed name escapes the bundler: it would load whatever copy the runtime ships.
    const code = out.outputFiles.map((f) => f.text).join('\n');
    expect(code).not.toMatch(/\bimport\(\s*[A-Za-z_$][\w$]*\s*\)/);
  }, 120_000);
});
