import { fastifyFramework } from './fastify-app.js';
import { httpSuite } from './http-suite.js';

describe('tripswitch/fastify', () => {
  httpSuite(fastifyFramework);
});
