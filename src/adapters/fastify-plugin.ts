// What `fastify-plugin` would add to a plugin function, set here so that tripswitch/fastify
// loads with neither fastify nor fastify-plugin installed.

/**
 * @internal Marks `plugin` as Fastify reads a `fastify-plugin` wrapped plugin: not
 * encapsulated (`skip-override`: its hooks go to the context it is registered in), named in
 * Fastify's errors and logs, and meant for Fastify 5.
 */
export function pluginMeta<F extends (...args: never[]) => void>(plugin: F): F {
  const name = 'tripswitch-circuit-breaker';
  Object.defineProperties(plugin, {
    [Symbol.for('skip-override')]: { value: true },
    [Symbol.for('fastify.display-name')]: { value: name },
    [Symbol.for('plugin-meta')]: { value: Object.freeze({ fastify: '5.x', name }) },
  });
  return plugin;
}

/** @internal The part of a Node.js stream the plugin uses. */
export interface Stream {
  once(event: 'error', listener: (error: unknown) => void): unknown;
}

/** @internal `payload` when it is a stream Fastify pipes to the response. */
export function streamOf(payload: unknown): Stream | undefined {
  return typeof payload === 'object' && payload !== null && typeof (payload as { pipe?: unknown }).pipe === 'function'
    ? (payload as Stream)
    : undefined;
}
