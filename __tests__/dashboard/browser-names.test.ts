// The page in Chromium: names holding control and bidi characters, and shutting the server
// down with a tab open.
import type { Browser } from 'playwright-core';
import { type DashboardOptions, dashboard } from '../../src/dashboard/index.js';
import { createBreaker } from '../../src/index.js';
import { launch, type Watched, watchedPage } from './browser.js';
import { close, eventually, serve } from './helpers.js';

jest.setTimeout(60_000);

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

async function open(options: DashboardOptions) {
  const board = dashboard(options);
  const { server, url } = await serve(board.node);
  servers.push({ close: () => close(server) });
  watched = await watchedPage(browser);
  await watched.page.goto(`${url}/`);
  return { board, server, page: watched.page };
}

describe('names in the page', () => {
  it('shows control and bidi characters as escapes, so that no name passes for another', async () => {
    const names = ['stnemyap\u202E', 'pay\u202Ements', 'db\u0000shadow', 'zero\u200Bwidth', 'payments'];
    const { page } = await open({ sources: names.map((name) => createBreaker({ name })) });
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 5, null, { timeout: 5000 });
    const shown = await page.$$eval('#rows td.name', (cells) => cells.map((c) => c.textContent ?? ''));
    expect(shown.sort()).toEqual(['db\\u0000shadow', 'pay\\u202Ements', 'payments', 'stnemyap\\u202E', 'zero\\u200Bwidth']);
    const raw = ['\u202E', '\u0000', '\u200B'];
    for (const text of shown) for (const c of raw) expect(text.includes(c)).toBe(false);
  });
});

describe('shutting down with a tab open', () => {
  it('board.close() ends the feed and its timer; server.close() then finishes', async () => {
    const { board, server, page } = await open({ sources: [createBreaker({ name: 'db' })] });
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live', null, { timeout: 5000 });
    expect(board.watching).toBe(1);
    servers.push({ close: async () => (board as Partial<typeof board>).close?.() });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    let finished = false;
    server.close(() => {
      finished = true;
    });
    board.close();
    expect(board.watching).toBe(0);
    expect(timers()).toBeLessThan(before); // the feed's 500 ms timer is gone
    // No closeAllConnections: the tab's connections end on their own.
    await eventually(() => finished, 'server.close() finishes with the tab still open', 10_000);
  });
});
