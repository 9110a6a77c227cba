// The dashboard mounted in Fastify (docs/dashboard.md), in Chromium: the page loads, follows a
// breaker live, and its isolate button works through Fastify, beside tripswitch/fastify.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { circuitBreaker } from '../../src/adapters/fastify.js';
import { dashboard } from '../../src/dashboard/index.js';
import { createBreaker } from '../../src/index.js';
import { launch, type Watched, watchedPage } from './browser.js';
import { mountDashboard } from './fastify-mount.js';
import { eventually } from './helpers.js';

jest.setTimeout(60_000);

let browser: Browser;
let watched: Watched | undefined;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  if (watched !== undefined) await watched.page.context().close();
  app?.server.closeAllConnections();
  await app?.close();
  app = undefined;
});

test('the page follows a breaker live and its isolate button isolates it, through Fastify', async () => {
  const payments = createBreaker({ name: 'payments' });
  const board = dashboard({ sources: [payments], controls: true, title: 'shop: breakers' });
  app = Fastify();
  await app.register(circuitBreaker, { breaker: payments });
  mountDashboard(app, '/admin/breakers', board);
  app.get('/checkout', async () => 'paid');
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  watched = await watchedPage(browser);
  const { page } = watched;
  await page.goto(`${url}/admin/breakers`);
  expect(await page.textContent('h1')).toBe('shop: breakers');
  const row = page.locator('#rows tr', { has: page.locator('td.name', { hasText: /^payments$/ }) });
  await row.locator('button[data-action=isolate]').click({ timeout: 5000 });
  await eventually(() => payments.state === 'isolated', 'the click isolates payments through Fastify');
  await page.waitForFunction(() => document.querySelector<HTMLTableRowElement>('#rows tr')?.dataset.state === 'isolated', null, {
    timeout: 5000,
  });
  expect((await fetch(`${url}/checkout`)).status).toBe(503);
  // The feed follows a change made elsewhere: the page shows the breaker closed again.
  payments.close();
  await page.waitForFunction(() => document.querySelector<HTMLTableRowElement>('#rows tr')?.dataset.state === 'closed', null, {
    timeout: 5000,
  });
  const { errors, dialogs } = watched;
  expect({ errors, dialogs, violations: await watched.violations() }).toEqual({ errors: [], dialogs: [], violations: 0 });
});
