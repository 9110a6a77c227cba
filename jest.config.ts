import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    // The package's own name, as the docs examples import it (tsconfig.json has the same paths).
    '^tripswitch$': '<rootDir>/src/index.ts',
    '^tripswitch/(express|koa|hono|fastify|fetch|axios)$': '<rootDir>/src/adapters/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  collectCoverageFrom: ['src/**/*.ts'],
  coverageThreshold: {
    global: { lines: 95, branches: 95, functions: 95, statements: 95 },
  },
  coverageReporters: ['text-summary', 'lcov'],
};

export default config;
