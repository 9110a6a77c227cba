import { gzipSync } from 'node:zlib';
import { serve as honoServe } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { dashboard } from '../../src/dashboard/index.js';
import { createBreaker, createRegistry } from '../../src/index.js';
import { close, counted, events, eventually, serve, until } from './helpers.js';

const request = (path: string, init?: RequestInit) => new Request(`http://dash.test${path}`, init);

describe('dashboard: the page and breakers.json', () => {
  it('serves every breaker of its sources as JSON, with their stats', async () => {
    const payments = createBreaker({ name: 'payments' });
    const tenants = createRegistry();
    tenants.get('acme').isolate();
    const board = dashboard({ sources: [payments, tenants] });
    const response = await board.fetch(request('/breakers.json'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await response.json();
    expect(body.breakers).toEqual([
      { ...JSON.parse(JSON.stringify(payments.stats())), name: 'payments' },
      expect.objectContaining({ name: 'acme', state: 'isolated', retryAfterMs: null }),
    ]);
    expect(body.store).toBeUndefined();
    expect(board.watching).toBe(0);
  });

  it('sends a self-contained page under a strict nonce policy, with no breaker name in it', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const board = dashboard({ sources: [createBreaker({ name: evil })], title: 'A & <B>' });
    const response = await board.fetch(request('/'));
    const html = await response.text();
    const policy = response.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([\w-]+)'/.exec(policy)![1];
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('unsafe');
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toContain(evil);
    expect(html).toContain('<title>A &#38; &#60;B&#62;</title>');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('<meta name="tripswitch-token" content="">');
    expect(gzipSync(html).length).toBeLessThan(30 * 1024);
    const again = await board.fetch(request('/'));
    expect(again.headers.get('content-security-policy')).not.toBe(policy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 405 to other methods and to a GET of the control path', async () => {
    const board = dashboard({ sources: [createBreaker()] });
    expect((await board.fetch(request('/', { method: 'PUT' }))).status).toBe(405);
    expect((await board.fetch(request('/breakers.control'))).status).toBe(405);
    expect((await board.fetch(request('/', { method: 'HEAD' }))).status).toBe(200);
  });
});

describe('dashboard: the live feed', () => {
  it('sends every breaker, then transitions as they happen, and leaves nothing behind when the page goes', async () => {
    const { source, listeners } = counted(createBreaker({ name: 'db' }));
    const board = dashboard({ sources: [source] });
    expect(listeners()).toBe(0);
    const response = await board.fetch(request('/breakers.events'));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const feed = events(response);
    const first = await until(feed, () => true);
    expect(first).toMatchObject({ full: true, breakers: [{ name: 'db', state: 'closed' }], gone: [] });
    expect(board.watching).toBe(1);
    expect(listeners()).toBe(1); // the transitions' (the reader keeps none)
    source.isolate();
    const next = await until(feed, (m) => m.breakers.length > 0);
    expect(next.full).toBe(false);
    expect(next.breakers[0]).toMatchObject({ name: 'db', state: 'isolated', last: { from: 'closed', to: 'isolated' } });
    await feed.cancel();
    expect(board.watching).toBe(0);
    expect(listeners()).toBe(0);
  });

  it('says which breakers left a registry', async () => {
    const tenants = createRegistry();
    tenants.get('a');
    tenants.get('b');
    const board = dashboard({ sources: [tenants] });
    const feed = events(await board.fetch(request('/breakers.events')));
    expect((await until(feed, () => true)).breakers.map((b) => b.name)).toEqual(['a', 'b']);
    tenants.delete('a');
    expect((await until(feed, (m) => m.gone.length > 0)).gone).toEqual(['a']);
    await feed.cancel();
  });

  it('ends a feed whose reading throws, without taking the host down', async () => {
    const { source, failStats, listeners } = counted(createBreaker({ name: 'db' }));
    const board = dashboard({ sources: [source] });
    const feed = events(await board.fetch(request('/breakers.events')));
    await until(feed, () => true);
    failStats(true);
    expect(await feed.next()).toEqual({ event: 'failed', data: '{}' });
    expect(board.watching).toBe(0);
    expect(listeners()).toBe(0);
    await feed.cancel();
  });

  it('stops when the request is aborted', async () => {
    const board = dashboard({ sources: [createBreaker()] });
    const aborted = new AbortController();
    const feed = events(await board.fetch(request('/breakers.events', { signal: aborted.signal })));
    await until(feed, () => true);
    aborted.abort();
    expect(board.watching).toBe(0);
  });
});

describe('dashboard: mounted in servers', () => {
  it('works under a path in Express, and its node listener stops the feed when the client leaves', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'api' })] });
    const app = express();
    app.use('/ops/breakers', board.node);
    const { server, url } = await serve(app);
    try {
      const page = await fetch(`${url}/ops/breakers`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<!doctype html>');
      const json = await (await fetch(`${url}/ops/breakers/breakers.json`)).json();
      expect(json.breakers[0].name).toBe('api');
      const aborted = new AbortController();
      const feed = events(await fetch(`${url}/ops/breakers/breakers.events`, { signal: aborted.signal }));
      await until(feed, () => true);
      expect(board.watching).toBe(1);
      aborted.abort();
      await feed.cancel().catch(() => {});
      // The server learns that the client left when the connection closes.
      await eventually(() => board.watching === 0, 'the server keeps the feed of a client that left');
    } finally {
      await close(server);
    }
  });

  it('works under a path in Hono, through the web-standard handler', async () => {
    const board = dashboard({ sources: [createBreaker({ name: 'api' })] });
    const app = new Hono();
    app.mount('/breakers', board.fetch);
    const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const json = await (await fetch(`http://127.0.0.1:${port}/breakers/breakers.json`)).json();
      expect(json.breakers[0].name).toBe('api');
      expect((await fetch(`http://127.0.0.1:${port}/breakers/`)).headers.get('content-security-policy')).toContain('nonce-');
    } finally {
      await close(server as never);
    }
  });
});
