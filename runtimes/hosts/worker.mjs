// The Worker that runs the portable suite on workerd: GET /suite runs it and answers with
// the report; any other request goes to the Workers guide's app (fixtures/worker.mjs).
import guide from '../fixtures/worker.mjs';
import { equal } from '../harness.mjs';
import { runSuite } from '../run.mjs';

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname !== '/suite') return guide.fetch(request, env, ctx);
    const lines = [];
    const extra = [
      {
        name: "workers: the guide's module answers through its fetch handler",
        fn: async () => {
          const response = await guide.fetch(new Request('http://worker.test/api/quote'), env, ctx);
          equal(response.status, 200);
          equal((await response.json()).quote, 'Fail fast, recover by yourself.');
        },
      },
    ];
    const result = await runSuite({ upstream: env.UPSTREAM_URL, log: (line) => lines.push(line), extra });
    return Response.json({ lines, ...result });
  },
};
