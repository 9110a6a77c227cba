// Runs the portable suite on workerd: bundles worker.mjs as a Worker build would (esbuild,
// the package resolved through its exports map with the workerd/worker/browser conditions,
// no Node built-ins available), runs it in Miniflare, and prints the Worker's report.
// Miniflare needs Node >= 22: `node22 runtimes/hosts/workerd.mjs`, with UPSTREAM_URL set.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, transformSync } from 'esbuild';
import { Miniflare } from 'miniflare';

const versionOf = (name) => JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url))).version;
console.log(`# workerd ${versionOf('workerd')} (miniflare ${versionOf('miniflare')}, esbuild ${versionOf('esbuild')})`);

const bundle = await build({
  entryPoints: [fileURLToPath(new URL('./worker.mjs', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['browser', 'module', 'main'],
  target: 'es2022',
  // The project's own tsconfig maps `tripswitch` to src/ for its type checks; a user's build
  // sees only the package.
  tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
  metafile: true,
  write: false,
  logLevel: 'error',
});
const packageFiles = Object.keys(bundle.metafile.inputs).filter((path) => !/(^|\/)(node_modules|runtimes)\//.test(path));
const fromDist = packageFiles.length > 0 && packageFiles.every((path) => path.startsWith('dist/'));
// What the core, tripswitch/fetch, tripswitch/hono and tripswitch/testing are built from must
// not reach for Node: no node: modules, no process, no Buffer. The code is read without its
// comments; a feature test through `globalThis.process` (callback errors reported as process
// warnings where the platform has them) is not a use of Node.
const nodeOnly = /\bfrom\s*['"]node:|\bimport\(\s*['"]node:|\brequire\(|(?<!globalThis\.)\bprocess\.|\bBuffer\b/;
const codeOf = (path) => transformSync(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'), { minify: true }).code;
const touchingNode = packageFiles.filter((path) => nodeOnly.test(codeOf(path)));

const mf = new Miniflare({
  modules: true,
  script: bundle.outputFiles[0].text,
  compatibilityDate: '2026-07-01',
  bindings: { UPSTREAM_URL: process.env.UPSTREAM_URL },
});
try {
  const report = await (await mf.dispatchFetch('http://worker.test/suite')).json();
  let { passed, failed } = report;
  for (const line of report.lines.slice(0, -1)) console.log(line);

  // Where the bundle took tripswitch from: the built files only.
  if (fromDist) {
    passed++;
    console.log('ok the bundle holds the built package (dist/), resolved through its exports map');
  } else {
    failed++;
    console.log(`FAIL the bundle holds the built package (dist/): it holds ${packageFiles.join(', ')}`);
  }

  if (fromDist && touchingNode.length === 0) {
    passed++;
    console.log('ok the bundled package touches no Node-only API (node: modules, process, Buffer)');
  } else {
    failed++;
    console.log(`FAIL the bundled package touches no Node-only API: ${touchingNode.join(', ') || 'no dist/ files to check'}`);
  }

  // The guide's Worker, answering a request that came in over workerd's HTTP socket.
  const name = "workers: the guide's Worker answers over HTTP";
  const response = await mf.dispatchFetch('http://worker.test/api/quote');
  const body = await response.text();
  if (response.status === 200 && JSON.parse(body).quote === 'Fail fast, recover by yourself.') {
    passed++;
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${response.status} ${body}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
} finally {
  await mf.dispose();
}
