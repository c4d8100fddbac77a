import { formatMinor } from '@fenqi/core';
import type { NewStaffUser } from '../modules/iam/service.ts';
import { application } from '../modules/index.ts';
import {
  channelWorld,
  checkOptions,
  invariantsHold,
  type Progress,
  runSimulation,
  type SimulationOptions,
  SimulationRefused,
  type SimulationResult,
  type SimulationRun,
  simulationDefaults,
  simulationStatus,
} from '../modules/simulation/service.ts';
import type { Config } from '../platform/config.ts';
import { type Database, openDatabase } from '../platform/database.ts';
import { createDb, createPool } from '../platform/db.ts';
import { buildApp } from '../platform/http/app.ts';
import type { Logger } from '../platform/logger.ts';
import { migrate } from '../platform/migrate.ts';
import { startChannelSimulator } from './children.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

// `fenqi simulate`: a lending business simulated day by day through the real services
// (docs/simulation.md). Payments go through the channel simulator, started here as its own process
// (`fenqi channel-sim`) on a free loopback port, whose callbacks reach the real callback route of
// an API started here on another. `fenqi demo` runs the same on a database without a simulation.

const usage = 'fenqi simulate [--months N] [--borrowers N] [--seed S] [--start YYYY-MM-DD] [--json]';
export type ProgressReporter = { update(progress: Progress & { stage: string }): void; stop(): void };

/** Progress on stderr: one line redrawn on a terminal, a plain line every few seconds otherwise. */
export function progressOnStderr(): ProgressReporter {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let lastPrinted = 0;
  let shown = false;
  return {
    update(progress) {
      const now = performance.now();
      const done = progress.stage === 'checking';
      if (!tty && !done && now - lastPrinted < 2000 && progress.stage !== 'seeding') return;
      lastPrinted = now;
      const elapsed = `${((now - started) / 1000).toFixed(0)} s`;
      const line =
        progress.stage === 'seeding'
          ? `simulation: seeding the lender (staff, products, policy, funders, merchants) — ${elapsed}`
          : progress.stage === 'checking'
            ? `simulation: ${progress.days} days simulated; checking the ledger and servicing — ${elapsed}`
            : `simulation: day ${progress.day} / ${progress.days} (${progress.date}), ${progress.borrowers.toLocaleString('en')} borrowers, ${progress.loans.toLocaleString('en')} loans — ${elapsed}`;
      process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
      shown = true;
    },
    stop() {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

/**
 * Runs the simulation on an open, migrated database: the channel simulator beside it, and an API
 * to receive the channel's callbacks (on a port of its own, loopback only), both stopped after.
 */
export async function simulateOnDatabase(
  config: Config,
  database: Database,
  logger: Logger,
  options: SimulationOptions,
  onProgress?: (progress: Progress & { stage: string }) => void,
  profile = false,
): Promise<SimulationRun> {
  // Payouts take 3 s at a real bank; scaled to nothing, the channel settles them at once (its
  // delays round to 0 ms), and its callbacks follow right away.
  const channel = await startChannelSimulator(config, database.url, { timeScale: '0.000001' });
  // A pool of its own: borrower tasks at once, the outbox's dispatch lanes, close of business,
  // the callbacks the API receives and the connection holding the run's lock.
  const pool = createPool({
    connectionString: database.url,
    max: options.concurrency + 12,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    applicationName: 'fenqi-simulate',
  });
  // The simulation commits tens of thousands of small transactions: it does not wait for each
  // commit's WAL flush (synchronous_commit off — durability, never consistency, is what that
  // trades). A crash mid-run loses its last moments, and the run is refused as interrupted anyway.
  pool.on('connect', (client) => {
    client.query('SET synchronous_commit = off').catch(() => {});
  });
  const db = createDb(pool);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    // The simulation's own API answers the channel's callbacks by the thousand: one log line each
    // would bury the progress and the banner, so at the default level (info) only warnings and
    // errors are logged; LOG_LEVEL=debug still shows every request.
    const level = logger.level === 'info' ? 'warn' : logger.level;
    const quiet = logger.child({ component: 'simulation' }, { level });
    const appServices = { config, db, logger: quiet };
    app = await buildApp({
      services: appServices,
      modules: application.modules,
      accessControl: application.iam.accessControl({ db, config }),
      version: 'simulation',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address !== 'object') throw new Error('the callback server has no port');
    const simulationConfig: Config = {
      ...config,
      payments: {
        ...config.payments,
        callbackBaseUrl: `http://127.0.0.1:${address.port}`,
        sim: { ...config.payments.sim, url: channel.url },
      },
    };
    return await runSimulation({
      services: { config: simulationConfig, db, logger: quiet },
      approvals: application.iam.approvals,
      permissions: application.iam.permissions,
      consumers: application.consumers,
      channel: channelWorld(channel.url),
      options,
      profile,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
  } finally {
    await app?.close();
    await channel.stop();
    await db.destroy();
  }
}

const yuan = (minor: string) => `${formatMinor(BigInt(minor), 2)} CNY`;
const count = (n: number) => n.toLocaleString('en');

export function summaryText(result: SimulationResult): string {
  const s = result.summary;
  const a = s.activity;
  const states = Object.entries(s.loans.byState)
    .map(([state, f]) => `${state} ${count(f.loans)}`)
    .join(', ');
  const buckets = Object.entries(s.byBucket)
    .map(([bucket, f]) => `${bucket} ${count(f.loans)} (${yuan(f.principalMinor)})`)
    .join('\n                        ');
  const ok = (yes: boolean) => (yes ? 'ok' : 'FAILED');
  return [
    `simulated ${s.days} days from ${s.startDate} (seed ${s.seed}, ${s.months} months, ${count(s.borrowers)} borrowers) in ${result.timing.elapsedSeconds} s; the business date is now ${s.businessDate}`,
    `  borrowers arrived     ${count(a.borrowersArrived)}: approved ${count(a.applications.approved)}, rejected ${count(a.applications.rejected + a.applications.refused)}, to review ${count(a.applications.review)} (approved on review ${count(a.applications.reviewApproved)})`,
    `  loans                 ${count(s.loans.total)} (${states})`,
    `  disbursed             ${count(s.disbursed.loans)} loans, ${yuan(s.disbursed.principalMinor)}`,
    `  outstanding           ${count(s.outstanding.loans)} loans, ${yuan(s.outstanding.principalMinor)} principal`,
    `  by bucket             ${buckets}`,
    `  written off           ${count(s.writtenOff.loans)} loans, ${yuan(s.writtenOff.principalMinor)} principal`,
    `  repayments asked      ${count(a.repaymentsRequested)} (early ${count(a.earlyRepayments)}, late ${count(a.lateRepayments)}), payoffs ${count(a.payoffs)}, prepayments ${count(a.prepayments)}; ${count(a.defaults)} borrowers stopped paying`,
    `  collections           ${count(a.contacts.connected + a.contacts.unanswered + a.contacts.refused)} contact attempts (connected ${count(a.contacts.connected)}, refused by the conduct rules ${count(a.contacts.refused)}), ${count(a.promises)} promises to pay, ${count(a.reminders)} SMS reminders`,
    `  bureau                ${count(a.bureauSubmissions)} monthly submissions, ${count(a.bureauSubmittedRecords)} records`,
    `  trial balance         debits ${yuan(s.trialBalance.totalDebitMinor)}, credits ${yuan(s.trialBalance.totalCreditMinor)}: ${s.trialBalance.balanced ? 'balanced' : `OFF BY ${yuan(s.trialBalance.differenceMinor)}`}`,
    `  ledger verify         ${s.ledgerVerify.ok ? 'no drift' : `${s.ledgerVerify.drift.length} DRIFT(S)`} (${count(s.ledgerVerify.accounts)} accounts, ${s.ledgerVerify.entries} entries, ${s.ledgerVerify.lines} lines)`,
    `  servicing = ledger    ${ok(s.servicingLedger.matches)} for ${count(s.servicingLedger.loans)} loans${s.servicingLedger.matches ? '' : `: ${s.servicingLedger.differences.length} differences, e.g. ${JSON.stringify(s.servicingLedger.differences[0])}`}`,
    `  time                  ${result.timing.elapsedSeconds} s (seeding ${result.timing.seedSeconds} s, days ${result.timing.daysSeconds} s, checks ${result.timing.checksSeconds} s)`,
    ...(s.tryBorrower === null ? [] : [`  borrower H5           ${tryBorrowerText(s.tryBorrower)}`]),
    '',
  ].join('\n');
}

/** How to see the simulated business as one of its borrowers. */
export function tryBorrowerText(borrower: { phone: string; name: string }): string {
  return `sign in at /h5 as ${borrower.name}, phone ${borrower.phone} (the demo shows the SMS code on screen)`;
}

/** The staff logins, one line each: shown once (they are stored only hashed and encrypted). */
export function staffLoginsText(staff: readonly NewStaffUser[]): string {
  if (staff.length === 0) return '';
  const width = Math.max(...staff.map((s) => s.user.username.length));
  return [
    'Staff users (created now; shown once — the one-time password must be changed at first login, the',
    'second factor is a TOTP code from the secret, or one of the recovery codes):',
    ...staff.map(
      (s) =>
        `  ${s.user.username.padEnd(width)}  password ${s.oneTimePassword}  TOTP secret ${s.totpSecret}  recovery ${s.recoveryCodes[0] ?? ''}  (${s.user.displayName})`,
    ),
    '',
  ].join('\n');
}

function integer(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Seed a lender and simulate months of its business through the real services',
  usage,
  description: [
    'On a fresh database: seeds staff, products, a credit policy, a bank co-lender, four merchants and the',
    'collections book, then simulates the business day by day — applications and decisions, orders and cash',
    'drawdowns, disbursements and repayments through the channel simulator, lateness, defaults, prepayments,',
    'collections, close of business every day and the bureau at each month end — and prints a summary with the',
    'checks: trial balance zero, ledger verify without drift, every loan’s servicing equal to its ledger.',
    'The same seed and options give the same summary. Applies pending migrations first. A database that already',
    'holds a simulation is refused (docs/simulation.md). Exit 0 when every check holds, 1 otherwise or when',
    'refused, 2 on bad usage.',
  ].join('\n'),
  options: {
    months: { type: 'string' },
    borrowers: { type: 'string' },
    seed: { type: 'string' },
    start: { type: 'string' },
    json: { type: 'boolean' },
    profile: { type: 'boolean' },
  },
  optionHelp: [
    `--months <n>        months to simulate (default ${simulationDefaults.months})`,
    `--borrowers <n>     people who come to borrow over the months (default ${simulationDefaults.borrowers})`,
    `--seed <s>          the seed everything is drawn from (default ${simulationDefaults.seed})`,
    `--start <date>      the first business date (default ${simulationDefaults.startDate})`,
    '--json              the summary as JSON on stdout (progress and logins stay on stderr)',
    '--profile           also print where the time went, by stage and event consumer (stderr)',
  ],
  run: async ({ values }) => {
    const options: SimulationOptions = {
      ...simulationDefaults,
      months: integer(values.months, simulationDefaults.months),
      borrowers: integer(values.borrowers, simulationDefaults.borrowers),
      seed: integer(values.seed, simulationDefaults.seed),
      startDate: typeof values.start === 'string' ? values.start : simulationDefaults.startDate,
    };
    const problems = checkOptions(options);
    if (problems.length > 0) {
      process.stderr.write(`fenqi simulate: ${problems.join('; ')}\nusage: ${usage}\n`);
      return 2;
    }
    const config = loadConfigOrExit();
    const logger = createLogger({ logLevel: process.env.LOG_LEVEL ? config.logLevel : 'warn' });
    const database = await openDatabase(config, logger, 'fenqi-simulate');
    const progress = progressOnStderr();
    try {
      await migrate(database.url);
      const status = await simulationStatus(database.db);
      if (status.state !== 'none') {
        process.stderr.write(`fenqi simulate: ${refusalText(status.state, status.run)}\n`);
        return 1;
      }
      const run = await simulateOnDatabase(
        config,
        database,
        logger,
        options,
        (p) => progress.update(p),
        values.profile === true,
      );
      progress.stop();
      process.stderr.write(staffLoginsText(run.staff));
      if (run.stages !== undefined)
        process.stderr.write(
          `time by stage (seconds, summed over concurrent work):\n${Object.entries(run.stages)
            .map(([stage, seconds]) => `  ${stage.padEnd(40)} ${seconds}`)
            .join('\n')}\n`,
        );
      process.stdout.write(
        values.json === true
          ? `${JSON.stringify({ summary: run.summary, timing: run.timing }, null, 2)}\n`
          : summaryText(run),
      );
      return invariantsHold(run.summary) ? 0 : 1;
    } catch (error) {
      progress.stop();
      if (error instanceof SimulationRefused) {
        process.stderr.write(`fenqi simulate: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      await database.close();
    }
  },
};

/** What an operator is told about a database that holds a simulation already. */
export function refusalText(
  state: 'running' | 'interrupted' | 'failed' | 'completed',
  run: { seed: number; months: number; borrowers: number; progress: Record<string, unknown> },
): string {
  const what = `the simulation (seed ${run.seed}, ${run.months} months, ${run.borrowers} borrowers)`;
  switch (state) {
    case 'completed':
      return `this database already holds ${what}; its data is reused (reset the database to simulate again)`;
    case 'running':
      return `${what} is running on this database now, in another process`;
    default:
      return `${what} on this database ${state === 'failed' ? 'stopped with an error' : 'was interrupted'} at ${JSON.stringify(run.progress)}: its data is incomplete. Reset the database and start again (the embedded one: stop fenqi and delete the data directory, .fenqi/pg by default)`;
  }
}
