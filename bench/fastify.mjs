// Fastify: server CPU per request and the plugin's own time, measured as bench/http.mjs
// measures the Express, Koa and Hono middleware (no plugin, a no-op plugin, tripswitch), in a
// section of its own. Run by bench/run.mjs as `node --expose-gc bench/fastify.mjs`.
process.env.BENCH_HTTP_FRAMEWORKS = 'fastify';
process.env.BENCH_HTTP_GROUP = 'fastify';
await import('./http.mjs');
