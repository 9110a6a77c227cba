/** @internal A short, safe description of a value, for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  // Numbers, booleans, null, undefined, symbols and bigints as they print (`String`, unlike a template, takes a symbol).
  return String(value);
}

/** @internal Throws a `TypeError` unless `value` is an object (not null, an array nor a function). */
export function plainObject(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`);
  }
}
