// The node:http listener: bodies read by the listener or by a parser mounted before it, bodies
// too large, headers sent more than once.
import express from 'express';
import { dashboard } from '../../src/dashboard/index.js';
import { createBreaker } from '../../src/index.js';
import { close, events, type Message, serve } from './helpers.js';

async function tokenOf(url: string): Promise<string> {
  const html = await (await fetch(`${url}/`)).text();
  return /<meta name="tripswitch-token" content="([^"]*)">/.exec(html)?.[1] ?? '';
}

describe('dashboard.node', () => {
  it('reads a control request’s body itself, or takes the one express.json() parsed', async () => {
    const breaker = createBreaker({ name: 'db' });
    const board = dashboard({ sources: [breaker], controls: true });
    const app = express();
    app.use('/parsed', express.json(), board.node);
    app.use('/raw', board.node);
    const { server, url } = await serve(app);
    try {
      for (const [path, action] of [
        ['/raw', 'isolate'],
        ['/parsed', 'close'],
      ] as const) {
        const token = await tokenOf(`${url}${path}`);
        const response = await fetch(`${url}${path}/breakers.control`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: url, 'x-tripswitch-token': token },
          body: JSON.stringify({ name: 'db', action }),
        });
        expect(response.status).toBeLessThan(300);
        expect(breaker.state).toBe(action === 'isolate' ? 'isolated' : 'closed');
      }
    } finally {
      await close(server);
    }
  });

  it('refuses a body over 16 KiB with 400, and takes headers sent twice', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })], controls: true });
    const { server, url } = await serve(board.node);
    try {
      const large = await fetch(`${url}/breakers.control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: 'x'.repeat(32 * 1024),
      });
      expect(large.status).toBe(400);
      expect(await large.text()).toBe('bad request');
      const headers = new Headers();
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      const json = await fetch(`${url}/breakers.json`, { headers });
      expect(json.status).toBe(200);
    } finally {
      await close(server);
    }
  });
});

describe('dashboard thresholds', () => {
  it('shows each breaker’s thresholds beside its rates', async () => {
    const board = dashboard({
      sources: [
        createBreaker({ name: 'run', failureThreshold: 7 }),
        createBreaker({
          name: 'rate',
          window: { size: 20 },
          failureRateThreshold: 0.4,
          slowCallDurationMs: 100,
          slowCallRateThreshold: 0.8,
        }),
      ],
    });
    const feed = events(await board.fetch(new Request('http://127.0.0.1/breakers.events')));
    try {
      const first = JSON.parse((await feed.next()).data) as Message;
      const byName = Object.fromEntries(first.breakers.map((b) => [b.name, b.thresholds]));
      expect(byName.run).toEqual({ failuresInARow: 7 });
      expect(byName.rate).toEqual({ failureRate: 0.4, slowCallRate: 0.8 });
    } finally {
      await feed.cancel();
    }
  });
});
