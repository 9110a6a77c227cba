import { fail, setup, succeed } from '../helpers.js';

describe('consecutive mode counts failures in a row, not a rate', () => {
  test('two failures in every three calls never open it below failureThreshold in a row', async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    for (let i = 0; i < 10; i++) {
      await fail(breaker, 2);
      await succeed(breaker);
    }
    expect(breaker.stats()).toMatchObject({ state: 'closed', window: { calls: 30, failures: 20 } });
    await fail(breaker, 3);
    expect(breaker.state).toBe('open');
  });
});
