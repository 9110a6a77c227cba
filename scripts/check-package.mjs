// Checks the built package against its package.json: every `exports` target exists, the
// `typesVersions` fallback lists every subpath, each entry loads as ESM and as CommonJS (also
// installed alone, with mitt and no framework (nor fastify-plugin, nor axios); the metrics entries with their metrics library),
// and the root entry pulls in no adapter or metrics code.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
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

// Follow the root entry's relative imports: none may reach an adapter or the metrics code.
const seen = new Set();
const visit = (file) => {
  if (seen.has(file)) return;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, spec] of text.matchAll(/(?:from|import)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) visit(join(dirname(file), spec));
};
visit(pkg.exports['.'].import.default);
for (const file of seen) if (/adapters|metrics/.test(file)) problems.push(`the root entry pulls in ${file}`);

/** Copies an installed package and the packages it depends on (hoisted) into `root`/node_modules. */
function copyWithDependencies(name, root) {
  const to = join(root, 'node_modules', name);
  if (existsSync(to)) return;
  cpSync(join('node_modules', name), to, { recursive: true });
  const manifest = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) copyWithDependencies(dependency, root);
}
const METRICS_PEERS = ['prom-client', '@opentelemetry/api'];

// The metrics entries stay out of every other entry: none imports a metrics library.
for (const { import: target } of Object.values(pkg.exports).filter((t) => typeof t === 'object')) {
  if (target.default.includes('/metrics/')) continue;
  const text = readFileSync(target.default, 'utf8');
  for (const peer of METRICS_PEERS) if (text.includes(`'${peer}'`)) problems.push(`${target.default} imports ${peer}`);
}

// The REST store runs on workerd without Node's compatibility layer: nothing it loads imports a `node:` module.
{
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
      if (spec.startsWith('node:')) problems.push(`${file} (loaded by tripswitch/upstash) imports ${spec}`);
      else if (spec.startsWith('.')) visit(join(dirname(file), spec));
    }
  };
  visit('dist/stores/upstash/index.js');
}

// Install the package alone (with mitt, without Express, Koa or Hono) and load every entry
// point by its public name, as ESM and as CommonJS, in a fresh process.
const alone = mkdtempSync(join(tmpdir(), 'tripswitch-alone-'));
try {
  const home = join(alone, 'node_modules', 'tripswitch');
  cpSync('dist', join(home, 'dist'), { recursive: true });
  cpSync('package.json', join(home, 'package.json'));
  cpSync('node_modules/mitt', join(alone, 'node_modules', 'mitt'), { recursive: true });
  // The metrics entries need the library they export to (prom-client, @opentelemetry/api) at
  // runtime, as an adapter would need its framework if it did more than import its types.
  for (const peer of METRICS_PEERS) copyWithDependencies(peer, alone);
  const names = Object.keys(pkg.exports)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => `${pkg.name}${subpath.slice(1)}`);
  const probe = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const failed = [];
    for (const framework of ['express', 'koa', 'hono', 'fastify', 'fastify-plugin', 'axios', 'ioredis', 'redis', '@upstash/redis']) {
      try { require.resolve(framework); failed.push(framework + ' is installed'); } catch {}
    }
    for (const name of ${JSON.stringify(names)}) {
      try { if (Object.keys(await import(name)).length === 0) failed.push(name + ': no ESM exports'); } catch (e) { failed.push(name + ' (ESM): ' + e.message); }
      try { if (Object.keys(require(name)).length === 0) failed.push(name + ': no CommonJS exports'); } catch (e) { failed.push(name + ' (CommonJS): ' + e.message); }
    }
    console.log(JSON.stringify(failed));
  `;
  writeFileSync(join(alone, 'probe.mjs'), probe);
  const failed = JSON.parse(execFileSync(process.execPath, ['probe.mjs'], { cwd: alone, encoding: 'utf8' }));
  for (const f of failed) problems.push(`installed without frameworks: ${f}`);
} finally {
  rmSync(alone, { recursive: true, force: true });
}

// The README is shown on the package page, where only the packed files exist: its links must
// be absolute. The metadata that page links to must be there, and the license beside it.
for (const [, target] of readFileSync('README.md', 'utf8').matchAll(/\]\(([^)]+)\)/g)) {
  if (!/^(https?:|#)/.test(target)) problems.push(`README.md: link ${target} is relative: it breaks on the package page`);
}
for (const field of ['repository', 'homepage', 'bugs', 'license']) if (!pkg[field]) problems.push(`package.json: no ${field}`);
if (!existsSync('LICENSE')) problems.push('no LICENSE file');

if (problems.length > 0) {
  for (const p of problems) console.error(`check-package: ${p}`);
  process.exit(1);
}
console.log(
  `check-package: ${Object.keys(pkg.exports).length - 1} entry points built, loadable as ESM and CommonJS; also without any framework installed; the root entry holds ${seen.size} modules and no adapter`,
);
