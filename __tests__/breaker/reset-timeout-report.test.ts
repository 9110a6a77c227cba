import { fail, setup } from '../helpers.js';

describe('a resetTimeoutMs function that returns nonsense', () => {
  test('its callbackError names the attempt and the value', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: (attempt) => (attempt === 1 ? 10 : -5) });
    const reported: unknown[] = [];
    breaker.on('callbackError', (e) => reported.push(e.error));
    await fail(breaker);
    clock.advance(10);
    await fail(breaker);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(RangeError);
    expect((reported[0] as Error).message).toMatch(/^resetTimeoutMs\(2\) .*-5/);
  });
});
