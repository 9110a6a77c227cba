// Checks the built package against its package.json: every `exports` target exists, the
// `typesVersions` fallback lists every subpath, each entry loads as ESM and as CommonJS, and
// the root entry pulls in no adapter code.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const require = createRequire(import.meta.url);
const problems = [];

for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json') continue;
  const files = [target.import?.types, target.import?.default, target.require?.types, target.require?.default];
  if (files.some((f) => typeof f !== 'string')) {
    problems.push(`${subpath}: needs import.types, import.default, require.types and require.default`);
    continue;
  }
  for (const file of files) if (!existsSync(file)) problems.push(`${subpath}: ${file} was not built`);
  if (subpath !== '.') {
    const listed = pkg.typesVersions?.['*']?.[subpath.slice(2)]?.[0];
    if (listed !== target.import.types) problems.push(`${subpath}: typesVersions should point to ${target.import.types}`);
  }
  try {
    const esm = await import(pathToFileURL(resolve(target.import.default)).href);
    const cjs = require(resolve(target.require.default));
    const a = Object.keys(esm).sort().join();
    const b = Object.keys(cjs).sort().join();
    if (a !== b) problems.push(`${subpath}: ESM exports [${a}] differ from CommonJS exports [${b}]`);
  } catch (error) {
    problems.push(`${subpath}: does not load: ${error.message}`);
  }
}

// Follow the root entry's relative imports: none may reach an adapter.
const seen = new Set();
const visit = (file) => {
  if (seen.has(file)) return;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, spec] of text.matchAll(/(?:from|import)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) visit(join(dirname(file), spec));
};
visit(pkg.exports['.'].import.default);
for (const file of seen) if (file.includes('adapters')) problems.push(`the root entry pulls in ${file}`);

if (problems.length > 0) {
  for (const p of problems) console.error(`check-package: ${p}`);
  process.exit(1);
}
console.log(
  `check-package: ${Object.keys(pkg.exports).length - 1} entry points built, loadable as ESM and CommonJS; the root entry holds ${seen.size} modules and no adapter`,
);
