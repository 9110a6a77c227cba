// A small server speaking Redis's REST protocol as Upstash serves it, in front of a real
// redis-server, for the tests, the runtime suite, the edge demo and the benchmarks. From the
// protocol's public description: POST of a JSON command array to `/`, arrays of them to
// `/pipeline` and `/multi-exec`, `Authorization: Bearer <token>` (401 otherwise), replies
// `{ "result": ... }` or `{ "error": "..." }` (400), every string base64-encoded when the
// client sends `Upstash-Encoding: base64`. Replies are Redis's own (node-redis `sendCommand`).
//
// Faults, switched through a control server of its own: `down` (the port refuses
// connections), `slow` (every reply `ms` late, 2000 by default), `500` (every request answered
// 500), `token` (the bridge expects another token: 401). Run as a program it prints
// `{ "url", "control", "token" }` on its first line:
//   node scripts/rest-bridge.mjs --redis-port 6379 [--token secret]
import { createServer } from 'node:http';
import { createClient } from 'redis';

const encode = (value) => {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
  if (Array.isArray(value)) return value.map(encode);
  return value ?? null;
};

/** Redis's RESP2 shape: node-redis hands some replies (HGETALL) back as objects or maps; REST clients expect flat arrays. */
const flat = (value) => {
  if (Array.isArray(value)) return value.map(flat);
  if (value instanceof Map) return [...value].flatMap(([k, v]) => [flat(k), flat(v)]);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.entries(value).flatMap(([k, v]) => [k, flat(v)]);
  }
  return value;
};

const readBody = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const isCommand = (c) => Array.isArray(c) && c.length > 0 && c.every((x) => ['string', 'number', 'boolean'].includes(typeof x));

/**
 * Starts the bridge on 127.0.0.1 (port 0 unless given). Resolves to
 * `{ url, token, port, fault(mode, ms?), stats(), close() }`.
 */
export async function startBridge({ redisPort, token = 'test-token', port = 0 } = {}) {
  const redis = createClient({ socket: { host: '127.0.0.1', port: redisPort, reconnectStrategy: 100 } });
  redis.on('error', () => undefined);
  await redis.connect();
  const state = { mode: 'none', slowMs: 2000, requests: 0, commands: 0 };
  const sockets = new Set();

  const run = async (command) => {
    state.commands++;
    try {
      return { result: flat(await redis.sendCommand(command.map(String))) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };

  const handle = async (req, res) => {
    state.requests++;
    const send = (status, body) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const body = await readBody(req);
    if (state.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, state.slowMs));
    if (state.mode === '500') {
      if (res.destroyed) return;
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
      return;
    }
    const expected = state.mode === 'token' ? `${token}-rotated` : token;
    if (req.headers.authorization !== `Bearer ${expected}`) return send(401, { error: 'Unauthorized' });
    if (req.method !== 'POST') return send(405, { error: 'only POST' });
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const out = (reply) => (base64 && 'result' in reply ? { result: encode(reply.result) } : reply);
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(400, { error: 'ERR the body is not JSON' });
    }
    const path = new URL(req.url, 'http://bridge').pathname.replace(/\/+$/, '');
    if (path === '' || path === '/') {
      if (!isCommand(parsed)) return send(400, { error: 'ERR the body must be a command array' });
      const reply = await run(parsed);
      return send('error' in reply ? 400 : 200, out(reply));
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(parsed) || !parsed.every(isCommand))
        return send(400, { error: 'ERR the body must be an array of commands' });
      if (path === '/pipeline') return send(200, (await Promise.all(parsed.map(run))).map(out));
      const multi = redis.multi();
      for (const command of parsed) multi.addCommand(command.map(String));
      try {
        const replies = await multi.exec();
        return send(
          200,
          replies.map((result) => out({ result: flat(result) })),
        );
      } catch (error) {
        return send(400, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return send(404, { error: 'ERR unknown path' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = server.address().port;

  const fault = async (mode, ms) => {
    if (ms !== undefined) state.slowMs = ms;
    const wasDown = state.mode === 'down';
    state.mode = mode;
    if (mode === 'down' && !wasDown) {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    } else if (mode !== 'down' && wasDown) {
      await new Promise((resolve) => server.listen(bound, '127.0.0.1', resolve));
    }
  };

  return {
    url: `http://127.0.0.1:${bound}`,
    token,
    port: bound,
    fault,
    stats: () => ({ requests: state.requests, commands: state.commands, mode: state.mode }),
    async close() {
      for (const socket of sockets) socket.destroy();
      if (state.mode !== 'down') await new Promise((resolve) => server.close(() => resolve()));
      await redis.close().catch(() => redis.destroy());
    },
  };
}

/** A control server for a bridge run as a program: GET /fault?mode=down|slow|500|token|none[&ms=], GET /stats. */
async function control(bridge) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://control');
    if (url.pathname === '/fault') {
      const ms = url.searchParams.get('ms');
      await bridge.fault(url.searchParams.get('mode') ?? 'none', ms === null ? undefined : Number(ms));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(bridge.stats()));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? fallback : process.argv[i + 1];
  };
  const bridge = await startBridge({ redisPort: Number(arg('--redis-port', '6379')), token: arg('--token', 'test-token') });
  const ctl = await control(bridge);
  process.stdout.write(
    `${JSON.stringify({ url: bridge.url, token: bridge.token, control: `http://127.0.0.1:${ctl.address().port}` })}\n`,
  );
  const stop = async () => {
    ctl.close();
    await bridge.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}
