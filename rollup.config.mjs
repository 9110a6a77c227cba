import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';

// The entry points are the package.json `exports` map: each `import` target under dist/ is
// built from the same path under src/ (./dist/adapters/express.js <- src/adapters/express.ts).
// Adding an entry point is adding its block to `exports`; scripts/check-package.mjs checks
// that every target was built.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const input = Object.entries(pkg.exports)
  .filter(([key]) => key !== './package.json')
  .map(([, target]) => target.import.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));

const peers = ['mitt', 'prom-client', '@opentelemetry/api'];
const external = (id) => peers.includes(id) || id.startsWith('node:');

export default {
  input,
  external,
  plugins: [
    typescript({
      tsconfig: './tsconfig.build.json',
      compilerOptions: { declaration: false, emitDeclarationOnly: false, outDir: 'dist' },
      noEmitOnError: true,
    }),
  ],
  output: [
    { dir: 'dist', format: 'es', preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
    {
      dir: 'dist',
      format: 'cjs',
      preserveModules: true,
      preserveModulesRoot: 'src',
      entryFileNames: '[name].cjs',
      exports: 'named',
      interop: 'auto',
    },
  ],
  treeshake: { moduleSideEffects: false },
};
