import { Hono } from 'hono';
import { createBreaker } from 'tripswitch';
import { dashboard } from 'tripswitch/dashboard';

const search = createBreaker({ name: 'search' });
const board = dashboard({
  sources: [search],
  controls: true, // open, isolate, close and disable buttons
  authorize: async (request) => (await lookUpOperator(request.headers.get('authorization'))) !== undefined,
});

// Hono: mount it under a path in one line. Bun, Deno and Workers take board.fetch as it is.
const app = new Hono();
app.mount('/internal/breakers', board.fetch);
export default app;

declare function lookUpOperator(header: string | null): Promise<string | undefined>;
