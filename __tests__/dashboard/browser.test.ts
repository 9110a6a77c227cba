import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type DashboardOptions, dashboard } from '../../src/dashboard/index.js';
import { createBreaker, createRegistry } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { launch, type Watched, watchedPage } from './browser.js';
import { close, counted, eventually, serve } from './helpers.js';

jest.setTimeout(60_000);

/** With DASHBOARD_SCREENSHOTS set (`npm run docs:screenshots`), the tests write the docs' pictures. */
const SHOTS = process.env.DASHBOARD_SCREENSHOTS === '1' ? join(__dirname, '../../docs/images') : undefined;

let browser: Browser;
let watched: Watched | undefined;
const servers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  if (watched !== undefined) {
    const { page, errors, dialogs } = watched;
    const violations = await watched.violations().catch(() => 0);
    await page.context().close();
    watched = undefined;
    expect({ errors, dialogs, violations }).toEqual({ errors: [], dialogs: [], violations: 0 });
  }
  for (const s of servers.splice(0)) await s.close();
});

/** Serves a dashboard on 127.0.0.1 under /breakers/ and opens it in a watched page. */
async function open(options: DashboardOptions) {
  const board = dashboard(options);
  const { server, url } = await serve((req, res) => {
    if (req.url?.startsWith('/breakers/')) {
      req.url = req.url.slice('/breakers'.length);
      board.node(req, res);
    } else res.writeHead(404).end();
  });
  servers.push({ close: () => close(server) });
  watched = await watchedPage(browser);
  await watched.page.goto(`${url}/breakers/`);
  return { board, page: watched.page, url: `${url}/breakers/` };
}

/** Waits until the row of `name` shows `state` (a function the page runs: its CSP forbids evaluating strings). */
const shows = (page: Page, name: string, state: string, timeout: number) =>
  page.waitForFunction(
    ([n, s]) =>
      [...document.querySelectorAll<HTMLTableRowElement>('#rows tr')].some(
        (tr) => tr.cells[0].textContent === n && tr.dataset.state === s,
      ),
    [name, state],
    { timeout },
  );

/** Waits until `test` holds in the page. */
const holds = (page: Page, test: () => boolean, timeout: number) => page.waitForFunction(test, null, { timeout });

describe('the dashboard page in Chromium', () => {
  it('lists the breakers and follows a trip, the probe and the close live, with no reload', async () => {
    const clock = manualClock();
    const payments = createBreaker({ name: 'payments', clock, resetTimeoutMs: 30_000, halfOpenMaxCalls: 1 });
    const search = createBreaker({ name: 'search', clock, window: { size: 20 }, minimumCalls: 10 });
    const { page } = await open({ sources: [payments, search], title: 'checkout' });
    await shows(page, 'payments', 'closed', 5000);
    await shows(page, 'search', 'closed', 5000);
    expect(await page.textContent('h1')).toBe('checkout');
    await page.evaluate(() => {
      (window as unknown as { loaded: boolean }).loaded = true;
    });

    for (let i = 0; i < 10; i++)
      await search.execute(() => (i % 4 === 0 ? Promise.reject(new Error('slow index')) : 'hit')).catch(() => {});
    payments.open();
    await shows(page, 'payments', 'open', 1000);
    if (SHOTS !== undefined) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'dashboard.png') });
    }
    expect(await page.locator('#rows tr[data-state=open] .state').textContent()).toBe('open');
    clock.advance(30_000);
    await shows(page, 'payments', 'halfOpen', 2000);
    expect(await page.locator('#rows tr[data-state=halfOpen] .state').textContent()).toBe('half-open');
    await payments.execute(() => 'ok');
    await shows(page, 'payments', 'closed', 2000);
    expect(await page.evaluate(() => (window as unknown as { loaded?: boolean }).loaded)).toBe(true); // the same document
    expect(await page.textContent('#status')).toBe('live');
  });

  it('shows what a breaker counting across the fleet last learnt of the fleet', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, counting: 'fleet' });
    // Two members of one fleet each: the page watches one of each pair.
    const [orders, ordersElsewhere] = [0, 1].map(() => createBreaker({ name: 'orders', clock, store }));
    const [search, searchElsewhere] = [0, 1].map(() =>
      createBreaker({ name: 'search', clock, store, window: { size: 20 }, minimumCalls: 10 }),
    );
    const alone = createBreaker({ name: 'alone', clock });
    const fail = (b: typeof alone) => b.execute(() => Promise.reject(new Error('down'))).catch(() => {});
    // Each watched breaker reports last, so it knows the fleet's latest counts.
    await fail(ordersElsewhere);
    await store.flush();
    await fail(orders);
    await store.flush();
    await fail(searchElsewhere);
    await searchElsewhere.execute(() => 'hit');
    await store.flush();
    clock.advance(1000); // a rate-mode member reports at most once a period
    await fail(search);
    await store.flush();
    expect(orders.stats().fleet).toEqual({ calls: 2, failures: 2, slowCalls: 0, instances: 2 });
    const counted = search.stats().fleet;
    expect(counted?.instances).toBe(2);
    const { page } = await open({ sources: [orders, search, alone] });
    await shows(page, 'orders', 'closed', 5000);
    const fleetOf = (name: string) =>
      page.evaluate(
        (n) =>
          [...document.querySelectorAll<HTMLTableRowElement>('#rows tr')]
            .find((tr) => tr.cells[0].textContent === n)
            ?.querySelector('.fleet')?.textContent ?? null,
        name,
      );
    // This process's view, and how long it has stayed the same (the stats carry no time of their own).
    const view = ', as seen by this process, unchanged for (\\d+) s';
    expect(await fleetOf('orders')).toMatch(new RegExp(`^fleet: 2 in a row / 5, 2 processes${view}$`));
    const rate = Math.round(((counted?.failures ?? 0) / (counted?.calls ?? 1)) * 100);
    expect(await fleetOf('search')).toMatch(new RegExp(`^fleet: ${rate}% of ${counted?.calls} calls, 2 processes${view}$`));
    expect(await fleetOf('alone')).toBeNull();
    // The age grows while the figures stay the same.
    await holds(page, () => /unchanged for [1-9]\d* s$/.test(document.querySelector('#rows .fleet')?.textContent ?? ''), 5000);
  });

  it('shows hostile names as text and runs nothing', async () => {
    const names = ['<img src=x onerror=alert(1)>', '"></script><script>alert(1)</script>'];
    const { page } = await open({ sources: names.map((name) => createBreaker({ name })) });
    await holds(page, () => document.querySelectorAll('#rows tr').length === 2, 5000);
    const shown = await page.$$eval('#rows td.name', (cells) => cells.map((c) => c.textContent));
    expect(shown.sort()).toEqual([...names].sort());
    expect(await page.$$eval('img', (images) => images.length)).toBe(0);
    expect(await page.$$eval('script', (scripts) => scripts.length)).toBe(1);
  });

  it('has no controls by default, and the server refuses a forged POST', async () => {
    const db = createBreaker({ name: 'db' });
    const { page, url } = await open({ sources: [db] });
    await page.waitForSelector('#rows tr', { timeout: 5000 });
    expect(await page.$$eval('button', (b) => b.length)).toBe(0);
    expect(await page.isVisible('th.ctl')).toBe(false);
    // A cross-site page posting a form-like request: the browser sends it, the server refuses it.
    const attacker = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>elsewhere</p>'));
    servers.push({ close: () => close(attacker.server) });
    const other = await browser.newPage();
    await other.goto(attacker.url);
    const status = await other.evaluate(
      (target) =>
        fetch(`${target}breakers.control`, { method: 'POST', mode: 'no-cors', body: '{"name":"db","action":"isolate"}' }).then(
          (r) => r.type,
        ),
      url,
    );
    expect(status).toBe('opaque');
    const direct = await fetch(`${url}breakers.control`, {
      method: 'POST',
      headers: { origin: new URL(url).origin, 'content-type': 'application/json' },
      body: '{"name":"db","action":"isolate"}',
    });
    expect(direct.status).toBe(403);
    await other.close();
    expect(db.state).toBe('closed');
  });

  it('with controls, isolates the breaker whose isolate button is clicked', async () => {
    const clock = manualClock();
    const db = createBreaker({ name: 'db', clock, window: { size: 10 }, minimumCalls: 4 });
    const cache = createBreaker({ name: 'cache', clock });
    const { page } = await open({ sources: [db, cache], controls: true, title: 'orders: breakers' });
    await page.waitForSelector('#rows tr button', { timeout: 5000 });
    const row = page.locator('#rows tr', { has: page.locator('td.name', { hasText: /^db$/ }) });
    await row.locator('button[data-action=isolate]').click();
    await eventually(() => db.state === 'isolated', 'the click isolates db');
    await shows(page, 'db', 'isolated', 2000);
    expect(cache.state).toBe('closed');
    if (SHOTS !== undefined) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'dashboard-controls.png') });
    }
  });

  it('renders a registry of 5,000 keys, and filters it, within a second', async () => {
    const tenants = createRegistry({ maxSize: 10_000 });
    for (let i = 0; i < 5000; i++) tenants.get(`tenant-${i}`);
    tenants.get('tenant-4321').open();
    const started = Date.now();
    const { page } = await open({ sources: [tenants] });
    await holds(page, () => document.getElementById('count')!.textContent!.startsWith('5000 breakers, 1 not closed'), 5000);
    const rendered = Date.now() - started;
    expect(rendered).toBeLessThan(3000); // page load, 5,000 rows read, sent and drawn (generous on a shared machine)
    expect(await page.textContent('#rows tr:first-child td.name')).toBe('tenant-4321'); // not closed: first
    await page.fill('#filter', 'tenant-4999');
    await holds(page, () => document.querySelectorAll('#rows tr').length === 1, 1000);
    expect(await page.textContent('#rows td.name')).toBe('tenant-4999');
    expect(await page.textContent('#count')).toContain('1 match');
  });

  it('leaves no timer and no listener in the server when the page closes', async () => {
    const { source, listeners } = counted(createBreaker({ name: 'db' }));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { board, page } = await open({ sources: [source] });
    await page.waitForSelector('#rows tr', { timeout: 5000 });
    expect(board.watching).toBe(1);
    expect(listeners()).toBeGreaterThan(0);
    const { errors, dialogs } = watched!;
    expect({ errors, dialogs, violations: await watched!.violations() }).toEqual({ errors: [], dialogs: [], violations: 0 });
    await page.context().close();
    watched = undefined;
    await eventually(() => board.watching === 0, 'the feed ends when its page closes');
    expect(listeners()).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('falls back to polling breakers.json without EventSource', async () => {
    const db = createBreaker({ name: 'db' });
    const board = dashboard({ sources: [db] });
    const { server, url } = await serve(board.node);
    servers.push({ close: () => close(server) });
    watched = await watchedPage(browser);
    await watched.page.addInitScript(() => {
      delete (window as { EventSource?: unknown }).EventSource;
    });
    await watched.page.goto(`${url}/`);
    await shows(watched.page, 'db', 'closed', 5000);
    expect(await watched.page.textContent('#status')).toBe('polling');
    db.isolate();
    await shows(watched.page, 'db', 'isolated', 5000);
    expect(board.watching).toBe(0);
  });
});
