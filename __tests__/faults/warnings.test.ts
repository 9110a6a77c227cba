import { createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { trapEscapes } from './trap.js';

trapEscapes();

const boom = (label: string) => () => {
  throw new Error(label);
};

let warnings: jest.SpyInstance;
beforeEach(() => {
  warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
});
afterEach(() => warnings.mockRestore());

const messages = () => warnings.mock.calls.map((call) => String(call[0]));

test('with no callbackError listener, a throwing isFailure never crashes: it becomes a process warning', async () => {
  const breaker = createBreaker({
    name: 'users-api',
    clock: manualClock(),
    isFailure: (e) => (e as { response: { status: number } }).response.status >= 500,
  });
  await expect(breaker.execute(() => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED');
  expect(messages()).toHaveLength(1);
  expect(messages()[0]).toMatch(/the isFailure callback of breaker "users-api" threw: TypeError/);
  expect(warnings.mock.calls[0]?.[1]).toMatchObject({ type: 'TripswitchWarning', code: 'TRIPSWITCH_CALLBACK_ERROR' });
});

test('the same message from the same callback of one breaker is reported once', async () => {
  const breaker = createBreaker({ name: 'a', clock: manualClock(), failureThreshold: 100 });
  breaker.on('success', boom('listener broke'));
  breaker.on('failure', boom('listener broke'));
  for (let i = 0; i < 5; i++) await breaker.execute(() => i);
  await expect(breaker.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
  expect(messages()).toHaveLength(1);
  const other = createBreaker({ name: 'b', clock: manualClock() });
  other.on('success', boom('listener broke'));
  await other.execute(() => 1);
  expect(messages()).toHaveLength(2);
  expect(messages()[1]).toMatch(/breaker "b"/);
});

test('a different message, or another callback, is reported again', async () => {
  let n = 0;
  const breaker = createBreaker({
    clock: manualClock(),
    isResultFailure: () => {
      throw new Error(`bad ${n++ % 2}`);
    },
  });
  breaker.on('success', boom('listener'));
  for (let i = 0; i < 4; i++) await breaker.execute(() => i);
  expect(messages().filter((m) => m.includes('isResultFailure'))).toHaveLength(2);
  expect(messages().filter((m) => m.includes('listener callback'))).toHaveLength(1);
});

test('a throwing callbackError listener is reported as a warning too, not in a loop', async () => {
  const breaker = createBreaker({ clock: manualClock() });
  breaker.on('success', boom('listener'));
  breaker.on('callbackError', boom('reporter'));
  await breaker.execute(() => 1);
  expect(messages()).toEqual([expect.stringMatching(/the listener callback of breaker "breaker" threw: Error: reporter/)]);
});

test('with a callbackError listener, nothing is warned', async () => {
  const breaker = createBreaker({ clock: manualClock(), isFailure: boom('isFailure') });
  const reported: string[] = [];
  breaker.on('callbackError', (e) => reported.push(e.callback));
  await expect(breaker.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
  expect(reported).toEqual(['isFailure']);
  expect(warnings).not.toHaveBeenCalled();
});

test('a runtime without process.emitWarning: nothing is reported and nothing crashes', async () => {
  const original = process.emitWarning;
  (process as { emitWarning?: unknown }).emitWarning = undefined;
  try {
    const breaker = createBreaker({ clock: manualClock(), isFailure: boom('isFailure') });
    await expect(breaker.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
  } finally {
    process.emitWarning = original;
  }
});
