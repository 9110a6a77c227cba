// Runs the recipes of docs/recipes.md that need p-retry and p-limit (ESM only, which Jest's
// CommonJS mode cannot load) against the upstream at UPSTREAM_URL, and prints what happened
// as one JSON line. __tests__/docs/recipes.test.ts bundles it, runs it with node and checks it.
import { reportsClient } from '../../docs/examples/recipes-bulkhead.js';
import { chatClient } from '../../docs/examples/recipes-llm.js';
import { inventoryClient } from '../../docs/examples/recipes-retry.js';

const base = process.env.UPSTREAM_URL as string;
const hits = async (): Promise<Record<string, number>> => (await fetch(`${base}/hits`)).json() as Promise<Record<string, number>>;
const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message, name: error.name }),
  );

const results: Record<string, unknown> = {};

// Retry: two failures then a success; then an upstream that never recovers.
{
  const { breaker, getStock } = inventoryClient(base);
  results.flaky = { ...(await settle(getStock('flaky'))), totals: breaker.stats().totals };
  const down = inventoryClient(base, { resetTimeoutMs: 1000 });
  const events: string[] = [];
  down.breaker.on('*', (type) => {
    if (type === 'failure' || type === 'reject') events.push(type);
  });
  results.down = { ...(await settle(down.getStock('down'))), totals: down.breaker.stats().totals, events };
  const isolated = inventoryClient(base);
  isolated.breaker.isolate();
  results.isolated = await settle(isolated.getStock('flaky2'));
}

// Bulkhead: twelve reports at once, four at a time; then more than the queue holds.
{
  const { getReport } = reportsClient(base, { concurrency: 4 });
  const reports = await Promise.all(Array.from({ length: 12 }, (_, i) => getReport(String(i))));
  const { maxConcurrent } = await (await fetch(`${base}/reports-stats`)).json();
  results.bulkhead = { reports: reports.length, maxConcurrent };
  const small = reportsClient(base, { concurrency: 1, maxQueue: 2 });
  results.shed = await Promise.all(Array.from({ length: 4 }, (_, i) => settle(small.getReport(`s${i}`))));
}

// The streaming chat client: a completion, a stream cut midway, a stall, a 429 with Retry-After.
{
  const chat = chatClient(base, 'key', { bodyIdleMs: 300, firstByteTimeoutMs: 300 });
  const origin = new URL(base).origin;
  results.complete = await settle(chat.complete('hello'));
  results.cut = await settle(chat.complete('cut'));
  results.stall = await settle(chat.complete('stall'));
  results.afterStreams = chat.registry.get(origin).stats().totals;
  const early = chat.stream([{ role: 'user', content: 'hello' }]);
  results.first = (await early.next()).value;
  await early.return(undefined); // stops reading: ignored
  results.afterEarlyStop = chat.registry.get(origin).stats().totals;
  results.limited = await settle(chat.complete('429'));
  const before = (await hits()).chat;
  results.whileOpen = await settle(chat.complete('hello'));
  results.sentWhileOpen = (await hits()).chat - before;
  results.state = chat.registry.get(origin).stats();
}

console.log(JSON.stringify(results));
