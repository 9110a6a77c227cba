import { createBreaker } from 'tripswitch';

class NotFoundError extends Error {}

const breaker = createBreaker({
  name: 'catalog',
  // A 404 says nothing about the catalog's health: ignore it (rethrown, counted as neither).
  isFailure: (error) => !(error instanceof NotFoundError),
  // A resolved value can be a failure too: the caller still gets it.
  isResultFailure: (result) => (result as { degraded?: boolean }).degraded === true,
});

breaker.on('ignore', ({ error }) => console.log('ignored:', (error as Error).message));
breaker.on('failure', ({ error }) => console.log('failure, error =', error));

await breaker
  .execute(() => {
    throw new NotFoundError('no such product');
  })
  .catch(() => {}); // ignored: no such product

const result = await breaker.execute(() => ({ degraded: true, items: [] }));
console.log(result); // the caller still gets { degraded: true, items: [] }; the `failure` event carried it

console.log(breaker.stats().totals); // { calls: 2, successes: 0, failures: 1, ignored: 1, ... }
