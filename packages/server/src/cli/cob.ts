import { hostname, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatMinor } from '@fenqi/core';
import {
  type CobProgress,
  type CobSummary,
  finishRun,
  type PartitionsClosed,
  runPartitions,
  runProgress,
  startRun,
} from '../modules/cob/service.ts';
import { isIsoDate } from '../platform/business-date.ts';
import { openDatabase } from '../platform/database.ts';
import { AppError } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

// `fenqi cob --date D`: close of business by hand. Starts the run for the open business date (or
// resumes it), closes partitions in this process with N concurrent workers beside any `fenqi
// worker` processes, waits for partitions others hold (taking over those of a worker that died),
// finishes the run and prints its summary.

const usage = 'fenqi cob --date YYYY-MM-DD [--json] [--workers N]';
const workersMax = 32;
/** How often a process with nothing left to claim looks again (for a worker that died, or the end). */
const waitPollMs = 500;

function progressLine(progress: CobProgress): string {
  const { loans, partitions } = progress;
  const percent = loans.total === 0 ? 100 : Math.floor((loans.done * 100) / loans.total);
  const rate =
    progress.loansPerSecond === null ? '—' : `${progress.loansPerSecond.toLocaleString('en')} loans/s`;
  const eta = progress.etaSeconds === null ? '—' : `${progress.etaSeconds} s`;
  return (
    `close of business ${progress.businessDate}: ${loans.done.toLocaleString('en')} / ${loans.total.toLocaleString('en')} loans (${percent} %), ` +
    `${partitions.done} / ${partitions.total} partitions, ${rate}, ETA ${eta}`
  );
}

/** Progress on stderr: one line redrawn on a terminal, a plain line every few seconds otherwise. */
function startProgress(services: Services, date: string): { stop(): Promise<void> } {
  const tty = process.stderr.isTTY === true;
  const stopping = new AbortController();
  let last = '';
  const show = async () => {
    const line = progressLine(await runProgress(services.db, date));
    if (line === last) return;
    last = line;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  };
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await show().catch(() => {});
      await sleep(tty ? 250 : 2000, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
      await show().catch(() => {});
      if (tty && last !== '') process.stderr.write('\n');
    },
  };
}

const yuan = (minor: bigint) => `${formatMinor(minor, 2)} CNY`;
const count = (n: number) => n.toLocaleString('en');

function summaryText(summary: CobSummary): string {
  return [
    `close of business ${summary.date} done in ${(summary.durationMs / 1000).toFixed(1)} s; the business date is now ${summary.nextBusinessDate}`,
    `  loans closed          ${count(summary.loans)} (${summary.partitions} partitions)`,
    `  interest accrued      ${yuan(summary.accruedInterestMinor)}`,
    `  penalty accrued       ${yuan(summary.accruedPenaltyMinor)}`,
    `  fees charged          ${yuan(summary.feesChargedMinor)}`,
    `  installments due      ${count(summary.installmentsDue)} (auto-debit collect orders ${count(summary.collectOrders)})`,
    `  delinquent            ${count(summary.delinquent)} (newly overdue ${count(summary.newlyOverdue)}, to non-accrual ${count(summary.nonAccrual)})`,
    `  written off           ${count(summary.writtenOff)} (principal ${yuan(summary.writtenOffPrincipalMinor)})`,
    `  credit lines expired  ${count(summary.creditLinesExpired)}`,
    '',
  ].join('\n');
}

function summaryJson(summary: CobSummary): string {
  return `${JSON.stringify(summary, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))}\n`;
}

export const cobCommand: Command = {
  name: 'cob',
  summary: 'Run or resume close of business for the open business date',
  usage,
  description:
    'Closes the business date D for every open loan — accrual, installments falling due (auto-debit), overdue and\n' +
    'penalty, non-accrual and write-off — in partitions that this process and every running `fenqi worker` claim,\n' +
    'then advances the business date to D + 1 and prints a summary. D must be the open business date. Interrupted\n' +
    '(even by kill -9), run it again: it resumes the run where it stopped, with the same result.\n' +
    'Exit 0 when the day is closed, 1 when D is not the open business date or the run cannot start, 2 on bad usage.',
  options: {
    date: { type: 'string' },
    json: { type: 'boolean' },
    workers: { type: 'string' },
  },
  optionHelp: [
    '--date <date>       the business date to close, YYYY-MM-DD (the open one)',
    '--json              print the summary as JSON on stdout (progress stays on stderr)',
    `--workers <n>       partitions closed at once by this process (1 to ${workersMax}, default 1)`,
  ],
  run: async ({ values }) => {
    const date = values.date;
    const workers = values.workers === undefined ? 1 : Number(values.workers);
    if (
      typeof date !== 'string' ||
      !isIsoDate(date) ||
      !Number.isInteger(workers) ||
      workers < 1 ||
      workers > workersMax
    ) {
      process.stderr.write(`usage: ${usage}\n`);
      return 2;
    }
    const loaded = loadConfigOrExit();
    // One connection per worker, one for progress, one for the finish.
    const config = { ...loaded, dbPoolMax: Math.max(loaded.dbPoolMax, workers + 2) };
    const logger = createLogger({ logLevel: 'warn' });
    const database = await openDatabase(config, logger, 'fenqi-cob');
    const services: Services = { config, db: database.db, logger };
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      let started: Awaited<ReturnType<typeof startRun>>;
      try {
        started = await startRun(services, { date, startedBy: `cli:${userInfo().username}@${hostname()}` });
      } catch (error) {
        if (error instanceof AppError) {
          process.stderr.write(`fenqi cob: ${error.detail}\n`);
          return 1;
        }
        throw error;
      }
      process.stderr.write(
        `close of business ${date}: ${started.created ? 'started' : 'resumed'}, ${count(started.run.loans)} loans in ${started.run.partitions} partitions\n`,
      );
      const progress = startProgress(services, date);
      let summary: CobSummary | null = null;
      const failed: PartitionsClosed['failed'] = [];
      try {
        const worker = (i: number) => `cob:${hostname()}:${process.pid}/${i}`;
        const passes = await Promise.all(
          Array.from({ length: workers }, (_, i) =>
            runPartitions(database.db, { date, worker: worker(i + 1), signal: stop.signal }),
          ),
        );
        failed.push(...passes.flatMap((pass) => pass.failed));
        while (!stop.signal.aborted && failed.length === 0) {
          const finished = await finishRun(database.db, date);
          if (finished.outcome !== 'pending') {
            summary = finished.run.summary;
            break;
          }
          await sleep(waitPollMs);
          const pass = await runPartitions(database.db, { date, worker: worker(1), signal: stop.signal });
          failed.push(...pass.failed);
        }
      } finally {
        await progress.stop();
      }
      if (failed.length > 0) {
        process.stderr.write(
          failed.map((f) => `fenqi cob: partition ${f.number} failed: ${f.error}\n`).join('') +
            `fenqi cob: those partitions rolled back and stay pending (the others are closed); fix the cause and run fenqi cob --date ${date} again\n`,
        );
        return 1;
      }
      if (summary === null) {
        process.stderr.write(`fenqi cob: interrupted; run it again to resume close of business ${date}\n`);
        return 130;
      }
      process.stdout.write(values.json === true ? summaryJson(summary) : summaryText(summary));
      return 0;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      await database.close();
    }
  },
};
