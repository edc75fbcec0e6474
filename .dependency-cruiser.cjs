// The layout's dependency rules (docs/decisions/0001-layout-by-flow.md), checked by `npm run lint`.
// Arrows: functions/<flow> → shared/<flow> → shared/domain; adapters implement the flows' ports.
const FLOWS = '(events|decision|idv|tokens|customer-service|keys|edge|lifecycle|reconciliation|cards|cardholder)';
const OURS = '^(functions|shared|infra|local|bench|test)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between modules.',
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'No cycles between folders (a folder that imports another must not be imported back by it).',
      scope: 'folder',
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: 'flow-imports-no-other-flow',
      severity: 'error',
      comment: 'A flow imports domain/, adapters/ and config, never another flow.',
      from: { path: `^shared/${FLOWS}/` },
      to: { path: `^shared/${FLOWS}/`, pathNot: '^shared/$1/' },
    },
    {
      name: 'handler-imports-its-own-flow',
      severity: 'error',
      comment:
        'functions/<flow> call the use cases of their own flow (shared/<flow>), not another flow. One exception: ' +
        'shared/lifecycle/, the single door for acting on tokens (audited, status rules), which any composition ' +
        'root may use (docs/decisions/0020-lifecycle-is-the-door-for-token-actions.md). Flows (shared/<flow>) ' +
        'still never import it: they keep a port.',
      from: { path: `^functions/${FLOWS}/` },
      // Exception: shared/lifecycle/ (ADR 0020): the lifecycle use case is the one door for token actions.
      to: { path: `^shared/${FLOWS}/`, pathNot: ['^shared/$1/', '^shared/lifecycle/'] },
    },
    {
      name: 'adapter-imports-no-flow',
      severity: 'error',
      comment: 'Adapters implement ports; they never import a flow.',
      from: { path: '^shared/adapters/' },
      to: { path: `^shared/${FLOWS}/` },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'The domain is the pure model: it imports nothing of ours outside itself.',
      from: { path: '^shared/domain/' },
      to: { path: OURS, pathNot: '^shared/domain/' },
    },
    {
      name: 'production-imports-no-local-test-bench',
      severity: 'error',
      comment: 'Production code never imports the local stand-ins, the tests or the benchmarks.',
      from: { path: '^(functions|shared|infra)/' },
      to: { path: '^(local|test|bench)/' },
    },
    {
      name: 'local-and-bench-import-no-test',
      severity: 'error',
      comment: 'local/ and bench/ never import test/.',
      from: { path: '^(local|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.local|bench/\\.build)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve JSON rule sets and .d.ts like TypeScript does.
    enhancedResolveOptions: { extensions: ['.ts', '.d.ts', '.js', '.json'] },
  },
};
