import { defineConfig } from 'vitest/config';

// Two projects: the pure core runs without a database; the server project migrates a template
// database once (global setup) and gives each test file its own copy.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          include: ['packages/core/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'server',
          include: ['packages/server/src/**/*.test.ts', 'packages/server/tests/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['packages/server/tests/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
