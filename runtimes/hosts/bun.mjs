// Runs the portable suite on Bun, and serves the Bun guide's app with Bun.serve.
import { equal } from '../harness.mjs';
import { builtPackageTest, runSuite } from '../run.mjs';

const extra = [
  builtPackageTest((specifier) => import.meta.resolve(specifier)),
  {
    name: "bun: the guide's server answers over HTTP",
    fn: async () => {
      const { server } = await import('../fixtures/bun.mjs');
      try {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/quote`);
        equal(response.status, 200);
        equal((await response.json()).quote, 'Fail fast, recover by yourself.');
      } finally {
        await server.stop(true);
      }
    },
  },
];

console.log(`# bun ${Bun.version}`);
const { failed } = await runSuite({ upstream: Bun.env.UPSTREAM_URL, log: (line) => console.log(line), extra });
process.exitCode = failed === 0 ? 0 : 1;
