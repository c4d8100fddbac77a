import { simulationDefaults, simulationStatus } from '../modules/simulation/service.ts';
import { defaultDemoShowCodes } from '../platform/config.ts';
import type { Command } from './command.ts';
import { demoCompanions } from './demo-companions.ts';
import { startServer } from './serve.ts';
import {
  progressOnStderr,
  refusalText,
  simulateOnDatabase,
  staffLoginsText,
  summaryText,
  tryBorrowerText,
} from './simulate.ts';

// `fenqi demo` (`npm start`): migrations, then — on a database without a simulation — the demo
// business simulated through the real services (`fenqi simulate` with the demo defaults,
// docs/simulation.md), then the API and the background jobs in one process. A database that holds
// a completed simulation is reused as it is; FENQI_DEMO_SIMULATE=false skips the simulation.
// Beside the API, for its whole life: the channel simulator and the merchant sandbox under
// /sandbox, processes of their own (cli/demo-companions.ts).

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run everything in one process (what `npm start` does)',
  usage: 'fenqi demo',
  description:
    'Migrates the database, simulates a lending business on it the first time (12 months through the real services;\n' +
    'FENQI_DEMO_SIMULATE=false skips it), then serves the API and runs the background jobs in one process. Without\n' +
    'DATABASE_URL it starts an embedded PostgreSQL with its data in .fenqi/pg, so nothing needs to be installed.\n' +
    'The borrower H5 shows the sign-in and card-binding SMS codes (DEMO_SHOW_CODES=true unless set).',
  options: {},
  run: async () => {
    // Before the configuration is read: the H5 shows the codes unless DEMO_SHOW_CODES is set.
    defaultDemoShowCodes();
    return startServer({
      migrateFirst: true,
      withWorker: true,
      banner: 'Fenqi demo',
      demoAdmin: true,
      companions: demoCompanions(),
      prepare: async (database, config, logger) => {
        if (!config.demoSimulate) return [];
        const status = await simulationStatus(database.db);
        if (status.state === 'completed') {
          const { summary } = status.result;
          return [
            `Reusing the simulated business already in the database (seed ${summary.seed}, ${summary.months} months from ${summary.startDate}: ${summary.loans.total.toLocaleString('en')} loans; business date ${summary.businessDate}).`,
            'The staff logins were shown when it was simulated; reset the database to simulate again.',
            // Summaries stored before the field existed have none.
            ...(summary.tryBorrower ? [`Borrower H5: ${tryBorrowerText(summary.tryBorrower)}.`] : []),
          ];
        }
        if (status.state !== 'none') return [`Warning: ${refusalText(status.state, status.run)}.`];
        process.stderr.write(
          `Simulating ${simulationDefaults.months} months of business for the demo (${simulationDefaults.borrowers.toLocaleString('en')} borrowers; FENQI_DEMO_SIMULATE=false skips this)…\n`,
        );
        const progress = progressOnStderr();
        try {
          const run = await simulateOnDatabase(config, database, logger, simulationDefaults, (p) =>
            progress.update(p),
          );
          return [summaryText(run), staffLoginsText(run.staff)];
        } finally {
          progress.stop();
        }
      },
    });
  },
};
