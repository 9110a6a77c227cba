import CircuitBreaker from 'opossum';
import { opossumDefaults } from '../docs/examples/migrating-opossum-defaults.js';
import { createBreaker } from '../src/index.js';

/** The call (1-based) at which a breaker fed `outcomes` (true: success) first turns calls away, or 0. */
async function openedAt(fire: (ok: boolean) => Promise<unknown>, isOpen: () => boolean, outcomes: boolean[]) {
  for (const [i, ok] of outcomes.entries()) {
    await fire(ok).catch(() => {});
    if (isOpen()) return i + 1;
  }
  return 0;
}

const sequences: boolean[][] = [
  [true, false, false, true, false], // 60 % failures
  [false],
  [true, false],
  [true, false, true, false, true, false, false],
  [true, true, true, false, false, false, false],
  [true, true, true, true],
];

describe("docs/migrating.md: the options that behave like opossum's defaults", () => {
  it('open at the same call as opossum with no options, on every sequence', async () => {
    const opened = [];
    for (const outcomes of sequences) {
      const opossum = new CircuitBreaker(async (ok: boolean) => {
        if (!ok) throw new Error('down');
      });
      const tripswitch = createBreaker({ ...opossumDefaults, name: 'defaults' });
      const fromOpossum = await openedAt(
        (ok) => opossum.fire(ok),
        () => opossum.opened,
        outcomes,
      );
      const fromTripswitch = await openedAt(
        (ok) => tripswitch.execute(() => (ok ? 'ok' : Promise.reject(new Error('down')))),
        () => tripswitch.state === 'open',
        outcomes,
      );
      opossum.shutdown();
      opened.push([fromOpossum, fromTripswitch]);
    }
    expect(opened.map(([a]) => a)).toEqual(opened.map(([, b]) => b));
    // The sequence of the report: opossum opened at call 3; createBreaker() never did.
    expect(opened[0]).toEqual([3, 3]);
    expect(opened.some(([a]) => a === 0)).toBe(true);
  });

  it('createBreaker() with no options does not open on the 60 % sequence (it counts failures in a row)', async () => {
    const plain = createBreaker();
    const at = await openedAt(
      (ok) => plain.execute(() => (ok ? 'ok' : Promise.reject(new Error('down')))),
      () => plain.state === 'open',
      sequences[0]!,
    );
    expect(at).toBe(0);
  });
});
