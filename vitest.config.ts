import { defineConfig } from 'vitest/config';

// One config for the whole repository. The storage/bus matrix is chosen by environment
// variables (PORTICO_TEST_DB = pglite | postgres, PORTICO_TEST_BUS = memory | nats); see
// scripts/test.ts, which runs the matrix.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
