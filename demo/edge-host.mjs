// Runs demo/edge-worker.mjs in workerd (through Miniflare, which needs Node >= 22): bundles it
// as a Worker build would, serves it on a free 127.0.0.1 port and prints `{ "url" }`. Ends
// when its stdin closes. Environment: UPSTASH_URL, UPSTASH_TOKEN, UPSTREAM_URL.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const bundle = await build({
  entryPoints: [fileURLToPath(new URL('./edge-worker.mjs', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['browser', 'module', 'main'],
  external: ['cloudflare:workers'],
  target: 'es2022',
  tsconfig: fileURLToPath(new URL('../runtimes/tsconfig.json', import.meta.url)),
  write: false,
  logLevel: 'error',
});
const mf = new Miniflare({
  modules: true,
  script: bundle.outputFiles[0].text,
  compatibilityDate: '2026-07-01',
  host: '127.0.0.1',
  port: 0,
  bindings: {
    UPSTASH_URL: process.env.UPSTASH_URL,
    UPSTASH_TOKEN: process.env.UPSTASH_TOKEN,
    UPSTREAM_URL: process.env.UPSTREAM_URL,
  },
});
const url = await mf.ready;
process.stdout.write(`${JSON.stringify({ url: String(url) })}\n`);
process.stdin.resume();
process.stdin.on('end', () => mf.dispose().then(() => process.exit(0)));
