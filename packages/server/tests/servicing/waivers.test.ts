import { addDays, type LocalDate, loanTerms, penaltyInterest, penaltyTermsFor } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/modules/servicing/allocation.ts';
import { type Pair, waiverPairs } from '../../src/modules/servicing/postings.ts';
import { applyWaiver, waivableOf } from '../../src/modules/servicing/service.ts';
import { AppError } from '../../src/platform/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type SeededLoan, seedLoan } from './seed.ts';
import {
  closeDaysThrough,
  expectLedgerMatchesServicing,
  servicing,
  startOn,
  writtenState,
} from './support.ts';

// Waivers (docs/servicing.md, "Waivers"): what collections' approved requests do to a loan — only
// what fell due is forgiven, oldest installment first, the income taken back in the journal, the
// loan cured when nothing is left unpaid past the grace days, and one request applied once.

let database: TestDatabase;
const start = '2026-03-01' as LocalDate;
let equal: SeededLoan;
let interestFirst: SeededLoan;
let notDue: SeededLoan;
/** The open business date once the setup closed its days. */
let today: LocalDate;

const terms = (method: 'equal_installment' | 'interest_first', startDate: LocalDate) =>
  loanTerms({
    principalMinor: 1_200_000n,
    method,
    termCount: 12,
    startDate,
    annualRate: new Decimal('0.18'),
  });

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, start);
  equal = await seedLoan(database.db, terms('equal_installment', start), { graceDays: 3 });
  interestFirst = await seedLoan(database.db, terms('interest_first', start), { graceDays: 3 });
  // The first installments fall due on 2026-04-01; close through ten days after.
  today = (await closeDaysThrough(database.db, '2026-04-11')) as LocalDate;
  notDue = await seedLoan(database.db, terms('equal_installment', today));
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

const first = (loan: SeededLoan) => {
  const installment = loan.schedule.installments[0];
  if (installment === undefined) throw new Error('no installment');
  return installment;
};

async function entryLines(entryId: bigint | null) {
  const found = await sql<{ code: string; side: string; amount: string }>`
    SELECT a.code, l.side, sum(l.amount_minor)::text AS amount
    FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
    WHERE l.entry_id = ${entryId} GROUP BY a.code, l.side ORDER BY a.code, l.side`.execute(database.db);
  return found.rows.map((row) => [row.code, row.side, BigInt(row.amount)]);
}

async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

const waive = (loanId: string, ref: string, amounts: { penalty?: bigint; fee?: bigint; interest?: bigint }) =>
  database.db.transaction().execute((trx) =>
    applyWaiver(trx, {
      loanId,
      sourceRef: ref,
      penaltyMinor: amounts.penalty ?? 0n,
      feeMinor: amounts.fee ?? 0n,
      interestMinor: amounts.interest ?? 0n,
      reason: 'hardship: hospital stay',
      actorId: 'staff-checker',
    }),
  );

describe('waivers', () => {
  it('offers the overdue installment’s interest and its penalty counted to today, and nothing of principal', async () => {
    const installment = first(equal);
    const penalty = penaltyInterest(
      { principalMinor: installment.principalMinor, interestMinor: 0n, feeMinor: 0n },
      installment.dueDate,
      today,
      penaltyTermsFor(terms('equal_installment', start)),
    );
    expect(penalty).toBeGreaterThan(0n);
    expect(await waivableOf(database.db, equal.loanId)).toEqual({
      penaltyMinor: penalty,
      feeMinor: 0n,
      interestMinor: installment.interestMinor,
    });
    expect(await waivableOf(database.db, notDue.loanId)).toEqual({
      penaltyMinor: 0n,
      feeMinor: 0n,
      interestMinor: 0n,
    });
  });

  it('forgives the penalty and part of the interest, takes the income back and keeps the ledger equal to servicing', async () => {
    const installment = first(equal);
    const { penaltyMinor } = await waivableOf(database.db, equal.loanId);
    const waived = await waive(equal.loanId, 'collections-waiver:equal-1', {
      penalty: penaltyMinor,
      interest: 1_000n,
    });
    expect(waived).toMatchObject({
      kind: 'waiver',
      amountMinor: penaltyMinor + 1_000n,
      principalMinor: 0n,
      interestMinor: 1_000n,
      penaltyMinor,
      feeMinor: 0n,
    });
    const { account, rows } = await servicing(database.db, equal.loanId);
    expect(rows[0]).toMatchObject({
      penalty_waived: penaltyMinor,
      interest_waived: 1_000n,
      penalty_accrued: penaltyMinor,
      status: 'due',
    });
    // Principal is still unpaid: the loan stays overdue.
    expect(account).toMatchObject({ status: 'overdue', bucket: 'M1' });
    const transaction = await sql<{ entry_id: string }>`
      SELECT entry_id::text FROM servicing_transactions WHERE source_ref = 'collections-waiver:equal-1'`.execute(
      database.db,
    );
    expect(await entryLines(BigInt(transaction.rows[0]?.entry_id ?? '0'))).toEqual([
      ['1132', 'credit', 1_000n],
      ['1134', 'credit', penaltyMinor],
      ['6011', 'debit', 1_000n],
      ['6031', 'debit', penaltyMinor],
    ]);
    await expectLedgerMatchesServicing(database.db, equal.loanId);
    expect(await waivableOf(database.db, equal.loanId)).toEqual({
      penaltyMinor: 0n,
      feeMinor: 0n,
      interestMinor: installment.interestMinor - 1_000n,
    });
    const event = await sql<{ payload: Record<string, string> }>`
      SELECT payload FROM outbox_events WHERE type = 'servicing.waiver-applied'
        AND payload->>'sourceRef' = 'collections-waiver:equal-1'`.execute(database.db);
    expect(event.rows.map((row) => row.payload)).toEqual([
      expect.objectContaining({
        loanId: equal.loanId,
        transactionId: waived.id,
        amountMinor: String(penaltyMinor + 1_000n),
        interestMinor: '1000',
        feeMinor: '0',
        penaltyMinor: String(penaltyMinor),
        businessDate: today,
      }),
    ]);
  });

  it('applies one request once: the same source answers the first waiver and writes nothing', async () => {
    const before = await writtenState(database.db, equal.loanId);
    const again = await waive(equal.loanId, 'collections-waiver:equal-1', {
      penalty: before.rows[0]?.penalty_waived ?? 0n,
      interest: 1_000n,
    });
    expect(again.kind).toBe('waiver');
    expect(await writtenState(database.db, equal.loanId)).toEqual(before);
  });

  it('refuses more than the loan owes past due, naming the component, and writes nothing', async () => {
    const before = await writtenState(database.db, equal.loanId);
    const left = first(equal).interestMinor - 1_000n;
    const error = await refusal(() =>
      waive(equal.loanId, 'collections-waiver:equal-2', { interest: left + 1n, fee: 1n }),
    );
    expect(error.code).toBe('waiver_exceeds_outstanding');
    expect(error.errors).toEqual([
      { in: 'body', path: 'feeMinor', message: 'must be at most 0 fen' },
      { in: 'body', path: 'interestMinor', message: `must be at most ${left} fen` },
    ]);
    expect(error.extensions).toEqual({
      waivable: { penaltyMinor: '0', feeMinor: '0', interestMinor: String(left) },
    });
    expect(await writtenState(database.db, equal.loanId)).toEqual(before);
  });

  it('refuses an empty or negative waiver and one of a loan with nothing due', async () => {
    expect((await refusal(() => waive(equal.loanId, 'collections-waiver:zero', {}))).code).toBe(
      'validation_failed',
    );
    expect(
      (await refusal(() => waive(equal.loanId, 'collections-waiver:neg', { penalty: -1n, interest: 5n })))
        .errors,
    ).toEqual([{ in: 'body', path: 'penaltyMinor', message: 'must be 0 to 999999999999 fen' }]);
    expect(
      (await refusal(() => waive(notDue.loanId, 'collections-waiver:not-due', { interest: 1n }))).code,
    ).toBe('waiver_exceeds_outstanding');
  });

  it('cures a loan whose only overdue amount it forgives, recording the bucket change as a waiver', async () => {
    // Interest first: the overdue installment is interest only, so no penalty runs on it.
    const installment = first(interestFirst);
    expect(installment.principalMinor).toBe(0n);
    expect((await servicing(database.db, interestFirst.loanId)).account).toMatchObject({
      status: 'overdue',
      bucket: 'M1',
      dpd: 10,
    });
    await waive(interestFirst.loanId, 'collections-waiver:if-1', { interest: installment.interestMinor });
    const { account, rows } = await servicing(database.db, interestFirst.loanId);
    expect(account).toMatchObject({ status: 'active', bucket: 'M0', dpd: 0, oldest_unpaid_due: null });
    expect(rows[0]).toMatchObject({
      status: 'paid',
      settled_on: today,
      interest_waived: installment.interestMinor,
    });
    const history = await sql<{ bucket_from: string; bucket_to: string; cause: string }>`
      SELECT bucket_from, bucket_to, cause FROM servicing_delinquency_history
      WHERE loan_id = ${interestFirst.loanId} ORDER BY id DESC LIMIT 1`.execute(database.db);
    expect(history.rows).toEqual([{ bucket_from: 'M1', bucket_to: 'M0', cause: 'waiver' }]);
    const loan = await sql<{
      state: string;
    }>`SELECT state FROM loans WHERE id = ${interestFirst.loanId}`.execute(database.db);
    expect(loan.rows[0]?.state).toBe('active');
    await expectLedgerMatchesServicing(database.db, interestFirst.loanId);
    // Ten days past due on the last closed date; the waiver is on the open date, the day after.
    expect(addDays(installment.dueDate, 11)).toBe(today);
  });
});

describe('waiver postings', () => {
  const account = (basis: 'accrual' | 'cash', nonAccrual: boolean) =>
    ({ posting_basis: basis, non_accrual_since: nonAccrual ? '2026-05-16' : null }) as AccountRow;
  const booked = (pairs: Pair[]) =>
    pairs.filter((p) => p.amount > 0n).map((p) => [p.debit, p.credit, p.amount]);
  const waived = { interest: 700n, fee: 300n, penalty: 40n };

  it('on an accrual loan take the income back from the receivables', () => {
    expect(booked(waiverPairs(account('accrual', false), waived))).toEqual([
      ['6011', '1132', 700n],
      ['6021', '1133', 300n],
      ['6031', '1134', 40n],
    ]);
  });

  it('on a non-accrual loan release the memorandum for interest and penalty', () => {
    expect(booked(waiverPairs(account('accrual', true), waived))).toEqual([
      ['7099', '7001', 700n],
      ['6021', '1133', 300n],
      ['7099', '7002', 40n],
    ]);
  });

  it('on a cash-basis loan book nothing: nothing was recognised', () => {
    expect(booked(waiverPairs(account('cash', false), waived))).toEqual([]);
  });
});
