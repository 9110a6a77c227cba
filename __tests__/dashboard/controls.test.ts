import { dashboard } from '../../src/dashboard/index.js';
import { Tokens } from '../../src/dashboard/token.js';
import { createBreaker, createRegistry } from '../../src/index.js';
import { memoryStore } from '../../src/testing/index.js';
import { events, until } from './helpers.js';

const ORIGIN = 'http://dash.test';
const request = (path: string, init?: RequestInit) => new Request(`${ORIGIN}${path}`, init);

/** The token the page carries. */
async function pageToken(board: ReturnType<typeof dashboard>): Promise<string> {
  const html = await (await board.fetch(request('/'))).text();
  return /<meta name="tripswitch-token" content="([^"]*)">/.exec(html)![1];
}

const post = (body: unknown, headers: Record<string, string>) =>
  request('/breakers.control', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('dashboard: controls', () => {
  it('refuses every POST when read-only, the default', async () => {
    const breaker = createBreaker({ name: 'db' });
    const board = dashboard({ sources: [breaker] });
    const token = await pageToken(board);
    expect(token).toBe('');
    for (const path of ['/breakers.control', '/']) {
      const response = await board.fetch(
        request(path, { method: 'POST', headers: { origin: ORIGIN }, body: '{"name":"db","action":"isolate"}' }),
      );
      expect(response.status).toBe(403);
    }
    expect(breaker.state).toBe('closed');
  });

  it('acts on a breaker for the page itself: same origin and its token', async () => {
    const breaker = createBreaker({ name: 'db' });
    const board = dashboard({ sources: [breaker], controls: true });
    const token = await pageToken(board);
    const response = await board.fetch(post({ name: 'db', action: 'isolate' }, { origin: ORIGIN, 'x-tripswitch-token': token }));
    expect(await response.json()).toEqual({ name: 'db', state: 'isolated' });
    expect(breaker.state).toBe('isolated');
    await board.fetch(post({ name: 'db', action: 'close' }, { origin: ORIGIN, 'x-tripswitch-token': token }));
    expect(breaker.state).toBe('closed');
  });

  it('refuses a forged request: no origin, another origin, another site, no token, a forged token', async () => {
    const breaker = createBreaker({ name: 'db' });
    const board = dashboard({ sources: [breaker], controls: true });
    const token = await pageToken(board);
    const body = { name: 'db', action: 'isolate' };
    const forged: Record<string, string>[] = [
      { 'x-tripswitch-token': token },
      { origin: 'http://evil.test', 'x-tripswitch-token': token },
      { origin: ORIGIN, 'sec-fetch-site': 'cross-site', 'x-tripswitch-token': token },
      { origin: 'null', 'x-tripswitch-token': token },
      { origin: ORIGIN },
      { origin: ORIGIN, 'x-tripswitch-token': `${token.slice(0, -2)}AA` },
      { origin: ORIGIN, 'x-tripswitch-token': 'x' },
    ];
    for (const headers of forged) expect((await board.fetch(post(body, headers))).status).toBe(403);
    // A token from another dashboard is not this one's.
    const other = await pageToken(dashboard({ sources: [createBreaker()], controls: true }));
    expect((await board.fetch(post(body, { origin: ORIGIN, 'x-tripswitch-token': other }))).status).toBe(403);
    expect(breaker.state).toBe('closed');
  });

  it('answers 400 to a bad body and 404 to an unknown name, creating no registry key', async () => {
    const tenants = createRegistry();
    tenants.get('acme');
    const board = dashboard({ sources: [tenants], controls: true });
    const headers = { origin: ORIGIN, 'x-tripswitch-token': await pageToken(board) };
    expect((await board.fetch(post({ name: 'acme', action: 'explode' }, headers))).status).toBe(400);
    expect((await board.fetch(request('/breakers.control', { method: 'POST', headers, body: '{' }))).status).toBe(400);
    const nothing = await board.fetch(request('/breakers.control', { method: 'POST', headers, body: 'null' }));
    expect(nothing.status).toBe(400);
    expect(await nothing.json()).toEqual({
      error: 'the body must name a breaker and an action among open, isolate, close, disable',
    });
    expect((await board.fetch(post({ name: 'other', action: 'open' }, headers))).status).toBe(404);
    expect([...tenants.keys()]).toEqual(['acme']);
    expect((await board.fetch(post({ name: 'acme', action: 'open' }, headers))).status).toBe(200);
    expect(tenants.get('acme').state).toBe('open');
    expect((await board.fetch(post({ name: 'acme', action: 'isolate' }, { ...headers, 'x-unused': '1' }))).status).toBe(200);
    expect((await board.fetch(request('/elsewhere', { method: 'POST', headers, body: '{}' }))).status).toBe(404);
  });

  it('accepts a token for a day only', async () => {
    const tokens = new Tokens();
    const issued = await tokens.issue(1_000_000);
    expect(await tokens.check(issued, 1_000_000 + 60_000)).toBe(true);
    expect(await tokens.check(issued, 1_000_000 + 24 * 3600_000)).toBe(false);
    expect(await tokens.check(issued, 999_999)).toBe(false);
    expect(await tokens.check(null)).toBe(false);
  });
});

describe('dashboard: authorize', () => {
  it('is asked for every request, and false refuses it with 403', async () => {
    const asked: string[] = [];
    const board = dashboard({
      sources: [createBreaker()],
      authorize: (req) => {
        asked.push(new URL(req.url).pathname);
        return req.headers.get('x-user') === 'ops';
      },
    });
    for (const path of ['/', '/breakers.json', '/breakers.events']) {
      expect((await board.fetch(request(path))).status).toBe(403);
    }
    expect((await board.fetch(request('/breakers.json', { headers: { 'x-user': 'ops' } }))).status).toBe(200);
    expect(asked).toEqual(['/', '/breakers.json', '/breakers.events', '/breakers.json']);
    expect(board.watching).toBe(0);
  });

  it('answers 500 when authorize throws or rejects, and keeps serving', async () => {
    let mode: 'throw' | 'reject' | 'allow' = 'throw';
    const board = dashboard({
      sources: [createBreaker()],
      authorize: async () => {
        if (mode === 'throw') throw new Error('directory down');
        if (mode === 'reject') return Promise.reject(new Error('timeout'));
        return true;
      },
    });
    expect((await board.fetch(request('/'))).status).toBe(500);
    mode = 'reject';
    expect((await board.fetch(request('/'))).status).toBe(500);
    mode = 'allow';
    expect((await board.fetch(request('/'))).status).toBe(200);
  });
});

describe('dashboard: with a store', () => {
  it('shows the store and which instance made a transition', async () => {
    const store = memoryStore({ instanceId: 'web' });
    const here = createBreaker({ name: 'api', store });
    const there = createBreaker({ name: 'api', store });
    const board = dashboard({ sources: [here] });
    expect((await (await board.fetch(request('/breakers.json'))).json()).store).toEqual({ available: true, errors: 0 });
    const feed = events(await board.fetch(request('/breakers.events')));
    expect((await until(feed, () => true)).store).toEqual({ available: true, errors: 0 });
    there.isolate();
    await store.flush();
    const moved = await until(feed, (m) => m.breakers.length > 0);
    expect(moved.breakers[0].last).toMatchObject({
      from: 'closed',
      to: 'isolated',
      remote: true,
      instance: expect.stringMatching(/^web#/),
    });
    store.setAvailable(false);
    expect((await until(feed, (m) => m.store?.available === false)).store!.available).toBe(false);
    await feed.cancel();
  });

  it('reports the store it is given', async () => {
    const store = memoryStore();
    const board = dashboard({ sources: [createBreaker()], store });
    store.setAvailable(false);
    expect((await (await board.fetch(request('/breakers.json'))).json()).store).toEqual({ available: false, errors: 0 });
  });
});

describe('dashboard: options', () => {
  it('names what is wrong', () => {
    const b = createBreaker();
    expect(() => dashboard(undefined as never)).toThrow('dashboard needs options with sources, got undefined');
    expect(() => dashboard({ sources: [] })).toThrow(RangeError);
    expect(() => dashboard({ sources: [{}] as never })).toThrow('sources[0] must be a breaker or a registry, got an object');
    expect(() => dashboard({ sources: [b], title: 3 as never })).toThrow('title must be a string, got 3');
    expect(() => dashboard({ sources: [b], controls: 'yes' as never })).toThrow('controls must be a boolean, got "yes"');
    expect(() => dashboard({ sources: [b], authorize: true as never })).toThrow('authorize must be a function, got true');
    expect(() => dashboard({ sources: [b], store: {} as never })).toThrow('store must be a BreakerStore, got an object');
    expect(() => dashboard({ sources: [b], colour: 'red' } as never)).toThrow('unknown option "colour"');
  });
});
