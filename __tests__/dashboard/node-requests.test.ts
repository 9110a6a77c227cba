// The node:http listener with what real servers hand it: a body express.text() parsed, an
// HTTP/1.0 request without a Host header, TLS; and a registry exported by its keys not closed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTlsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { dashboard } from '../../src/dashboard/index.js';
import { createBreaker, createRegistry } from '../../src/index.js';
import { close, events, type Message, serve } from './helpers.js';

async function tokenOf(url: string): Promise<string> {
  const html = await (await fetch(`${url}/`)).text();
  return /<meta name="tripswitch-token" content="([^"]*)">/.exec(html)?.[1] ?? '';
}

describe('dashboard.node with what servers hand it', () => {
  it('takes a control body that express.text() has read as a string', async () => {
    const breaker = createBreaker({ name: 'db' });
    const board = dashboard({ sources: [breaker], controls: true });
    const app = express();
    app.use('/board', express.text({ type: '*/*' }), board.node);
    const { server, url } = await serve(app);
    try {
      const response = await fetch(`${url}/board/breakers.control`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: url, 'x-tripswitch-token': await tokenOf(`${url}/board`) },
        body: JSON.stringify({ name: 'db', action: 'isolate' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ name: 'db', state: 'isolated' });
      expect(breaker.state).toBe('isolated');
    } finally {
      await close(server);
    }
  });

  it('answers an HTTP/1.0 request that names no host', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
    const { server, url } = await serve(board.node);
    try {
      const { port } = new URL(url);
      const raw = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET /breakers.json HTTP/1.0\r\n\r\n'));
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          text += chunk;
        });
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      const [head, body] = raw.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      const snapshot = JSON.parse(body) as { breakers: { name: string; state: string }[] };
      expect(snapshot.breakers.map(({ name, state }) => [name, state])).toEqual([['db', 'closed']]);
    } finally {
      await close(server);
    }
  });

  it('serves the page and takes a control over TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripswitch-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=127.0.0.1',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const breaker = createBreaker({ name: 'db' });
      const board = dashboard({ sources: [breaker], controls: true });
      const server = createTlsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        board.node,
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsRequest(
            `${origin}${path}`,
            { method: init.method ?? 'GET', headers: init.headers, rejectUnauthorized: false },
            (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => {
                body += chunk;
              });
              res.on('end', () => resolve({ status: res.statusCode as number, body }));
            },
          );
          req.on('error', reject);
          req.end(init.body);
        });
      try {
        const page = await call('/');
        expect(page.status).toBe(200);
        const token = /<meta name="tripswitch-token" content="([^"]*)">/.exec(page.body)?.[1] ?? '';
        expect(token).not.toBe('');
        const done = await call('/breakers.control', {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin, 'x-tripswitch-token': token },
          body: JSON.stringify({ name: 'db', action: 'open' }),
        });
        expect(done.status).toBe(200);
        expect(breaker.state).toBe('open');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dashboard with a registry exported by its keys not closed', () => {
  it('shows its keys in the feed with their thresholds, and a control acts on a key', async () => {
    const tenants = createRegistry({ window: { size: 10 }, failureRateThreshold: 0.3 });
    tenants.get('acme').open();
    const board = dashboard({ sources: [{ registry: tenants, keys: 'notClosed' }], controls: true });
    const { server, url } = await serve(board.node);
    // The feed once answered 500 here: it listened to the `{ registry, keys }` object itself.
    const opened = await fetch(`${url}/breakers.events`);
    expect(opened.status).toBe(200);
    const feed = events(opened);
    try {
      const first = JSON.parse((await feed.next()).data) as Message;
      expect(first.breakers.map((b) => [b.name, b.state, b.thresholds])).toEqual([['acme', 'open', { failureRate: 0.3 }]]);
      const response = await fetch(`${url}/breakers.control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url, 'x-tripswitch-token': await tokenOf(url) },
        body: JSON.stringify({ name: 'acme', action: 'close' }),
      });
      expect(await response.json()).toEqual({ name: 'acme', state: 'closed' });
      expect(tenants.get('acme').state).toBe('closed');
    } finally {
      await feed.cancel();
      board.close();
      await close(server);
    }
  });
});

describe('dashboard with a registry exported summed', () => {
  it('shows the whole registry as one row in the feed', async () => {
    const tenants = createRegistry();
    tenants.get('acme');
    tenants.get('globex').open();
    const board = dashboard({ sources: [{ registry: tenants, keys: 'summed', name: 'tenants' }] });
    const opened = await board.fetch(new Request('http://127.0.0.1/breakers.events'));
    expect(opened.status).toBe(200);
    const feed = events(opened);
    try {
      const first = JSON.parse((await feed.next()).data) as Message;
      expect(first.breakers.map((b) => b.name)).toEqual(['tenants']);
    } finally {
      await feed.cancel();
      board.close();
    }
  });
});

describe('dashboard with a breaker of another implementation', () => {
  it('shows it without thresholds, which it does not expose', async () => {
    const inner = createBreaker({ name: 'wrapped', failureThreshold: 3 });
    // A wrapper that delegates every method of the interface and keeps the options to itself.
    const wrapped = new Proxy(inner, {
      get(target, key) {
        if (key === 'o') return undefined;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const board = dashboard({ sources: [wrapped, createBreaker({ name: 'own', failureThreshold: 3 })] });
    const feed = events(await board.fetch(new Request('http://127.0.0.1/breakers.events')));
    try {
      const first = JSON.parse((await feed.next()).data) as Message;
      expect(first.breakers.map((b) => [b.name, b.state, b.thresholds])).toEqual([
        ['wrapped', 'closed', undefined],
        ['own', 'closed', { failuresInARow: 3 }],
      ]);
    } finally {
      await feed.cancel();
      board.close();
    }
  });
});
