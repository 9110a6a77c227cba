// Mutation testing of the core: `npm run test:mutation` (slow: not part of `npm test`).
// Jest runs only the core's suites (no servers, no adapters, no Redis), on at most 2 workers.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    config: {
      testMatch: [
        '<rootDir>/__tests__/*.test.ts',
        '<rootDir>/__tests__/breaker/**/*.test.ts',
        '<rootDir>/__tests__/model/**/*.test.ts',
        '<rootDir>/__tests__/faults/**/*.test.ts',
        '<rootDir>/__tests__/store/**/*.test.ts',
      ],
      coverageThreshold: {},
    },
    enableFindRelatedTests: false,
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate: [
    'src/breaker.ts',
    'src/machine.ts',
    'src/admission.ts',
    'src/counting.ts',
    'src/call.ts',
    'src/permit.ts',
    'src/outcome.ts',
    'src/windows/*.ts',
    'src/fleet.ts',
    'src/follow.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  timeoutMS: 10000,
};
