import { build } from 'esbuild';

const r = await build({
  stdin: { contents: process.argv[2], resolveDir: '/work/wt-perf', loader: 'js' },
  alias: { tripswitch: '/work/wt-perf/dist/index.js' },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  metafile: true,
  logLevel: 'silent',
  mainFields: ['module', 'main'],
});
const out = Object.values(r.metafile.outputs)[0];
for (const [f, v] of Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput))
  console.log(String(v.bytesInOutput).padStart(6), f);
