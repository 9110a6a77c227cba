import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { listen, stop } from '../adapters/helpers.js';

// The recipes with p-retry, p-limit and the streaming chat client, run for real: p-retry and
// p-limit are ESM only, which Jest's CommonJS mode cannot load, so recipes-run.ts is bundled
// (tripswitch from src/) and run with node against the upstream below.

const root = join(__dirname, '../..');
let dir: string;
let server: ReturnType<typeof createServer>;
let base: string;
const hits: Record<string, number> = {};
let inFlight = 0;
let maxConcurrent = 0;

function chat(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    hits.chat = (hits.chat ?? 0) + 1;
    const prompt: string = JSON.parse(body).messages.at(-1).content;
    if (prompt === '429') {
      res.writeHead(429, { 'Retry-After': '60', 'Content-Type': 'application/json' });
      res.end('{"error":{"message":"rate limited"}}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    const token = (content: string) => res.write(`data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`);
    token('Hel');
    if (prompt === 'cut') {
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (prompt === 'stall') return; // nothing more, until the client gives up
    setTimeout(() => {
      token('lo');
      res.end('data: [DONE]\n\n');
    }, 20);
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url as string).split('?')[0] as string;
    if (path === '/v1/chat/completions') return chat(req, res);
    if (path === '/hits') return res.end(JSON.stringify(hits));
    if (path === '/reports-stats') return res.end(JSON.stringify({ maxConcurrent }));
    const [, kind, id] = path.split('/') as [string, string, string];
    hits[`${kind}/${id}`] = (hits[`${kind}/${id}`] ?? 0) + 1;
    if (kind === 'reports') {
      inFlight++;
      maxConcurrent = Math.max(maxConcurrent, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end(`report ${id}`);
      }, 20);
      return;
    }
    const n = hits[`${kind}/${id}`] as number;
    if (id === 'down' || (id === 'flaky' && n <= 2)) {
      res.writeHead(503);
      res.end('unavailable');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ sku: id, count: n }));
  });
  base = await listen(server);
  dir = mkdtempSync(join(tmpdir(), 'tripswitch-recipes-'));
  buildSync({
    entryPoints: [join(__dirname, 'recipes-run.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'run.mjs'),
    alias: { tripswitch: join(root, 'src/index.ts'), 'tripswitch/fetch': join(root, 'src/adapters/fetch.ts') },
    logLevel: 'error',
  });
});

afterAll(async () => {
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
});

test('the p-retry, p-limit and streaming chat recipes do what docs/recipes.md says', async () => {
  // Asynchronously: the upstream lives in this process.
  const child = spawn(process.execPath, [join(dir, 'run.mjs')], { env: { ...process.env, UPSTREAM_URL: base } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(err).toBe('');
  expect(code).toBe(0);
  const r = JSON.parse(out);

  // p-retry: two failures, then the third attempt succeeds; the breaker (3 in a row) stays closed.
  expect(r.flaky).toMatchObject({ value: { sku: 'flaky', count: 3 }, totals: { calls: 3, failures: 2, successes: 1 } });
  // An upstream that stays down: the breaker opens after three; a CircuitOpenError is only ever
  // retried after its retryAfterMs, so the next attempt is a probe, never another refusal.
  const events: string[] = r.down.events;
  expect(events.slice(0, 3)).toEqual(['failure', 'failure', 'failure']);
  expect(events.join(' ')).not.toContain('reject reject');
  expect(events).toContain('reject');
  expect(r.down.totals.failures).toBe(hits['stock/down']);
  expect(r.down.name).toBe('CircuitOpenError');
  // Isolated: no waiting for ever, no request sent.
  expect(r.isolated).toMatchObject({ name: 'CircuitOpenError' });
  expect(hits['stock/flaky2']).toBeUndefined();

  // p-limit: never more than four at once; one running and two waiting fill a bulkhead of one
  // with a queue of two, so the fourth call is shed.
  expect(r.bulkhead.reports).toBe(12);
  expect(r.bulkhead.maxConcurrent).toBeLessThanOrEqual(4);
  expect(r.shed.map((s: { value?: string; error?: string }) => s.value ?? s.error)).toEqual([
    'report s0',
    'report s1',
    'report s2',
    'reports: too many requests waiting',
  ]);

  // The chat client: a clean stream a success, a cut one a failure, a stalled one a timeout.
  expect(r.complete).toEqual({ value: 'Hello' });
  expect(r.cut).toMatchObject({ error: 'terminated' });
  expect(r.stall).toMatchObject({ error: 'chat stalled for 300 ms' });
  expect(r.afterStreams).toMatchObject({ calls: 3, successes: 1, failures: 2, timeouts: 1 });
  expect(r.first).toBe('Hel');
  expect(r.afterEarlyStop).toMatchObject({ calls: 4, ignored: 1 });
  // A 429 with Retry-After: 60 keeps the provider's breaker open for a minute; nothing is sent meanwhile.
  expect(r.limited.error).toBe('chat answered 429: {"error":{"message":"rate limited"}}');
  expect(r.whileOpen).toMatchObject({ error: 'chat unavailable, retry in 60 s' });
  expect(r.sentWhileOpen).toBe(0);
  expect(r.state).toMatchObject({ state: 'open', inFlight: 0 });
});
