import { divideRounded, formatMinor } from '@fenqi/core';
import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import type { BorrowerScope } from '../iam/service.ts';
import { type LoanLine, type LoanLinePosition, listLoanLines } from '../ledger/service.ts';
import { loanTermsById, ownLoan, ownLoans } from '../loans/service.ts';
import { catchUpAccount } from './catch-up.ts';
import { type PayoffQuote, payoffQuoteOf } from './payoff.ts';
import type { ServicingTx } from './tables.ts';
import * as v from './views.ts';

// The servicing read APIs: one loan's servicing for staff and for its borrower, the borrower's
// bill over their open loans, and the portfolio summary. A read of a loan first brings its account
// up to date in the same transaction (inline catch-up, catch-up.ts): once close of business for
// the open date has begun nobody sees the day before's figures. The portfolio summary reads every
// open account with GROUP BY in SQL, as of what close of business last closed.

/** What close of business books per loan day by day: the accrual history's journal event types. */
export const accrualEventTypes = [
  'accrual',
  'penalty_accrual',
  'fee_charge',
  'non_accrual',
  'write_off',
] as const;
export const transactionsPageMax = 200;
/** A loan changes bucket about once a month while it stays unpaid, and once on each cure: decades of rows. */
export const delinquencyRowsMax = 1000;
/** Decimal places of a ratio in the portfolio summary. */
const ratioScale = 6;

type StaffServicing = {
  businessDate: DateString;
  account: v.StaffAccountFigures;
  totals: v.AccountTotals;
  installments: v.ScheduleLine[];
};

type BorrowerServicing = {
  businessDate: DateString;
  account: v.AccountFigures;
  totals: v.AccountTotals;
  installments: v.ScheduleLine[];
};

const noAccount = (loanId: string) =>
  new AppError(
    'not_found',
    `Loan ${loanId} has no servicing account (it was never disbursed, or does not exist).`,
  );

/** Runs `work` after the loan's account is locked and closed through the closing target. */
async function caughtUp<T>(db: DB, loanId: string, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (!(await catchUpAccount(trx, loanId))) throw noAccount(loanId);
    return work(trx);
  });
}

/** The same for one of the borrower's loans: the loans module's scope first (another's is 404). */
async function ownCaughtUp<T>(
  db: DB,
  scope: BorrowerScope,
  loanId: string,
  work: (trx: Tx) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await ownLoan(trx, scope, loanId);
    if (!(await catchUpAccount(trx, loanId))) throw noAccount(loanId);
    return work(trx);
  });
}

async function loadLoan(trx: Tx, loanId: string) {
  const t = trx as unknown as ServicingTx;
  const account = await t
    .selectFrom('servicing_accounts')
    .selectAll()
    .where('loan_id', '=', loanId)
    .executeTakeFirst();
  if (account === undefined) throw noAccount(loanId);
  const rows = await t
    .selectFrom('servicing_installments')
    .selectAll()
    .where('loan_id', '=', loanId)
    .orderBy('number')
    .execute();
  return { account, rows };
}

async function scheduleOf(trx: Tx, loanId: string) {
  const [{ account, rows }, terms, open] = await Promise.all([
    loadLoan(trx, loanId),
    loanTermsById(trx, loanId),
    getBusinessDate(trx),
  ]);
  const installments = rows.map((row) => v.scheduleLine(row, terms, account));
  return { account, rows, open, installments, totals: v.accountTotals(account, installments) };
}

// ---- staff ----

export async function loanServicingForStaff(db: DB, loanId: string): Promise<StaffServicing> {
  return caughtUp(db, loanId, async (trx) => {
    const loan = await scheduleOf(trx, loanId);
    return {
      businessDate: loan.open,
      account: v.staffAccountFigures(loan.account, loan.rows, loan.open),
      totals: loan.totals,
      installments: loan.installments,
    };
  });
}

export type TransactionPageRequest = { before?: string | undefined; limit: number };

async function transactionRows(trx: Tx, loanId: string, page: TransactionPageRequest) {
  const t = trx as unknown as ServicingTx;
  const limit = Math.min(Math.max(page.limit, 1), transactionsPageMax);
  let query = t.selectFrom('servicing_transactions').selectAll().where('loan_id', '=', loanId);
  const before = page.before;
  if (before !== undefined) {
    const anchor = await t
      .selectFrom('servicing_transactions')
      .select('id')
      .where('id', '=', before)
      .where('loan_id', '=', loanId)
      .executeTakeFirst();
    if (anchor === undefined) {
      throw new AppError('validation_failed', `Transaction ${before} is not one of loan ${loanId}'s.`, {
        errors: [{ in: 'query', path: 'before', message: 'is not a transaction of this loan' }],
      });
    }
    // Row comparison in SQL: created_at has microseconds, which a JavaScript Date would drop.
    query = query.where(
      sql<boolean>`(created_at, id) < (SELECT s.created_at, s.id FROM servicing_transactions s WHERE s.id = ${before}::uuid)`,
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const last = rows.length === limit ? rows.at(-1) : undefined;
  return { rows, next: last?.id ?? null };
}

export async function loanTransactionsForStaff(db: DB, loanId: string, page: TransactionPageRequest) {
  return caughtUp(db, loanId, async (trx) => {
    const { rows, next } = await transactionRows(trx, loanId, page);
    return { transactions: rows.map(v.staffTransaction), next };
  });
}

export async function loanAccrualsForStaff(
  db: DB,
  loanId: string,
  page: { after?: LoanLinePosition | undefined; limit: number },
): Promise<{ lines: LoanLine[]; next: LoanLinePosition | null }> {
  return caughtUp(db, loanId, (trx) =>
    listLoanLines(trx, { loanId, eventTypes: accrualEventTypes, limit: page.limit, after: page.after }),
  );
}

export async function loanDelinquencyHistory(
  db: DB,
  loanId: string,
): Promise<{ changes: v.DelinquencyChange[] }> {
  return caughtUp(db, loanId, async (trx) => {
    const rows = await (trx as unknown as ServicingTx)
      .selectFrom('servicing_delinquency_history')
      .selectAll()
      .where('loan_id', '=', loanId)
      .orderBy('id')
      .limit(delinquencyRowsMax)
      .execute();
    return { changes: rows.map(v.delinquencyChange) };
  });
}

// ---- borrower ----

export async function ownLoanServicing(
  db: DB,
  scope: BorrowerScope,
  loanId: string,
): Promise<BorrowerServicing> {
  return ownCaughtUp(db, scope, loanId, async (trx) => {
    const loan = await scheduleOf(trx, loanId);
    return {
      businessDate: loan.open,
      account: v.accountFigures(loan.account, loan.rows, loan.open),
      totals: loan.totals,
      installments: loan.installments,
    };
  });
}

export async function ownLoanTransactions(
  db: DB,
  scope: BorrowerScope,
  loanId: string,
  page: TransactionPageRequest,
) {
  return ownCaughtUp(db, scope, loanId, async (trx) => {
    const { rows, next } = await transactionRows(trx, loanId, page);
    return { transactions: rows.map(v.borrowerTransaction), next };
  });
}

export type BillInstallment = {
  number: number;
  dueDate: DateString;
  status: v.InstallmentRow['status'];
  /** Principal, interest and fee the installment bills (penalty is in the loan's overdue penalty). */
  dueMinor: bigint;
  paidMinor: bigint;
  waivedMinor: bigint;
  outstandingMinor: bigint;
};

/** Today's payoff quote (payoff.ts, the one a payoff request is checked against). */
export type BillPayoff = Omit<PayoffQuote, 'loanId' | 'creditBalanceMinor'>;

export type BillLine = {
  loanId: string;
  loanNo: string;
  productCode: string;
  status: v.AccountRow['status'];
  dpd: number;
  thisMonth: BillInstallment | null;
  overdueMinor: bigint;
  overduePenaltyMinor: bigint;
  totalOutstandingMinor: bigint;
  creditBalanceMinor: bigint;
  nextDueDate: DateString | null;
  payoffToday: BillPayoff;
};

export type Bill = {
  businessDate: DateString;
  loans: BillLine[];
  totals: {
    thisMonthDueMinor: bigint;
    thisMonthOutstandingMinor: bigint;
    overdueMinor: bigint;
    overduePenaltyMinor: bigint;
    totalOutstandingMinor: bigint;
    payoffTodayMinor: bigint;
    nextDueDate: DateString | null;
  };
};

/** The installment due in the open date's month (the first, if several), else the current one. */
function thisMonthOf(account: v.AccountRow, rows: readonly v.InstallmentRow[], open: DateString) {
  const month = open.slice(0, 7);
  const row =
    rows.find((r) => r.due_date.slice(0, 7) === month) ?? rows.find((r) => r.number === account.cur_number);
  if (row === undefined) return null;
  const due = row.principal_due + row.interest_due + row.fee_due;
  const paid = row.principal_paid + row.interest_paid + row.fee_paid;
  const waived = row.interest_waived + row.fee_waived;
  return {
    number: row.number,
    dueDate: row.due_date,
    status: row.status,
    dueMinor: due,
    paidMinor: paid,
    waivedMinor: waived,
    outstandingMinor: due - paid - waived,
  };
}

function billLine(
  account: v.AccountRow,
  rows: readonly v.InstallmentRow[],
  open: DateString,
  quote: PayoffQuote,
): BillLine {
  let overdue = 0n;
  let penalty = 0n;
  let outstanding = 0n;
  for (const row of rows) {
    const unpaid =
      row.principal_due -
      row.principal_paid +
      (row.interest_due - row.interest_paid - row.interest_waived) +
      (row.fee_due - row.fee_paid - row.fee_waived);
    const owedPenalty = row.penalty_accrued - row.penalty_paid - row.penalty_waived;
    if (row.status === 'due') overdue += unpaid;
    penalty += owedPenalty;
    outstanding += unpaid + owedPenalty;
  }
  return {
    loanId: account.loan_id,
    loanNo: account.loan_no,
    productCode: account.product_code,
    status: account.status,
    dpd: account.dpd,
    thisMonth: thisMonthOf(account, rows, open),
    overdueMinor: overdue,
    overduePenaltyMinor: penalty,
    totalOutstandingMinor: outstanding,
    creditBalanceMinor: account.credit_balance,
    nextDueDate: v.nextDueDate(rows, open),
    payoffToday: {
      quoteDate: quote.quoteDate,
      principalMinor: quote.principalMinor,
      interestMinor: quote.interestMinor,
      feeMinor: quote.feeMinor,
      penaltyMinor: quote.penaltyMinor,
      prepaymentFeeMinor: quote.prepaymentFeeMinor,
      prepaidPrincipalMinor: quote.prepaidPrincipalMinor,
      totalMinor: quote.totalMinor,
    },
  };
}

function billTotals(lines: readonly BillLine[]): Bill['totals'] {
  const sum = (pick: (line: BillLine) => bigint) => lines.reduce((total, line) => total + pick(line), 0n);
  const dates = lines.flatMap((line) => (line.nextDueDate === null ? [] : [line.nextDueDate])).sort();
  return {
    thisMonthDueMinor: sum((line) => line.thisMonth?.dueMinor ?? 0n),
    thisMonthOutstandingMinor: sum((line) => line.thisMonth?.outstandingMinor ?? 0n),
    overdueMinor: sum((line) => line.overdueMinor),
    overduePenaltyMinor: sum((line) => line.overduePenaltyMinor),
    totalOutstandingMinor: sum((line) => line.totalOutstandingMinor),
    payoffTodayMinor: sum((line) => line.payoffToday.totalMinor),
    nextDueDate: dates[0] ?? null,
  };
}

/** The borrower's bill: each open loan (newest first) and the totals over them. */
export async function borrowerBill(db: DB, scope: BorrowerScope): Promise<Bill> {
  return db.transaction().execute(async (trx) => {
    const loans = (await ownLoans(trx, scope)).filter(
      (loan) => loan.state === 'active' || loan.state === 'overdue',
    );
    // Accounts are locked in loan-id order, so two bills (or a bill and close of business) cannot deadlock.
    for (const id of loans.map((loan) => loan.id).sort()) await catchUpAccount(trx, id);
    const open = await getBusinessDate(trx);
    if (loans.length === 0) return { businessDate: open, loans: [], totals: billTotals([]) };
    const t = trx as unknown as ServicingTx;
    const ids = loans.map((loan) => loan.id);
    const [accounts, rows] = await Promise.all([
      t
        .selectFrom('servicing_accounts')
        .selectAll()
        .where('loan_id', 'in', ids)
        .where('status', 'in', ['active', 'overdue'])
        .execute(),
      t
        .selectFrom('servicing_installments')
        .selectAll()
        .where('loan_id', 'in', ids)
        .orderBy('loan_id')
        .orderBy('number')
        .execute(),
    ]);
    const byLoan = new Map(accounts.map((account) => [account.loan_id, account]));
    const rowsByLoan = Map.groupBy(rows, (row) => row.loan_id);
    const lines: BillLine[] = [];
    for (const loan of loans) {
      // A loan disbursed a moment ago may not have its account yet (the outbox opens it): not billed yet.
      const account = byLoan.get(loan.id);
      if (account === undefined) continue;
      const own = rowsByLoan.get(loan.id) ?? [];
      const quote = await payoffQuoteOf(trx, loan.id);
      lines.push(billLine(account, own, open, quote));
    }
    return { businessDate: open, loans: lines, totals: billTotals(lines) };
  });
}

// ---- portfolio ----

export type BucketSummary = {
  bucket: string;
  loans: number;
  principalOutstandingMinor: bigint;
  interestReceivableMinor: bigint;
  /** The part of it on non-accrual loans, held off balance (7001). */
  offBalanceInterestMinor: bigint;
};

export type ProductSummary = {
  productCode: string;
  loans: number;
  principalOutstandingMinor: bigint;
  overdueLoans: number;
  overduePrincipalMinor: bigint;
  /** Overdue principal over principal outstanding, a decimal fraction with six places. */
  overdueRatio: string;
};

export type PortfolioSummary = {
  businessDate: DateString;
  /** The earliest closed-through date among the open accounts: the figures are as of it or later. */
  closedThroughEarliest: DateString | null;
  byBucket: BucketSummary[];
  byProduct: ProductSummary[];
  totals: Omit<ProductSummary, 'productCode'> & { interestReceivableMinor: bigint };
};

function ratio(part: bigint, whole: bigint): string {
  if (whole === 0n) return formatMinor(0n, ratioScale);
  return formatMinor(divideRounded(part * 10n ** BigInt(ratioScale), whole, 'half_up'), ratioScale);
}

/**
 * Open accounts by bucket and by product. Interest receivable is what servicing accrued through
 * each account's closed-through date and nobody paid or waived: due installments in full, the
 * current period by its accrual formula (the SQL mirror of core accruedInterestTo that close of
 * business posts with). One snapshot (repeatable read) for both groupings.
 */
export async function portfolioSummary(db: DB): Promise<PortfolioSummary> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const open = await getBusinessDate(trx);
      const buckets = await sql<{
        bucket: string;
        loans: number;
        principal: string;
        interest: string;
        off_balance: string;
      }>`
        WITH open_accounts AS (
          SELECT loan_id, bucket, principal_outstanding, non_accrual_since IS NOT NULL AS non_accrual,
                 closed_through, day_count, rounding
          FROM servicing_accounts WHERE status IN ('active', 'overdue')
        ),
        receivable AS (
          SELECT o.loan_id,
                 sum(CASE WHEN i.due_date <= o.closed_through THEN i.interest_due
                          WHEN i.period_start < o.closed_through THEN
                            fenqi_accrued_interest(i.acc_num, i.acc_den, i.acc_days, i.interest_due,
                                                   fenqi_accrual_days(i.period_start, o.closed_through, o.day_count),
                                                   o.rounding)
                          ELSE 0 END
                     - i.interest_paid - i.interest_waived) AS interest
          FROM open_accounts o JOIN servicing_installments i ON i.loan_id = o.loan_id
          GROUP BY o.loan_id
        )
        SELECT 'M' || b.n AS bucket, count(o.loan_id)::int AS loans,
               coalesce(sum(o.principal_outstanding), 0)::text AS principal,
               coalesce(sum(r.interest), 0)::text AS interest,
               coalesce(sum(r.interest) FILTER (WHERE o.non_accrual), 0)::text AS off_balance
        FROM generate_series(0, 7) b (n)
        LEFT JOIN open_accounts o ON o.bucket = 'M' || b.n
        LEFT JOIN receivable r ON r.loan_id = o.loan_id
        GROUP BY b.n
        ORDER BY b.n`.execute(trx);
      const products = await sql<{
        product_code: string;
        loans: number;
        principal: string;
        overdue_loans: number;
        overdue_principal: string;
      }>`
        SELECT product_code, count(*)::int AS loans, sum(principal_outstanding)::text AS principal,
               count(*) FILTER (WHERE status = 'overdue')::int AS overdue_loans,
               coalesce(sum(principal_outstanding) FILTER (WHERE status = 'overdue'), 0)::text AS overdue_principal
        FROM servicing_accounts WHERE status IN ('active', 'overdue')
        GROUP BY product_code
        ORDER BY product_code`.execute(trx);
      const earliest = await sql<{ earliest: DateString | null }>`
        SELECT min(closed_through) AS earliest FROM servicing_accounts WHERE status IN ('active', 'overdue')`.execute(
        trx,
      );
      const byBucket = buckets.rows.map((row) => ({
        bucket: row.bucket,
        loans: row.loans,
        principalOutstandingMinor: BigInt(row.principal),
        interestReceivableMinor: BigInt(row.interest),
        offBalanceInterestMinor: BigInt(row.off_balance),
      }));
      const byProduct = products.rows.map((row) => {
        const principal = BigInt(row.principal);
        const overdue = BigInt(row.overdue_principal);
        return {
          productCode: row.product_code,
          loans: row.loans,
          principalOutstandingMinor: principal,
          overdueLoans: row.overdue_loans,
          overduePrincipalMinor: overdue,
          overdueRatio: ratio(overdue, principal),
        };
      });
      const sum = (values: bigint[]) => values.reduce((total, value) => total + value, 0n);
      const principal = sum(byProduct.map((row) => row.principalOutstandingMinor));
      const overdue = sum(byProduct.map((row) => row.overduePrincipalMinor));
      return {
        businessDate: open,
        closedThroughEarliest: earliest.rows[0]?.earliest ?? null,
        byBucket,
        byProduct,
        totals: {
          loans: byProduct.reduce((total, row) => total + row.loans, 0),
          principalOutstandingMinor: principal,
          interestReceivableMinor: sum(byBucket.map((row) => row.interestReceivableMinor)),
          overdueLoans: byProduct.reduce((total, row) => total + row.overdueLoans, 0),
          overduePrincipalMinor: overdue,
          overdueRatio: ratio(overdue, principal),
        },
      };
    });
}
