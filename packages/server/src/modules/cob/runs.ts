import { addDays, type LocalDate } from '@fenqi/core';
import { advanceBusinessDate, getBusinessDate, lockBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { isRetryableConflict } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors.ts';
import { deliverPendingTo } from '../../platform/outbox/dispatcher.ts';
import type { Services } from '../../platform/services.ts';
import type { DateString } from '../../platform/tables.ts';
import { expireLines } from '../credit/service.ts';
import { fenceLedgerForDayClose } from '../ledger/service.ts';
import {
  addTotals,
  beginDayClose,
  closeAccountsForDay,
  type DayCloseTotals,
  type LoanIdRange,
  loanIdMin,
  noTotals,
  oldestClosedThrough,
  openAccountConsumer,
  openAccountRanges,
} from '../servicing/service.ts';
import * as store from './store.ts';
import type { CobDb, CobTx, TotalsJson } from './tables.ts';

// Close of business for the open business date D (docs/cob.md):
//   startRun      every disbursed loan gets its servicing account (the outbox consumer, now), the
//                 day's close is marked begun (inline catch-up starts), and the open accounts are
//                 split into partitions by loan-id range: one run row and its partitions, one
//                 transaction. Starting again resumes the run.
//   runPartitions claims pending partitions one at a time (SKIP LOCKED) and closes each in one
//                 transaction with its `done`: any number of processes run it side by side.
//   finishRun     once every partition is done, one transaction fences the ledger, sweeps the
//                 accounts opened since planning, advances the date (business_date_history gets
//                 its row from the date's trigger), expires credit lines for the new day and
//                 writes the run's summary. Of concurrent finishers the first wins; the others
//                 find the run done.

export type CobSummary = {
  date: DateString;
  nextBusinessDate: DateString;
  partitions: number;
  /** Account-days closed (an account a day behind counts once per day it caught up). */
  loans: number;
  accruedInterestMinor: bigint;
  accruedPenaltyMinor: bigint;
  feesChargedMinor: bigint;
  installmentsDue: number;
  /** servicing.installment-due events: the auto-debit (代扣) collect orders asked of payments. */
  collectOrders: number;
  /** Accounts with something unpaid past a due date after the close. */
  delinquent: number;
  newlyOverdue: number;
  nonAccrual: number;
  writtenOff: number;
  writtenOffPrincipalMinor: bigint;
  creditLinesExpired: number;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
};

export type CobRun = {
  businessDate: DateString;
  status: 'running' | 'done';
  partitions: number;
  loans: number;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  summary: CobSummary | null;
};

export type CobProgress = {
  businessDate: DateString;
  status: 'running' | 'done';
  partitions: { done: number; total: number };
  loans: { done: number; total: number };
  startedAt: Date;
  finishedAt: Date | null;
  elapsedMs: number;
  /** Planned loans of the done partitions per second since the run started; null before the first. */
  loansPerSecond: number | null;
  etaSeconds: number | null;
  summary: CobSummary | null;
};

const totalsAmounts = [
  'interestAccruedMinor',
  'penaltyAccruedMinor',
  'feesChargedMinor',
  'writtenOffPrincipalMinor',
] as const;

export function totalsToJson(totals: DayCloseTotals): TotalsJson {
  const json: TotalsJson = {};
  for (const [key, value] of Object.entries(totals))
    json[key] = typeof value === 'bigint' ? String(value) : value;
  return json;
}

export function totalsFromJson(json: TotalsJson): DayCloseTotals {
  const totals: Record<string, number | bigint> = { ...noTotals };
  for (const key of Object.keys(noTotals)) {
    const value = json[key];
    if (value === undefined) continue;
    totals[key] = (totalsAmounts as readonly string[]).includes(key) ? BigInt(value) : Number(value);
  }
  return totals as DayCloseTotals;
}

function summaryToJson(summary: Omit<CobSummary, 'finishedAt' | 'durationMs'>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(summary).map(([key, value]) => [
      key,
      typeof value === 'bigint' ? String(value) : value instanceof Date ? value.toISOString() : value,
    ]),
  );
}

function summaryFromJson(json: Record<string, unknown> | null): CobSummary | null {
  if (json === null) return null;
  const text = (key: string) => String(json[key]);
  const count = (key: string) => Number(json[key]);
  return {
    date: text('date'),
    nextBusinessDate: text('nextBusinessDate'),
    partitions: count('partitions'),
    loans: count('loans'),
    accruedInterestMinor: BigInt(text('accruedInterestMinor')),
    accruedPenaltyMinor: BigInt(text('accruedPenaltyMinor')),
    feesChargedMinor: BigInt(text('feesChargedMinor')),
    installmentsDue: count('installmentsDue'),
    collectOrders: count('collectOrders'),
    delinquent: count('delinquent'),
    newlyOverdue: count('newlyOverdue'),
    nonAccrual: count('nonAccrual'),
    writtenOff: count('writtenOff'),
    writtenOffPrincipalMinor: BigInt(text('writtenOffPrincipalMinor')),
    creditLinesExpired: count('creditLinesExpired'),
    startedAt: new Date(text('startedAt')),
    finishedAt: new Date(text('finishedAt')),
    durationMs: count('durationMs'),
  };
}

function toRun(row: store.RunRow): CobRun {
  return {
    businessDate: row.business_date,
    status: row.status,
    partitions: row.partitions,
    loans: Number(row.loans),
    startedBy: row.started_by,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    summary: summaryFromJson(row.summary),
  };
}

function dateNotOpen(date: DateString, open: DateString): AppError {
  const when = date < open ? 'was closed already' : 'is not open yet';
  return new AppError(
    'cob_date_not_open',
    `Close of business runs only for the open business date ${open}; ${date} ${when}.`,
    { extensions: { businessDate: open, date } },
  );
}

/** Refuses, before anything is done, a date other than the open business date. */
export async function assertDateOpen(db: DB | Tx, date: DateString): Promise<void> {
  const open = await getBusinessDate(db);
  if (open !== date) throw dateNotOpen(date, open);
}

/**
 * Opens the servicing account of every disbursed loan whose loans.loan-disbursed event is still
 * undelivered to servicing, now, instead of waiting for the outbox dispatcher: a loan the plan
 * missed would only be closed by the final sweep, in the one transaction that advances the date.
 */
export async function openPendingAccounts(services: Services): Promise<void> {
  const { failed } = await deliverPendingTo(services, openAccountConsumer);
  if (failed > 0) {
    throw new AppError(
      'cob_accounts_pending',
      `${failed} disbursed loan(s) could not get their servicing account (delivery of loans.loan-disbursed to servicing.open-account failed); see GET /api/v1/events/deliveries, then start close of business again.`,
      { extensions: { failed } },
    );
  }
}

/**
 * Plans the run for `date` in the caller's transaction, or finds the run already planned (resume).
 * Holds the business-date row lock, so two starters cannot plan twice and a finisher cannot
 * advance the date under a plan.
 */
export async function planRun(
  trx: Tx,
  config: Config,
  request: { date: DateString; startedBy: string },
): Promise<{ run: CobRun; created: boolean }> {
  const open = await lockBusinessDate(trx);
  if (open !== request.date) throw dateNotOpen(request.date, open);
  const t = trx as unknown as CobTx;
  const existing = await store.findRun(t, request.date);
  if (existing !== undefined) {
    if (existing.status === 'done')
      throw new Error(`the run for ${request.date} is done but the date is open`);
    return { run: toRun(existing), created: false };
  }
  await beginDayClose(trx, request.date);
  const plan = await openAccountRanges(trx, request.date, config.cob.partitionLoans);
  const row = await store.insertRun(t, { ...plan, date: request.date, startedBy: request.startedBy });
  return { run: toRun(row), created: true };
}

/** Starts close of business for the open business date, or resumes the run already started. */
export async function startRun(
  services: Services,
  request: { date: DateString; startedBy: string },
): Promise<{ run: CobRun; created: boolean }> {
  await assertDateOpen(services.db, request.date);
  await openPendingAccounts(services);
  return services.db.transaction().execute((trx) => planRun(trx, services.config, request));
}

/**
 * Closes the accounts of one loan-id range for `date`. An account more than a day behind (opened
 * after its first day was closed) is closed day by day from the day after its closed_through, its
 * lines booked on `date`, the open day.
 * A partition closes `date` first and only then looks for accounts left behind, which are rare:
 * that look then reads the pages the close has just brought in, where looking first cost a cold
 * read of every account of the range (74 ms of a 5,000-loan partition at 1,000,000 loans,
 * measured). The sweep looks first: across the whole book, usually to find nothing at all.
 */
async function closeRange(
  trx: Tx,
  date: DateString,
  range: LoanIdRange,
  key: string,
  order: 'close first' | 'look first',
): Promise<DayCloseTotals> {
  let totals =
    order === 'close first' ? await closeAccountsForDay(trx, date, { ...range, key }, date) : noTotals;
  const oldest = await oldestClosedThrough(trx, date, range);
  if (oldest === null) return totals;
  for (let day = addDays(oldest as LocalDate, 1); day <= date; day = addDays(day, 1)) {
    // Entry keys name the day closed and the scope: the late days, and `date` closed a second time
    // for the accounts that were behind, get keys no other close uses.
    const dayKey = day !== date ? `${key}@${date}` : order === 'close first' ? `${key}+late` : key;
    totals = addTotals(totals, await closeAccountsForDay(trx, day, { ...range, key: dayKey }, date));
  }
  return totals;
}

/** Attempts at one partition that deadlocked or failed to serialize, before it counts as failed. */
const partitionAttemptsMax = 3;

export type PartitionsClosed = {
  partitions: number;
  loans: number;
  /** Partitions whose close failed (rolled back: still pending), with the error. */
  failed: { number: number; error: string }[];
};

/**
 * Claims and closes pending partitions of the run for `date` until none is left to claim, each in
 * one transaction that also marks it done with its totals. A partition that fails rolls back and
 * is not claimed again by this call, so one bad partition does not hold up the others.
 */
export async function runPartitions(
  db: DB,
  options: { date: DateString; worker: string; signal?: AbortSignal },
): Promise<PartitionsClosed> {
  const result: PartitionsClosed = { partitions: 0, loans: 0, failed: [] };
  const conflicts = new Map<number, number>();
  while (options.signal?.aborted !== true) {
    let claimed: number | undefined;
    try {
      const closed = await db.transaction().execute(async (trx) => {
        const t = trx as unknown as CobTx;
        const partition = await store.claimPartition(
          t,
          options.date,
          result.failed.map((f) => f.number),
        );
        if (partition === undefined) return undefined;
        claimed = partition.number;
        const range = { from: partition.loan_from, to: partition.loan_to };
        const totals = await closeRange(trx, options.date, range, `p${partition.number}`, 'close first');
        await store.completePartition(t, {
          date: options.date,
          number: partition.number,
          worker: options.worker,
          totals: totalsToJson(totals),
        });
        return totals;
      });
      if (closed === undefined) break;
      result.partitions += 1;
      result.loans += closed.loans;
    } catch (error) {
      if (claimed === undefined) throw error;
      // A deadlock with a request catching a loan up: the partition is simply closed again.
      const tries = (conflicts.get(claimed) ?? 0) + 1;
      conflicts.set(claimed, tries);
      if (isRetryableConflict(error) && tries < partitionAttemptsMax) continue;
      result.failed.push({ number: claimed, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

export type FinishOutcome =
  | { outcome: 'finished'; run: CobRun }
  | { outcome: 'already_finished'; run: CobRun }
  | { outcome: 'pending'; partitionsPending: number };

/** Attempts of the finishing transaction when it deadlocks with a request catching a loan up. */
const finishAttemptsMax = 5;

/**
 * Finishes the run for `date` once every partition is done: one transaction that locks the
 * business date, fences the ledger, sweeps, advances the date, expires credit lines for the new
 * day and records the summary. Safe to call from every worker at once.
 */
export async function finishRun(db: DB, date: DateString): Promise<FinishOutcome> {
  const run = await store.findRun(db as CobDb, date);
  if (run === undefined) throw runNotFound(date);
  if (run.status === 'done') return { outcome: 'already_finished', run: toRun(run) };
  const pending = await store.pendingPartitions(db as CobDb, date);
  if (pending > 0) return { outcome: 'pending', partitionsPending: pending };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute((trx) => finishInTransaction(trx, date));
    } catch (error) {
      if (attempt >= finishAttemptsMax || !isRetryableConflict(error)) throw error;
    }
  }
}

async function finishInTransaction(trx: Tx, date: DateString): Promise<FinishOutcome> {
  const t = trx as unknown as CobTx;
  const open = await lockBusinessDate(trx);
  const run = await store.lockRun(t, date);
  if (run === undefined) throw runNotFound(date);
  if (run.status === 'done') return { outcome: 'already_finished', run: toRun(run) };
  if (open !== date) throw new Error(`the run for ${date} is running but the business date is ${open}`);
  const pending = await store.pendingPartitions(t, date);
  if (pending > 0) return { outcome: 'pending', partitionsPending: pending };
  await fenceLedgerForDayClose(trx);
  // Accounts opened after planning, in ranges already closed (or behind by more than a day).
  const swept = await closeRange(trx, date, { from: loanIdMin, to: null }, 'sweep', 'look first');
  const totals = (await store.partitionTotals(t, date)).map(totalsFromJson).reduce(addTotals, swept);
  const next = await advanceBusinessDate(trx, date);
  const creditLinesExpired = await expireLines(trx, next);
  const row = await store.finishRun(
    t,
    date,
    summaryToJson({
      date,
      nextBusinessDate: next,
      partitions: run.partitions,
      loans: totals.loans,
      accruedInterestMinor: totals.interestAccruedMinor,
      accruedPenaltyMinor: totals.penaltyAccruedMinor,
      feesChargedMinor: totals.feesChargedMinor,
      installmentsDue: totals.installmentsDue,
      collectOrders: totals.autoDebits,
      delinquent: totals.delinquent,
      newlyOverdue: totals.newlyOverdue,
      nonAccrual: totals.nonAccrual,
      writtenOff: totals.writtenOff,
      writtenOffPrincipalMinor: totals.writtenOffPrincipalMinor,
      creditLinesExpired,
      startedAt: run.started_at,
    }),
  );
  return { outcome: 'finished', run: toRun(row) };
}

function runNotFound(date: DateString): AppError {
  return new AppError('cob_run_not_found', `No close-of-business run was started for ${date}.`, {
    extensions: { date },
  });
}

export async function getRun(db: DB | Tx, date: DateString): Promise<CobRun> {
  const row = await store.findRun(db as CobDb, date);
  if (row === undefined) throw runNotFound(date);
  return toRun(row);
}

/** The run in progress, if any. */
export async function runningRun(db: DB): Promise<CobRun | undefined> {
  const row = await store.runningRun(db as CobDb);
  return row === undefined ? undefined : toRun(row);
}

export const runsPageMax = 100;

export async function listRuns(db: DB, options: { limit: number; before?: DateString }): Promise<CobRun[]> {
  const rows = await store.listRuns(db as CobDb, { ...options, limit: Math.min(options.limit, runsPageMax) });
  return rows.map(toRun);
}

/** Where the run for `date` stands: partitions and loans done, rate and time to go. */
export async function runProgress(db: DB | Tx, date: DateString): Promise<CobProgress> {
  const run = await getRun(db, date);
  const counts = await store.progress(db as CobDb, date);
  const end = run.finishedAt ?? counts.now;
  const elapsedMs = Math.max(0, end.getTime() - run.startedAt.getTime());
  const rate = counts.loans_done > 0 && elapsedMs > 0 ? (counts.loans_done * 1000) / elapsedMs : null;
  const left = counts.loans - counts.loans_done;
  return {
    businessDate: run.businessDate,
    status: run.status,
    partitions: { done: counts.partitions_done, total: counts.partitions },
    loans: { done: counts.loans_done, total: counts.loans },
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    elapsedMs,
    loansPerSecond: rate === null ? null : Math.round(rate),
    etaSeconds: run.status === 'done' ? 0 : rate === null ? null : Math.ceil(left / rate),
    summary: run.summary,
  };
}
