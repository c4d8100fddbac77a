import {
  addDays,
  dailyAccrual,
  daysBetween,
  type LocalDate,
  penaltyInterest,
  penaltyTermsFor,
} from '@fenqi/core';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/modules/cob/service.ts';
import { verifyLedger } from '../../src/modules/ledger/service.ts';
import { closeAccountsForDay } from '../../src/modules/servicing/service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';
import { type Portfolio, seedPortfolio } from './portfolio.ts';
import {
  type CopiedDatabase,
  closeRowCounts,
  closeSnapshot,
  copyDatabase,
  spawnCob,
  until,
} from './support.ts';

// Close of business over a book of 3,000 loans of every method and state (tests/cob/portfolio.ts),
// in partitions of 100 closed by `fenqi cob` processes. Three copies of one seeded database:
//   straight — closed by `fenqi cob --workers 2`, uninterrupted: its totals are core's figures;
//   crashed  — the same, killed with SIGKILL half-way (one partition held mid-transaction by a row
//              lock, others done, others pending) and run again: every row equals `straight`'s;
// and closing the day again afterwards changes nothing.

const open = '2026-06-15' as LocalDate;
const loans = 3000;
let source: TestDatabase;
let book: Portfolio;
let straight: CopiedDatabase;
let crashed: CopiedDatabase;

beforeAll(async () => {
  source = await createTestDatabase();
  book = await seedPortfolio(source.db, { open, loans });
  // A template database must have no connections.
  await source.db.destroy();
  straight = await copyDatabase(source.name);
  crashed = await copyDatabase(source.name);
});

afterAll(async () => {
  await straight?.drop();
  await crashed?.drop();
  await source?.drop();
});

/** What closing `open` must do to the book, from core's schedule, accrual and penalty functions. */
function expectedClose(portfolio: Portfolio) {
  const graceDays = 3;
  const writeOffDpd = 180;
  let interest = 0n;
  let accrualBasisInterest = 0n;
  let penalty = 0n;
  let fees = 0n;
  let installmentsDue = 0;
  let delinquent = 0;
  let newlyOverdue = 0;
  let nonAccrual = 0;
  let writtenOff = 0;
  let writtenOffPrincipal = 0n;
  for (const template of portfolio.templates) {
    const n = BigInt(template.loans);
    const { terms, schedule } = template;
    const penaltyTerms = penaltyTermsFor(terms);
    const first = schedule.installments[0];
    if (first === undefined) throw new Error('no installments');
    // Nothing was ever paid: the first installment is the oldest unpaid once it is due.
    const dpd = first.dueDate <= open ? daysBetween(first.dueDate, open) : -1;
    const day = schedule.installments.reduce((sum, i) => sum + dailyAccrual(terms, i, open), 0n);
    interest += day * n;
    if (template.options?.postingBasis !== 'cash') accrualBasisInterest += day * n;
    for (const installment of schedule.installments) {
      if (installment.dueDate === open) {
        installmentsDue += template.loans;
        fees += installment.feeMinor * n;
      }
      const past = daysBetween(installment.dueDate, open);
      if (past <= graceDays || installment.principalMinor === 0n) continue;
      const overdue = { principalMinor: installment.principalMinor, interestMinor: 0n, feeMinor: 0n };
      const through = (date: LocalDate) =>
        daysBetween(installment.dueDate, date) > graceDays
          ? penaltyInterest(overdue, installment.dueDate, date, penaltyTerms)
          : 0n;
      penalty += (through(open) - through(addDays(open, -1))) * n;
    }
    if (dpd >= 0) delinquent += template.loans;
    if (dpd === graceDays + 1) newlyOverdue += template.loans;
    if (dpd === 90) nonAccrual += template.loans;
    if (dpd >= writeOffDpd) {
      writtenOff += template.loans;
      writtenOffPrincipal += schedule.financedPrincipalMinor * n;
    }
  }
  return {
    summary: {
      date: open,
      nextBusinessDate: addDays(open, 1),
      partitions: loans / 100,
      loans,
      accruedInterestMinor: String(interest),
      accruedPenaltyMinor: String(penalty),
      feesChargedMinor: String(fees),
      installmentsDue,
      collectOrders: installmentsDue,
      delinquent,
      newlyOverdue,
      nonAccrual,
      writtenOff,
      writtenOffPrincipalMinor: String(writtenOffPrincipal),
      creditLinesExpired: 0,
    },
    accrualBasisInterest,
  };
}

async function doneCount(db: CopiedDatabase['db']): Promise<number> {
  const result = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM cob_partitions WHERE business_date = ${open} AND status = 'done'`.execute(
    db,
  );
  return result.rows[0]?.n ?? 0;
}

describe('fenqi cob over 3,000 loans in partitions of 100', () => {
  it('two workers close every loan once, with the day’s figures core computes for each loan', async () => {
    const expected = expectedClose(book);
    // The book has every state the day close knows.
    expect(expected.summary).toMatchObject({
      installmentsDue: expect.any(Number),
      newlyOverdue: expect.any(Number),
    });
    for (const count of ['installmentsDue', 'newlyOverdue', 'nonAccrual', 'writtenOff'] as const)
      expect(expected.summary[count]).toBeGreaterThan(0);

    const run = spawnCob(straight.url, ['--date', open, '--workers', '2', '--json']);
    const { code, stdout, stderr } = await run.exited;
    expect(stderr).toContain(`close of business ${open}: started, 3,000 loans in 30 partitions`);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(summary).toEqual({
      ...expected.summary,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      durationMs: expect.any(Number),
    });

    // Every partition was closed once, by one of the process's two workers.
    const workers = await sql<{ worker: string; n: number; loans: number }>`
      SELECT worker, count(*)::int AS n, sum((totals->>'loans')::int)::int AS loans
      FROM cob_partitions WHERE business_date = ${open} AND status = 'done' GROUP BY worker`.execute(
      straight.db,
    );
    for (const row of workers.rows) expect(row.worker).toMatch(/^cob:.+:\d+\/[12]$/);
    expect(workers.rows.reduce((sum, row) => sum + row.n, 0)).toBe(30);
    expect(workers.rows.reduce((sum, row) => sum + row.loans, 0)).toBe(loans);
    const closed = await sql<{ closed_through: string; n: number }>`
      SELECT closed_through::text, count(*)::int AS n FROM servicing_accounts GROUP BY 1`.execute(
      straight.db,
    );
    expect(closed.rows).toEqual([{ closed_through: open, n: loans }]);

    // The journal says what the summary says: the day's accrual lines are the accrual-basis interest.
    const accrued = await sql<{ amount: string }>`
      SELECT coalesce(sum(l.amount_minor), 0)::text AS amount
      FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
      WHERE e.event_type = 'accrual' AND e.source_ref = ${`cob:${open}`} AND l.side = 'debit'`.execute(
      straight.db,
    );
    expect(BigInt(accrued.rows[0]?.amount ?? '0')).toBe(expected.accrualBasisInterest);
    expect((await verifyLedger(straight.db)).ok).toBe(true);
  });

  it('killed with SIGKILL half-way and run again, it ends with every row equal to an uninterrupted run', async () => {
    // The run is planned here, so that one partition can be held before any worker reaches it.
    const config = loadConfig({ DATABASE_URL: crashed.url, COB_PARTITION_LOANS: '100', ...testKeys });
    const logger = createLogger({ logLevel: 'silent' });
    const { run } = await startRun({ config, db: crashed.db, logger }, { date: open, startedBy: 'test' });
    expect(run.partitions).toBe(30);
    const held = await sql<{ loan_from: string; loan_to: string }>`
      SELECT loan_from::text, loan_to::text FROM cob_partitions WHERE business_date = ${open} AND number = 3`.execute(
      crashed.db,
    );
    const range = held.rows[0];
    if (range === undefined) throw new Error('no partition 3');
    // A row lock on partition 3's first account: the worker that claims it stops inside its transaction.
    const blocker = new pg.Client({ connectionString: crashed.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(
      'SELECT loan_id FROM servicing_accounts WHERE loan_id >= $1 AND loan_id < $2 ORDER BY loan_id LIMIT 1 FOR UPDATE',
      [range.loan_from, range.loan_to],
    );

    const first = spawnCob(crashed.url, ['--date', open, '--workers', '2']);
    let exited = false;
    void first.exited.then(() => {
      exited = true;
    });
    await until(async () => {
      if (exited) throw new Error(`fenqi cob exited early: ${(await first.exited).stderr}`);
      const waiting = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = ${crashed.name} AND application_name = 'fenqi-cob' AND wait_event_type = 'Lock'`.execute(
        crashed.db,
      );
      return (waiting.rows[0]?.n ?? 0) === 1 && (await doneCount(crashed.db)) >= 3;
    }, 'a worker held on partition 3 while others finished partitions');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const doneAtKill = await doneCount(crashed.db);
    expect(doneAtKill).toBeGreaterThanOrEqual(3);
    expect(doneAtKill).toBeLessThan(30);
    const stillOpen = await sql<{
      business_date: string;
    }>`SELECT business_date::text FROM business_date`.execute(crashed.db);
    expect(stillOpen.rows[0]?.business_date).toBe(open);
    await blocker.query('ROLLBACK');
    await blocker.end();

    const rerun = spawnCob(crashed.url, ['--date', open]);
    const resumed = await rerun.exited;
    expect(resumed.stderr).toContain(`close of business ${open}: resumed, 3,000 loans in 30 partitions`);
    expect(resumed.code).toBe(0);

    const [after, reference] = [await closeSnapshot(crashed.db), await closeSnapshot(straight.db)];
    for (const key of Object.keys(reference)) {
      expect(after[key]?.length, key).toBe(reference[key]?.length);
      expect(after[key], key).toEqual(reference[key]);
    }
    expect(after.businessDate).toEqual([addDays(open, 1)]);
    expect((await verifyLedger(crashed.db)).ok).toBe(true);
  });

  it('closing the same date again is refused and changes nothing, and a day close of a closed date finds nothing', async () => {
    const before = await closeRowCounts(crashed.db);
    const again = await spawnCob(crashed.url, ['--date', open]).exited;
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `fenqi cob: Close of business runs only for the open business date ${addDays(open, 1)}; ${open} was closed already.\n`,
    );
    expect(again.stdout).toBe('');
    expect(await closeRowCounts(crashed.db)).toEqual(before);

    const totals = await crashed.db.transaction().execute((trx) =>
      closeAccountsForDay(trx, open, {
        from: '00000000-0000-0000-0000-000000000000',
        to: null,
        key: 'again',
      }),
    );
    expect(totals.loans).toBe(0);
    expect(await closeRowCounts(crashed.db)).toEqual(before);
  });
});
