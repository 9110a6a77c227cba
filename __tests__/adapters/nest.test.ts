// The NestJS recipe of docs/recipes.md, run in a real Nest 11 application on both platforms.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, HttpException, type INestApplication, Logger, Module } from '@nestjs/common';
import { bootstrapExpress, bootstrapFastify } from '../../docs/examples/recipes-nest.js';

class ApiController {
  ok(): string {
    return 'ok';
  }
  fail(): never {
    throw new HttpException('upstream down', 502);
  }
}
// Nest's decorators applied as the functions they are: the project compiles without
// experimentalDecorators, and this is what the decorator syntax does.
Controller()(ApiController);
for (const [method, path] of [
  ['ok', 'ok'],
  ['fail', 'fail'],
] as const) {
  Get(path)(ApiController.prototype, method, Object.getOwnPropertyDescriptor(ApiController.prototype, method)!);
}
class AppModule {}
Module({ controllers: [ApiController] })(AppModule);

let app: INestApplication | undefined;
let logged: unknown[][];
beforeAll(() => Logger.overrideLogger(false));
beforeEach(() => {
  logged = [];
  // The recipe logs when the breaker opens: kept here, out of the test output.
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
});
afterEach(async () => {
  jest.restoreAllMocks();
  await app?.close();
  app = undefined;
});

async function serve(made: INestApplication): Promise<string> {
  app = made;
  await made.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(made.getHttpServer().address() as AddressInfo).port}`;
}
const fetchClosed = (url: string) => fetch(url, { headers: { connection: 'close' } });

test('Express platform: five failures open the breaker for every route, and the 503 says when to retry', async () => {
  const url = await serve(await bootstrapExpress(AppModule));
  expect(await (await fetchClosed(`${url}/ok`)).text()).toBe('ok');
  for (let i = 0; i < 5; i++) expect((await fetchClosed(`${url}/fail`)).status).toBe(502);
  const rejected = await fetchClosed(`${url}/ok`);
  expect(rejected.status).toBe(503);
  expect(rejected.headers.get('retry-after')).toBe('10');
  expect(logged).toEqual([['API breaker opened (failures)']]);
  expect(await rejected.json()).toEqual({ error: 'circuit_open', retryAfter: 10 });
});

test('Fastify platform: one breaker per route pattern; an open route leaves the others answering', async () => {
  const url = await serve(await bootstrapFastify(AppModule));
  for (let i = 0; i < 5; i++) expect((await fetchClosed(`${url}/fail`)).status).toBe(502);
  const rejected = await fetchClosed(`${url}/fail`);
  expect(rejected.status).toBe(503);
  expect(await rejected.json()).toMatchObject({ error: 'circuit_open' });
  expect(await (await fetchClosed(`${url}/ok`)).text()).toBe('ok');
});
