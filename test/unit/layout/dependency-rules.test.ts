import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The layout's dependency rules (.dependency-cruiser.cjs, run by `npm run lint`) must fail on what
 * they forbid: each case below builds a tiny tree with one violation and expects the rule to name it.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(
    process.execPath,
    [DEPCRUISE, 'functions', 'shared', 'local', 'test', '--config', CONFIG, '--output-type', 'err'],
    { cwd, encoding: 'utf8' },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A throwaway tree: path → source. Every tree has a tsconfig like ours so the options resolve. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'layout-rules-'));
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }),
    'shared/domain/model.ts': 'export const model = 1;\n',
    'functions/idv/handler.ts': "import { step } from '../../shared/idv/step';\nexport const h = step;\n",
    'shared/idv/step.ts': "import { model } from '../domain/model';\nexport const step = model;\n",
    'local/demo/start.ts': 'export const start = 1;\n',
    'test/unit/x.test.ts': 'export const t = 1;\n',
    ...files,
  };
  for (const [file, source] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  }
  return dir;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function expectViolation(files: Record<string, string>, rule: string): void {
  const dir = tree(files);
  dirs.push(dir);
  const { status, out } = cruise(dir);
  expect(out).toContain(`error ${rule}`);
  expect(status).not.toBe(0);
}

describe('dependency rules', () => {
  it('accept a tree that follows the layout (so the failures below are the violation, not the setup)', () => {
    const dir = tree({});
    dirs.push(dir);
    const { status, out } = cruise(dir);
    expect(out).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('fail on a cycle between folders, even without a cycle between files', () => {
    expectViolation(
      {
        'shared/adapters/a/one.ts':
          "import { two } from '../b/two';\nexport const one = two;\nexport const three = 3;\n",
        'shared/adapters/b/two.ts': 'export const two = 2;\n',
        'shared/adapters/b/four.ts': "import { three } from '../a/one';\nexport const four = three;\n",
      },
      'no-circular-folders',
    );
  });

  it('fail on a cycle between modules', () => {
    expectViolation(
      {
        'shared/adapters/a/one.ts': "import { two } from './two';\nexport const one = () => two;\n",
        'shared/adapters/a/two.ts': "import { one } from './one';\nexport const two = () => one;\n",
      },
      'no-circular',
    );
  });

  it('fail when a flow imports another flow', () => {
    expectViolation(
      { 'shared/events/ingest.ts': "import { step } from '../idv/step';\nexport const ingest = step;\n" },
      'flow-imports-no-other-flow',
    );
  });

  it("fail when a handler imports another flow's use case", () => {
    expectViolation(
      { 'functions/events/handler.ts': "import { step } from '../../shared/idv/step';\nexport const h = step;\n" },
      'handler-imports-its-own-flow',
    );
  });

  it('accept a handler of any flow using the lifecycle use case, the one door for token actions (ADR 0020)', () => {
    const dir = tree({
      'shared/lifecycle/lifecycle.ts': "import { model } from '../domain/model';\nexport const act = model;\n",
      'functions/cards/act.ts': "import { act } from '../../shared/lifecycle/lifecycle';\nexport const h = act;\n",
    });
    dirs.push(dir);
    const { status, out } = cruise(dir);
    expect(out).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('still fail when a flow (not its handler) imports the lifecycle use case', () => {
    expectViolation(
      {
        'shared/lifecycle/lifecycle.ts': "import { model } from '../domain/model';\nexport const act = model;\n",
        'shared/cards/act.ts': "import { act } from '../lifecycle/lifecycle';\nexport const a = act;\n",
      },
      'flow-imports-no-other-flow',
    );
  });

  it('fail when an adapter imports a flow', () => {
    expectViolation(
      { 'shared/adapters/aws/x.ts': "import { step } from '../../idv/step';\nexport const x = step;\n" },
      'adapter-imports-no-flow',
    );
  });

  it('fail when the domain imports outside itself', () => {
    expectViolation(
      {
        'shared/adapters/aws/x.ts': 'export const x = 1;\n',
        'shared/domain/bad.ts': "import { x } from '../adapters/aws/x';\nexport const bad = x;\n",
      },
      'domain-imports-only-domain',
    );
  });

  it('fail when production code imports local/ or test/', () => {
    expectViolation(
      { 'shared/idv/bad.ts': "import { start } from '../../local/demo/start';\nexport const bad = start;\n" },
      'production-imports-no-local-test-bench',
    );
  });

  it('fail when local/ imports test/', () => {
    expectViolation(
      { 'local/demo/bad.ts': "import { t } from '../../test/unit/x.test';\nexport const bad = t;\n" },
      'local-and-bench-import-no-test',
    );
  });
});
