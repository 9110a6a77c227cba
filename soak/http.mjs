import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import autocannon from 'autocannon';

/** The adapters present in dist (the soak skips those not built). */
export const frameworks = ['express', 'koa', 'hono'].filter((f) =>
  existsSync(new URL(`../dist/adapters/${f}.js`, import.meta.url)),
);

function reply(child, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m && key in m) {
        child.off('message', on);
        resolve(m[key]);
      }
    };
    child.on('message', on);
  });
}

async function load(url, amount) {
  const result = await autocannon({ url, connections: 10, pipelining: 1, amount });
  return { '2xx': result['2xx'], '5xx': result['5xx'], errors: result.errors, rps: Math.round(result.requests.average) };
}

/** 10,000 warm-up requests, then 100,000 more over keep-alive connections; server heap after each. */
export async function soakHttp(framework, amount = 100_000) {
  const child = fork(new URL('./http-server.mjs', import.meta.url), [framework], { execArgv: ['--expose-gc'] });
  const exited = new Promise((_resolve, reject) =>
    child.on('exit', (code) => reject(new Error(`${framework} server exited (${code})`))),
  );
  exited.catch(() => {});
  const port = await Promise.race([reply(child, 'port'), exited]);
  const url = `http://127.0.0.1:${port}/r`;
  const heap = async () => {
    child.send('heap');
    return reply(child, 'heap');
  };
  const start = await heap();
  const warm = await load(url, 10_000);
  const afterWarmUp = await heap();
  const run = await load(url, amount);
  const after = await heap();
  child.send('close');
  await new Promise((resolve) => child.on('exit', resolve));
  return { framework, start, afterWarmUp, after, warm, run };
}
