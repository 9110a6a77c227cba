// Compiled by `tsc --noEmit`, never run: each `@ts-expect-error` must meet a type error.
import { type Breaker, createBreaker, type Guarded, wrap } from '../../src/index.js';

declare function expectType<T>(value: T): void;

// Arguments and the awaited return type are kept.
const parse = wrap((text: string, radix: number) => Number.parseInt(text, radix));
expectType<Guarded<[string, number], number>>(parse);
expectType<Promise<number>>(parse('10', 2));
// @ts-expect-error a missing argument
parse('10');
// @ts-expect-error a wrong argument type
parse(10, 2);
// @ts-expect-error the result is a number, not a string
expectType<Promise<string>>(parse('1', 10));

// An async function's result is unwrapped once.
const load = wrap(async (id: number) => ({ id, name: 'n' }));
expectType<Promise<{ id: number; name: string }>>(load(1));
// @ts-expect-error no such property
load(1).then((user) => user.email);

// `this` is kept.
interface Counter {
  count: number;
  next: (this: Counter, by: number) => Promise<number>;
}
const counter: Counter = {
  count: 0,
  next: wrap(function (this: Counter, by: number) {
    return (this.count += by);
  }),
};
counter.next(1);
const { next } = counter;
// @ts-expect-error called without its `this`
next(1);

// The breaker is exposed and readonly.
expectType<Breaker>(parse.breaker);
// @ts-expect-error readonly
parse.breaker = createBreaker();

// fallback must return the wrapped function's type and gets its arguments.
wrap((id: string) => Promise.resolve(id.length), { fallback: (_error, id) => id.length * 2 });
wrap((id: string) => Promise.resolve(id.length), { fallback: async () => 0 });
// @ts-expect-error a string is not a number
wrap((id: string) => Promise.resolve(id.length), { fallback: () => 'none' });
// @ts-expect-error the argument is a string
wrap((id: string) => id.length, { fallback: (_error, id: number) => id });

// The same for breaker.wrap.
const breaker = createBreaker();
const guarded = breaker.wrap((a: number, b: string) => `${a}${b}`);
expectType<Promise<string>>(guarded(1, 'x'));
// @ts-expect-error wrong argument order
guarded('x', 1);
breaker.wrap((n: number) => n, { fallback: () => 0 });
// @ts-expect-error a string is not a number
breaker.wrap((n: number) => n, { fallback: () => 'zero' });

// Breaker options and `breaker` are accepted by wrap's options.
wrap(() => 1, { breaker, fallback: () => 2 });
wrap(() => 1, { failureThreshold: 3, timeoutMs: 10 });
// @ts-expect-error an unknown option
wrap(() => 1, { failureTreshold: 3 });
