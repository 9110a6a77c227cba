// Runs the portable suite on Deno, and serves the Deno guide's app with Deno.serve.
import { equal } from '../harness.mjs';
import { builtPackageTest, runSuite } from '../run.mjs';

const extra = [
  builtPackageTest((specifier) => import.meta.resolve(specifier)),
  {
    name: "deno: the guide's server answers over HTTP",
    fn: async () => {
      const { server } = await import('../fixtures/deno.mjs');
      try {
        const response = await fetch(`http://127.0.0.1:${server.addr.port}/api/quote`);
        equal(response.status, 200);
        equal((await response.json()).quote, 'Fail fast, recover by yourself.');
      } finally {
        await server.shutdown();
      }
    },
  },
];

console.log(`# deno ${Deno.version.deno}`);
const { failed } = await runSuite({ upstream: Deno.env.get('UPSTREAM_URL'), log: (line) => console.log(line), extra });
Deno.exit(failed === 0 ? 0 : 1);
