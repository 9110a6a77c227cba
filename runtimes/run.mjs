// Runs the portable suite (suite.mjs) for a runtime's host, plus the host's own tests.
import { ok, run } from './harness.mjs';
import { tests } from './suite.mjs';

/** The entry points the suite imports, for the hosts to check where they resolve to. */
export const ENTRY_POINTS = ['tripswitch', 'tripswitch/fetch', 'tripswitch/hono', 'tripswitch/testing', 'tripswitch/upstash'];

/** A host's test that each entry point resolves, through the exports map, to the built files. */
export const builtPackageTest = (resolve) => ({
  name: 'tripswitch resolves to the built package (dist/), through its exports map',
  fn: () => {
    for (const specifier of ENTRY_POINTS) {
      const url = resolve(specifier);
      ok(/\/dist\/[\w/-]+\.js$/.test(url), `${specifier} resolved to ${url}`);
    }
  },
});

/**
 * Runs the suite against `upstream` (the base URL of the test upstream server), plus the
 * `extra` tests of a runtime's host. `log` receives one line per test and a closing
 * `N passed, N failed` line.
 */
export function runSuite({ upstream, log, extra = [] }) {
  return run({ tests: [...tests, ...extra], log, context: { upstream } });
}
