// The dashboard over real HTTP: names that two sources come to hold, board.fetch mounted where
// board.node belongs, and shutting down with a page open.
import { createServer } from 'node:http';
import express from 'express';
import Koa from 'koa';
import { dashboard } from '../../src/dashboard/index.js';
import { createBreaker, createRegistry } from '../../src/index.js';
import { close, events, eventually, type Message, serve, until } from './helpers.js';

describe('a name that two sources come to hold at run time', () => {
  it('is shown once, from the source listed first, in breakers.json, the feed and the controls', async () => {
    const payments = createBreaker({ name: 'payments' });
    const tenants = createRegistry();
    const regions = createRegistry();
    const board = dashboard({ sources: [payments, tenants, regions], controls: true });
    const { server, url } = await serve(board.node);
    try {
      const feed = events(await fetch(`${url}/breakers.events`));
      const shown = new Map<string, Message['breakers'][number]>();
      const collect = (m: Message) => {
        for (const b of m.breakers) shown.set(b.name, b);
        return true;
      };
      await until(feed, collect);
      // After the dashboard was made: a key of two registries, and a key named as a breaker.
      tenants.get('eu').open();
      regions.get('eu');
      regions.get('payments').isolate();
      const response = await fetch(`${url}/breakers.json`);
      expect(response.status).toBe(200);
      const { breakers } = (await response.json()) as { breakers: { name: string; state: string }[] };
      expect(breakers.map((b) => [b.name, b.state])).toEqual([
        ['payments', 'closed'],
        ['eu', 'open'],
      ]);
      await until(feed, (m) => collect(m) && shown.get('eu')?.state === 'open');
      expect(shown.get('payments')).toMatchObject({ state: 'closed' });
      expect(shown.get('payments')?.last).toBeUndefined(); // regions' "payments" isolated: not this row's change
      // Still live: later changes keep coming, never a failed feed.
      payments.open();
      const next = await until(feed, (m) => m.breakers.some((b) => b.name === 'payments'));
      expect(next.breakers.find((b) => b.name === 'payments')).toMatchObject({ state: 'open', last: { to: 'open' } });
      expect(board.watching).toBe(1);
      await feed.cancel();
      // A control acts on the breaker shown: tenants' "eu", not regions'.
      const token = /<meta name="tripswitch-token" content="([^"]*)">/.exec(await (await fetch(`${url}/`)).text())?.[1] ?? '';
      const control = await fetch(`${url}/breakers.control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url, 'x-tripswitch-token': token },
        body: JSON.stringify({ name: 'eu', action: 'isolate' }),
      });
      expect(control.status).toBe(200);
      expect([tenants.get('eu').state, regions.get('eu').state]).toEqual(['isolated', 'closed']);
    } finally {
      await close(server);
    }
  });
});

describe('board.fetch mounted where board.node belongs', () => {
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  });
  afterEach(() => {
    warnings.mockRestore();
  });
  const NAMED = 'board.fetch takes a web-standard Request, not a Node request: mount board.node in node:http, Express and Koa';

  it('in Express: every request is answered 500 at once, naming the mistake', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
    const app = express();
    app.use('/breakers', board.fetch as never);
    const { server, url } = await serve(app);
    try {
      for (const path of ['/breakers/', '/breakers/breakers.json', '/breakers/breakers.events']) {
        const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
        expect(response.status).toBe(500);
        expect(await response.text()).toContain(NAMED);
      }
      expect(board.watching).toBe(0);
      expect(warnings.mock.calls).toEqual([
        [expect.stringContaining(NAMED), { type: 'TripswitchWarning', code: 'TRIPSWITCH_DASHBOARD_MOUNT' }],
      ]); // once, however many requests
    } finally {
      await close(server);
    }
  });

  it('in node:http: the same', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
    const { server, url } = await serve(board.fetch as never);
    try {
      const response = await fetch(`${url}/breakers.json`, { signal: AbortSignal.timeout(5000) });
      expect(response.status).toBe(500);
      expect(await response.text()).toContain(NAMED);
    } finally {
      await close(server);
    }
  });

  it('in Koa (no response object given): the promise rejects with a TypeError naming it, and Koa answers 500', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
    const app = new Koa();
    const errors: unknown[] = [];
    app.on('error', (error) => errors.push(error));
    app.use(board.fetch as never);
    const server = createServer(app.callback());
    const { url } = await new Promise<{ url: string }>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })),
    );
    try {
      const response = await fetch(`${url}/breakers.json`, { signal: AbortSignal.timeout(5000) });
      expect(response.status).toBe(500);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(TypeError);
      expect((errors[0] as Error).message).toContain(NAMED);
    } finally {
      await close(server);
    }
  });

  it('anything else given to fetch is the same TypeError', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
    await expect(board.fetch('/breakers.json' as never)).rejects.toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(NAMED) }),
    );
  });
});

describe('board.close()', () => {
  it('ends the open feeds and their timers, so that server.close() finishes', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
    const { server, url } = await serve(board.node);
    try {
      const feeds = [events(await fetch(`${url}/breakers.events`)), events(await fetch(`${url}/breakers.events`))];
      for (const feed of feeds) await until(feed, () => true);
      expect(board.watching).toBe(2);
      let finished = false;
      server.close(() => {
        finished = true;
      });
      board.close();
      expect(board.watching).toBe(0);
      for (const feed of feeds) await expect(until(feed, () => false)).rejects.toThrow('the feed ended');
      // No closeAllConnections: the server finishes on its own once the feeds have ended, before
      // a kept-alive connection would have timed out (5 s).
      await eventually(() => finished, 'server.close() finishes after board.close()', 4000);
    } finally {
      server.closeAllConnections();
      (board as Partial<typeof board>).close?.();
    }
  });

  it('answers later feed requests with 503, and still serves the page and breakers.json', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
    board.close();
    board.close();
    const feed = await board.fetch(new Request('http://dash.test/breakers.events'));
    expect(feed.status).toBe(503);
    expect(await feed.text()).toBe('the dashboard is closed');
    expect(board.watching).toBe(0);
    expect((await board.fetch(new Request('http://dash.test/breakers.json'))).status).toBe(200);
    expect((await board.fetch(new Request('http://dash.test/'))).status).toBe(200);
  });
});
