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
          setupFiles: ['packages/core/src/testing/fast-check-setup.ts'],
          // No core test may depend on the machine's speed. Their work is fixed — property tests
          // count runs, the APR tests count NPV evaluations — and the slowest takes about half a
          // second on an idle 2-core machine, so Vitest's default 5 s was ten times that and a
          // fresh-clone `npm test` still hit it while the database tests loaded the other core. Two
          // minutes is over 200 times the slowest test: an honest run cannot reach it under any
          // load, only a hang (a loop the bounds failed to stop) can.
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'server',
          include: ['packages/server/src/**/*.test.ts', 'packages/server/tests/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['packages/core/src/testing/fast-check-setup.ts'],
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
