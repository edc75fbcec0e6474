import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** README.md, SECURITY.md and every markdown page under docs/, as repo-relative paths. */
export function documentationFiles(root = ROOT): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      const rel = path.posix.join(dir, name);
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.md')) found.push(rel);
    }
  };
  walk('docs');
  return ['README.md', 'SECURITY.md', ...found].filter((f) => existsSync(path.join(root, f)));
}

/** Markdown without its fenced code blocks (their content is shell or JSON, not links or inline code). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a page offers: one per heading, repeated headings numbered as GitHub does. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Relative link targets of a page (`[text](target)`), external links and pure anchors included as found. */
export function linksOf(markdown: string): string[] {
  const body = withoutFences(markdown).replace(/`[^`\n]*`/g, '');
  return [...body.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? '');
}

const REPO_PATH = /^(?:functions|shared|infra|local|test|bench|docs)\/[\w.@/-]*$/;
/** Files at the root that pages name bare; other bare file names are relative to their context. */
const ROOT_FILES = new Set(['cdk.json', 'package.json', 'tsconfig.json', '.dependency-cruiser.cjs', 'SECURITY.md']);

/**
 * Inline code that names a file or folder of the repository: `shared/…/x.ts`, `docs/…`, `cdk.json`.
 * Placeholders (`<flow>`, `…`, globs), run-time files (`.local/…`) and bare file names (relative to
 * their context) are not checked, except the root files pages name bare (`cdk.json`).
 */
export function repoPathsOf(markdown: string): string[] {
  const spans = [...withoutFences(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => (m[1] ?? '').trim());
  return spans.filter((s) => ROOT_FILES.has(s) || (REPO_PATH.test(s) && !/[<>…*{}]/.test(s)));
}

/** Every broken relative link, anchor and backticked repo path of one page. */
export function problemsOf(file: string, markdown: string, root = ROOT): string[] {
  const problems: string[] = [];
  const dir = path.posix.dirname(file);
  for (const target of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [rawPath = '', anchor] = target.split('#', 2);
    const rel = rawPath === '' ? file : path.posix.normalize(path.posix.join(dir, decodeURI(rawPath)));
    if (rawPath !== '' && (rel.startsWith('..') || !existsSync(path.join(root, rel)))) {
      problems.push(`${file}: link to missing ${target}`);
      continue;
    }
    if (anchor && rel.endsWith('.md')) {
      const page = rel === file ? markdown : readFileSync(path.join(root, rel), 'utf8');
      if (!anchorsOf(page).has(anchor)) problems.push(`${file}: link to missing anchor ${target}`);
    }
  }
  for (const p of repoPathsOf(markdown)) {
    if (!existsSync(path.join(root, p))) problems.push(`${file}: \`${p}\` does not exist`);
  }
  return problems;
}
