// The dashboard mounted in Fastify as docs/dashboard.md shows it (an onRequest hook handing the
// raw request to board.node), beside tripswitch/fastify guarding the app's routes.
import Fastify, { type FastifyInstance } from 'fastify';
import { circuitBreaker } from '../../src/adapters/fastify.js';
import { dashboard } from '../../src/dashboard/index.js';
import { createBreaker } from '../../src/index.js';
import { mountDashboard } from './fastify-mount.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  app?.server.closeAllConnections();
  await app?.close();
  app = undefined;
});

/** Sends a control as the page does: same origin, the page's token. */
async function control(base: string, token: string, name: string, action: string): Promise<Response> {
  return fetch(`${base}/breakers.control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(base).origin, 'x-tripswitch-token': token },
    body: JSON.stringify({ name, action }),
    signal: AbortSignal.timeout(5000),
  });
}

test('the page, breakers.json and the controls work through Fastify, while the breaker guards the app', async () => {
  const payments = createBreaker({ name: 'payments' });
  const board = dashboard({ sources: [payments], controls: true });
  app = Fastify();
  // The breaker guards the whole app, registered before the dashboard's hook.
  await app.register(circuitBreaker, { breaker: payments });
  mountDashboard(app, '/admin/breakers', board);
  app.post('/payments', async (request) => ({ paid: (request.body as { amount: number }).amount }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `${url}/admin/breakers`;

  const page = await fetch(base);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const token = /<meta name="tripswitch-token" content="([^"]*)">/.exec(await page.text())?.[1] ?? '';
  expect(token).not.toBe('');
  const json = await (await fetch(`${base}/breakers.json`)).json();
  expect(json.breakers.map((b: { name: string; state: string }) => [b.name, b.state])).toEqual([['payments', 'closed']]);

  const isolated = await control(base, token, 'payments', 'isolate');
  expect(isolated.status).toBeLessThan(300);
  expect(payments.state).toBe('isolated');
  // The app's routes are refused now; the dashboard still answers, and closes the breaker again.
  const pay = () =>
    fetch(`${url}/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":3}' });
  expect((await pay()).status).toBe(503);
  const listed = await (await fetch(`${base}/breakers.json?fresh=1`)).json();
  expect(listed.breakers[0].state).toBe('isolated');
  expect((await control(base, token, 'payments', 'close')).status).toBeLessThan(300);
  expect(payments.state).toBe('closed');
  expect(await (await pay()).json()).toEqual({ paid: 3 });
});

test('the rest of the app, and paths that only begin like the mount, stay Fastify’s', async () => {
  const board = dashboard({ sources: [createBreaker({ name: 'db' })] });
  app = Fastify();
  mountDashboard(app, '/breakers', board);
  app.get('/breakersx', async () => 'a route of the app');
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  expect(await (await fetch(`${url}/breakersx`)).text()).toBe('a route of the app');
  expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
  expect((await fetch(`${url}/breakers/breakers.json`)).status).toBe(200);
  // A read-only dashboard refuses a control, through the hook as elsewhere.
  expect((await fetch(`${url}/breakers/breakers.control`, { method: 'POST', body: '{}' })).status).toBe(403);
});
