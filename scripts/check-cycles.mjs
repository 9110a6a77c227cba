// Finds import cycles among the files of src/. A cycle of runtime imports only (plain
// `import`/`export ... from`, not `import type`) is always an error: its modules' evaluation
// order decides what is defined when. A cycle with a type import in it is a loop in the types,
// tolerated up to TYPE_CYCLES_ALLOWED. Exits 1 on a problem.
// `node scripts/check-cycles.mjs`; run by `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Cycles through a type import that may stay (none today). */
export const TYPE_CYCLES_ALLOWED = 0;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

// `import ... from './x.js'`, `export ... from './x.js'`, `import './x.js'`, multi-line included.
const IMPORT = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s+'(\.{1,2}\/[^']+)'|^import\s+'(\.{1,2}\/[^']+)'/gms;

/** The relative imports of each file: `{ file -> [{ to, type }] }`, `type` true for an import of types only. */
export function graph(src = join(ROOT, 'src')) {
  const edges = new Map();
  for (const file of files(src)) {
    const text = readFileSync(file, 'utf8');
    const list = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[4] ?? m[5];
      const to = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      // `import { type A, type B }` imports types only, as `import type` does.
      const names = m[3] ?? '';
      const inner = names.match(/^\{([\s\S]*)\}$/);
      const allTypes = inner?.[1].split(',').every((n) => n.trim() === '' || /^type\s/.test(n.trim())) === true;
      list.push({ to, type: m[2] !== undefined || allTypes });
    }
    edges.set(file, list);
  }
  return edges;
}

/** Every elementary cycle, found once each, as `{ files, type }` (`type`: one of its edges at least is a type import). */
export function cycles(edges) {
  const found = [];
  const seen = new Set();
  const nodes = [...edges.keys()].sort();
  const index = new Map(nodes.map((n, i) => [n, i]));
  // Johnson-lite: cycles whose smallest node is `start`, by depth-first search over larger nodes.
  for (const start of nodes) {
    const path = [start];
    const types = [];
    const walk = (node) => {
      for (const { to, type } of edges.get(node) ?? []) {
        if (!edges.has(to) || index.get(to) < index.get(start)) continue;
        if (to === start) {
          const key = path.join('>');
          if (!seen.has(key)) {
            seen.add(key);
            found.push({ files: [...path], type: [...types, type].some(Boolean) });
          }
          continue;
        }
        if (path.includes(to)) continue;
        path.push(to);
        types.push(type);
        walk(to);
        path.pop();
        types.pop();
      }
    };
    walk(start);
  }
  return found;
}

function main() {
  const found = cycles(graph());
  const runtime = found.filter((c) => !c.type);
  const typeOnly = found.filter((c) => c.type);
  const show = (c) => [...c.files, c.files[0]].map((f) => relative(ROOT, f)).join(' -> ');
  for (const c of runtime) console.error(`cycles: runtime import cycle: ${show(c)}`);
  for (const c of typeOnly) console.error(`cycles: type import cycle: ${show(c)}`);
  const problems = runtime.length + Math.max(0, typeOnly.length - TYPE_CYCLES_ALLOWED);
  if (problems > 0) {
    console.error(`cycles: ${runtime.length} runtime, ${typeOnly.length} type-only (${TYPE_CYCLES_ALLOWED} allowed)`);
    process.exit(1);
  }
  console.log(`cycles: none among ${graph().size} files in src/`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
