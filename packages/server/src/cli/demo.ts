import type { Command } from './command.ts';
import { startServer } from './serve.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run everything in one process (what `npm start` does)',
  usage: 'fenqi demo',
  description:
    'Migrates the database, then serves the API and runs the background jobs in one process. Without DATABASE_URL it\nstarts an embedded PostgreSQL with its data in .fenqi/pg, so nothing needs to be installed.',
  options: {},
  run: async () =>
    startServer({ migrateFirst: true, withWorker: true, banner: 'Fenqi demo', demoAdmin: true }),
};
