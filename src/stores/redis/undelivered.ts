/** Names shown in the message; the error's `names` holds them all. */
const SHOWN = 5;

/**
 * The error of `flush()` and `close()` when transitions made here could not be delivered to
 * Redis: they are named, and `cause` is the store's last error.
 */
export function undelivered(names: string[], cause: unknown): Error & { readonly names: readonly string[] } {
  const shown = names
    .slice(0, SHOWN)
    .map((name) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name))
    .join(', ');
  const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : '';
  const error = new Error(
    `tripswitch/redis: the latest transition of ${names.length === 1 ? 'breaker' : `${names.length} breakers`} ${shown}${more} could not be delivered: Redis is unavailable`,
    { cause },
  );
  return Object.assign(error, { names });
}
