// Runs the portable suite (runtimes/suite.mjs) on every runtime tripswitch supports: Node 20
// (this machine's), 22 and 24, Bun, Deno, and workerd through Miniflare. Builds the package
// once; each runtime then imports it by name, through the exports map. A runtime that cannot
// start, times out or reports a failure fails the run.
// `npm run test:runtimes [-- --verbose] [-- --only deno,bun]`
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { haveRedis, startRedis } from './redis-server.mjs';
import { startBridge } from './rest-bridge.mjs';

const root = new URL('..', import.meta.url).pathname;
const verbose = process.argv.includes('--verbose');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt === -1 ? null : process.argv[onlyAt + 1].split(',');
const RUNTIME_TIMEOUT_MS = 120_000;

const npm = (args) => spawnSync('npm', args, { cwd: root, stdio: 'inherit' }).status === 0;

// tripswitch/upstash's endpoint: a REST bridge in front of a real redis-server, reached through
// the upstream under /upstash (so every host passes the suite one URL).
const redis = haveRedis() ? await startRedis() : undefined;
const bridge = redis === undefined ? undefined : await startBridge({ redisPort: redis.port, token: 'runtime-token' });

// The upstream that guardFetch and the guides' app talk to. A path under /down always fails.
const upstream = createServer((req, res) => {
  const url = new URL(req.url, 'http://upstream');
  if (url.pathname.startsWith('/upstash')) {
    if (bridge === undefined) return res.writeHead(503).end('no redis-server here');
    const target = new URL(url.pathname.slice('/upstash'.length) || '/', bridge.url);
    const forward = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
    return;
  }
  const send = (status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
  if (url.pathname.startsWith('/down/')) return send(500, 'down');
  switch (url.pathname) {
    case '/ok':
      return send(200, 'ok');
    case '/fail':
      return send(500, 'fail');
    case '/quote':
      return send(200, JSON.stringify({ quote: 'Fail fast, recover by yourself.' }), { 'content-type': 'application/json' });
    case '/busy':
      return send(503, 'busy', { 'retry-after': url.searchParams.get('retryAfter') ?? '1' });
    case '/slow': {
      const timer = setTimeout(() => send(200, 'slow'), Number(url.searchParams.get('ms') ?? 100));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case '/stream':
    case '/stream-cut':
    case '/stream-stall': {
      // An event stream: a second event and its end, the connection cut, or nothing more.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      if (url.pathname === '/stream-stall') return;
      const timer = setTimeout(() => (url.pathname === '/stream' ? res.end('data: 2\n\n') : res.socket.destroy()), 20);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    default:
      return send(404, 'not found');
  }
});

// Node 22 and 24 live in a package of their own (runtimes/nodes): as dev dependencies of the
// project, their `node` bins would replace this machine's Node in every npm script.
const nodes = join(root, 'runtimes/nodes');
const nodeBinary = (alias) => join(nodes, 'node_modules', alias, 'bin/node');
const pinned = (alias) =>
  JSON.parse(readFileSync(join(nodes, 'package.json'), 'utf8'))
    .dependencies[alias].split('@')
    .pop();
const installedNode = (alias) => {
  if (!existsSync(nodeBinary(alias))) return null;
  return spawnSync(nodeBinary(alias), ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? null;
};

// Every runtime must run every test of the suite (one `check(` per test), plus its host's own.
const suiteTests = readFileSync(join(root, 'runtimes/suite.mjs'), 'utf8').match(/^check\(/gm).length;
const host = (name) => join(root, 'runtimes/hosts', name);
const bin = (name) => join(root, 'node_modules/.bin', name);
const runtimes = [
  { name: 'node20', command: process.execPath, args: [host('node.mjs')], hostTests: 1, major: 20 },
  { name: 'node22', command: nodeBinary('node22'), args: [host('node.mjs')], hostTests: 1 },
  { name: 'node24', command: nodeBinary('node24'), args: [host('node.mjs')], hostTests: 1 },
  { name: 'bun', command: bin('bun'), args: [host('bun.mjs')], hostTests: 2 },
  {
    name: 'deno',
    command: bin('deno'),
    args: [
      'run',
      '--no-lock',
      '--allow-net=127.0.0.1',
      '--allow-env=UPSTREAM_URL,PORT,UPSTASH_CONSOLE,VERCEL,AWS_REGION,UPSTASH_DISABLE_TELEMETRY',
      host('deno.mjs'),
    ],
    hostTests: 2,
  },
  // Miniflare needs Node >= 22; workerd itself runs the suite.
  { name: 'workerd', command: nodeBinary('node22'), args: [host('workerd.mjs')], hostTests: 4 },
].filter((runtime) => only === null || only.includes(runtime.name));

function runOne(runtime, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const notes = [];
    let stdout = '';
    let stderr = '';
    let child;
    try {
      // In a process group of its own, so that a timeout also ends what it started (workerd).
      child = spawn(runtime.command, runtime.args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (error) {
      resolve({ output: [`cannot start: ${error.message}`], code: null, ms: 0 });
      return;
    }
    const timer = setTimeout(() => {
      notes.push(`timed out after ${RUNTIME_TIMEOUT_MS / 1000} s`);
      process.kill(-child.pid, 'SIGKILL');
    }, RUNTIME_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => notes.push(`cannot start: ${error.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = (text, prefix = '') => text.split('\n').flatMap((line) => (line === '' ? [] : [prefix + line]));
      resolve({ output: [...lines(stdout), ...lines(stderr, 'stderr: '), ...notes], code, ms: Date.now() - started });
    });
  });
}

console.log('test-runtimes: building the package');
if (!npm(['run', 'build', '--silent'])) process.exit(1);
if (['node22', 'node24'].some((alias) => installedNode(alias) !== `v${pinned(alias)}`)) {
  console.log('test-runtimes: installing Node 22 and 24 (runtimes/nodes)');
  if (!npm(['ci', '--prefix', nodes, '--no-audit', '--no-fund', '--loglevel', 'error'])) process.exit(1);
}

await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const env = {
  ...process.env,
  UPSTREAM_URL: `http://127.0.0.1:${upstream.address().port}`,
  PORT: '0',
  DENO_NO_UPDATE_CHECK: '1',
  NO_COLOR: '1',
};

const results = [];
const started = Date.now();
for (const runtime of runtimes) {
  const { output, code, ms } = await runOne(runtime, env);
  const version = output.find((line) => line.startsWith('# '))?.slice(2) ?? 'version unknown';
  const summary = output.findLast((line) => /^\d+ passed, \d+ failed$/.test(line));
  const [passed, failed] = summary === undefined ? [0, 0] : summary.split(/\D+/).map(Number);
  const problems = [];
  if (summary === undefined) problems.push('no summary line: the runtime did not start or did not finish');
  if (code !== 0) problems.push(`exit code ${code}`);
  if (failed > 0) problems.push(`${failed} failed`);
  if (summary !== undefined && passed + failed !== suiteTests + runtime.hostTests) {
    problems.push(`ran ${passed + failed} tests, expected ${suiteTests + runtime.hostTests}`);
  }
  if (runtime.major !== undefined && !version.includes(`v${runtime.major}.`)) {
    problems.push(`expected Node ${runtime.major} here, got ${version}`);
  }
  const ok = problems.length === 0;
  results.push(ok);
  console.log(`\n== ${runtime.name}: ${version}`);
  for (const line of output)
    if (verbose || !ok || line.startsWith('FAIL') || line.startsWith('stderr:')) console.log(`   ${line}`);
  const seconds = (ms / 1000).toFixed(1);
  console.log(`${runtime.name}: ${summary ?? 'no result'} in ${seconds} s${ok ? '' : ` - FAILED (${problems.join('; ')})`}`);
}

upstream.closeAllConnections();
upstream.close();
await bridge?.close();
await redis?.stop();
const passedRuntimes = results.filter(Boolean).length;
console.log(`\ntest-runtimes: ${runtimes.length} runtimes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`runtimes: ${passedRuntimes} passed, ${results.length - passedRuntimes} failed`);
process.exitCode = passedRuntimes === results.length && results.length > 0 ? 0 : 1;
