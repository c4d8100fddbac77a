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
          // A limit no honest run on a loaded 2-core machine comes near: tests wait for events (a
          // job's completion, a lock released), never for time, so only a hang should reach it.
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
