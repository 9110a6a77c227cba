import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { circuitBreaker } from 'tripswitch/express';
import { circuitBreaker as fastifyCircuitBreaker } from 'tripswitch/fastify';

// On Nest's default platform (Express): the Express middleware, for every route of the app.
export async function bootstrapExpress(AppModule: Type<unknown>) {
  const app = await NestFactory.create(AppModule);
  const guard = circuitBreaker({ failureThreshold: 5, resetTimeoutMs: 10_000 });
  app.use(guard);
  guard.breaker.on('open', (event) => console.log(`API breaker opened (${event.reason})`));
  return app;
}

// On the Fastify platform: the plugin, registered before Nest adds its routes.
export async function bootstrapFastify(AppModule: Type<unknown>) {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  await app.register(fastifyCircuitBreaker, {
    key: (request) => request.routeOptions.url ?? 'unmatched',
    maxKeys: 200,
    failureThreshold: 5,
  });
  return app;
}
