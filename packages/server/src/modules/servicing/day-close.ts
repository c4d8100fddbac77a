import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../../platform/db.ts';
import { publishEventsFrom } from '../../platform/outbox/publish.ts';
import type { DateString } from '../../platform/tables.ts';
import { postJournalsStaged } from '../ledger/service.ts';
import { moveLoansInBulk } from '../loans/service.ts';
import { applyCreditBalances } from './credit-balance.ts';

// Closing servicing accounts for one business date, set-based: the accounts of a loan-id range
// (a close-of-business partition) or one account (inline catch-up), in the caller's transaction.
// The steps, in the order docs/cob.md gives:
//   1. accrual     one UPDATE of every open account not yet closed for the date: closed_through
//                  moves to the date and the day's interest is computed from the current period's
//                  formula on the row (core accrualFormula / dailyAccrual; the SQL mirror in
//                  0021_servicing_math.sql is tested against core);
//   2. due         installments due today become due (or paid, when paid ahead), the period fee is
//                  charged, the current period moves to the next installment, a credit balance
//                  pays what fell due, and what is still unpaid is announced for auto-debit;
//   3. overdue     delinquent accounts get their days past due, bucket and status; penalty interest
//                  accrues on overdue principal past the grace days, as segments of constant base
//                  (core penaltyInterest over each segment, so the cumulative rounding matches);
//   4. non-accrual from 90 DPD accrued unpaid interest and penalty leave the balance sheet for the
//                  off-balance accounts (7001/7002 against 7099), where later accruals go too;
//      write-off   at the account's write-off DPD, the write_off rule (6702 against receivables);
//   5. events      reminders, overdue and write-off events, and the journal lines of every step,
//                  staged with SQL and posted in one call of the ledger's set-based path.
// Only accounts whose closed_through is the day before are touched, so a repeated close of the
// same date (or a partition run again after a crash) finds nothing to do.

/**
 * A loan-id range [from, to) — `to` null is the end — named by `key` (unique among the scopes of
 * one date: it names the day's journal entries), or one loan.
 */
export type DayCloseScope = { from: string; to: string | null; key: string } | { loanId: string };

export type DayCloseTotals = {
  loans: number;
  interestAccruedMinor: bigint;
  penaltyAccruedMinor: bigint;
  feesChargedMinor: bigint;
  installmentsDue: number;
  autoDebits: number;
  delinquent: number;
  newlyOverdue: number;
  nonAccrual: number;
  writtenOff: number;
  writtenOffPrincipalMinor: bigint;
};

export const noTotals: DayCloseTotals = {
  loans: 0,
  interestAccruedMinor: 0n,
  penaltyAccruedMinor: 0n,
  feesChargedMinor: 0n,
  installmentsDue: 0,
  autoDebits: 0,
  delinquent: 0,
  newlyOverdue: 0,
  nonAccrual: 0,
  writtenOff: 0,
  writtenOffPrincipalMinor: 0n,
};

export function addTotals(a: DayCloseTotals, b: DayCloseTotals): DayCloseTotals {
  return {
    loans: a.loans + b.loans,
    interestAccruedMinor: a.interestAccruedMinor + b.interestAccruedMinor,
    penaltyAccruedMinor: a.penaltyAccruedMinor + b.penaltyAccruedMinor,
    feesChargedMinor: a.feesChargedMinor + b.feesChargedMinor,
    installmentsDue: a.installmentsDue + b.installmentsDue,
    autoDebits: a.autoDebits + b.autoDebits,
    delinquent: a.delinquent + b.delinquent,
    newlyOverdue: a.newlyOverdue + b.newlyOverdue,
    nonAccrual: a.nonAccrual + b.nonAccrual,
    writtenOff: a.writtenOff + b.writtenOff,
    writtenOffPrincipalMinor: a.writtenOffPrincipalMinor + b.writtenOffPrincipalMinor,
  };
}

/** Journal entries hold at most this many pairs of lines (line numbers are smallint). */
const pairsPerEntry = 4000;

function scopeFilter(scope: DayCloseScope): RawBuilder<unknown> {
  if ('loanId' in scope) return sql`a.loan_id = ${scope.loanId}::uuid`;
  if (scope.to === null) return sql`a.loan_id >= ${scope.from}::uuid`;
  return sql`a.loan_id >= ${scope.from}::uuid AND a.loan_id < ${scope.to}::uuid`;
}

function scopeKey(scope: DayCloseScope): string {
  return 'loanId' in scope ? `loan:${scope.loanId}` : scope.key;
}

type Count = { n: number };
type Sum = { n: number; amount: string | null };

async function count(trx: Tx, query: RawBuilder<unknown>): Promise<number> {
  const result = await sql<Count>`${query}`.execute(trx);
  return Number(result.rows[0]?.n ?? 0);
}

async function sum(trx: Tx, query: RawBuilder<unknown>): Promise<{ n: number; amount: bigint }> {
  const result = await sql<Sum>`${query}`.execute(trx);
  const row = result.rows[0];
  return { n: Number(row?.n ?? 0), amount: BigInt(row?.amount ?? '0') };
}

/**
 * Closes the scope's open accounts whose last closed date is the day before `date`. The date must
 * be the open business date (the ledger refuses lines of any other day).
 */
export async function closeAccountsForDay(
  trx: Tx,
  date: DateString,
  scope: DayCloseScope,
  /** The open business date the lines are booked on: `date` itself, except when catching up. */
  postOn: DateString = date,
): Promise<DayCloseTotals> {
  // The statements below run over fresh temporary tables whose sizes the planner only guesses:
  // those guesses crossed the JIT threshold, and compiling cost 180 ms a statement (measured) for
  // a handful of rows. No plan here gains from JIT.
  await sql`SET LOCAL jit = off`.execute(trx);
  await sql`
    CREATE TEMPORARY TABLE cob_batch (
      loan_id uuid PRIMARY KEY, customer_id uuid NOT NULL, product_id text NOT NULL, funder_id text,
      basis text NOT NULL, non_accrual boolean NOT NULL, interest int8 NOT NULL,
      due_today boolean NOT NULL, cur_number int4, cur_due_date date
    ) ON COMMIT DROP`.execute(trx);
  await sql`
    CREATE TEMPORARY TABLE cob_pairs (
      id int8 GENERATED ALWAYS AS IDENTITY, kind text NOT NULL, loan_id uuid NOT NULL, customer_id uuid NOT NULL, product_id text NOT NULL,
      funder_id text, debit text NOT NULL, credit text NOT NULL, amount int8 NOT NULL CHECK (amount > 0)
    ) ON COMMIT DROP`.execute(trx);
  try {
    return await closeSteps(trx, date, scope, postOn);
  } finally {
    // Inline catch-up may close several days of one loan in one transaction.
    await sql`DROP TABLE IF EXISTS cob_batch, cob_pairs, cob_due, cob_delinquency`.execute(trx);
  }
}

async function closeSteps(
  trx: Tx,
  date: DateString,
  scope: DayCloseScope,
  postOn: DateString,
): Promise<DayCloseTotals> {
  const d = sql`${date}::date`;
  // ---- 1. accrual: the one UPDATE of every account ----
  const loans = await count(
    trx,
    sql`
    WITH closed AS (
      UPDATE servicing_accounts a SET closed_through = ${d}
      WHERE ${scopeFilter(scope)} AND a.status IN ('active', 'overdue') AND a.closed_through = ${d} - 1
      RETURNING a.loan_id, a.customer_id, a.product_version_id, a.funder_id, a.posting_basis,
        a.non_accrual_since IS NOT NULL AS non_accrual,
        -- The accrual days to today and to yesterday come from a sub-select (OFFSET 0 keeps it
        -- from being flattened), so fenqi_accrued_interest gets plain columns and PostgreSQL
        -- inlines it: an argument the body uses several times is substituted only when cheap. A
        -- scalar sub-select rather than a join keeps the plan free of any join the planner could
        -- misjudge on a freshly loaded table. From the due date on the period's whole interest is
        -- accrued (a 30E/360 period can have no accrual days at all).
        CASE WHEN a.cur_number IS NULL THEN 0 ELSE (
          SELECT CASE WHEN ${d} >= a.cur_due_date THEN a.cur_interest
                      ELSE fenqi_accrued_interest(a.acc_num, a.acc_den, a.acc_days, a.cur_interest, k.today, a.rounding) END
                 - CASE WHEN ${d} - 1 >= a.cur_due_date THEN a.cur_interest
                        ELSE fenqi_accrued_interest(a.acc_num, a.acc_den, a.acc_days, a.cur_interest, k.yesterday, a.rounding) END
          FROM (SELECT fenqi_accrual_days(a.cur_period_start, ${d}, a.day_count) AS today,
                       fenqi_accrual_days(a.cur_period_start, ${d} - 1, a.day_count) AS yesterday OFFSET 0) k
        ) END AS interest,
        coalesce(a.cur_due_date = ${d}, false) AS due_today, a.cur_number, a.cur_due_date
    ),
    ins AS (INSERT INTO cob_batch SELECT * FROM closed RETURNING 1)
    SELECT count(*)::int AS n FROM ins`,
  );
  if (loans === 0) return noTotals;
  const interest = await sum(
    trx,
    sql`
    WITH ins AS (
      INSERT INTO cob_pairs (kind, loan_id, customer_id, product_id, funder_id, debit, credit, amount)
      SELECT 'accrual', b.loan_id, b.customer_id, b.product_id, b.funder_id,
             CASE WHEN b.non_accrual THEN '7001' ELSE '1132' END,
             CASE WHEN b.non_accrual THEN '7099' ELSE '6011' END, b.interest
      -- A loan of one funder's accrual goes straight from cob_batch to the ledger's staging
      -- (postPairs); only a shared loan's waits here to be split between its funders.
      FROM cob_batch b WHERE b.interest > 0 AND b.basis = 'accrual' AND b.funder_id IS NULL
      RETURNING amount
    )
    SELECT count(*)::int AS n, (SELECT sum(interest) FROM cob_batch)::text AS amount FROM ins`,
  );

  // ---- 2. due ----
  // The installments due today are the accounts' current ones: found by primary key, never by
  // scanning the installments of the whole partition.
  await sql`
    CREATE TEMPORARY TABLE cob_due ON COMMIT DROP AS
    WITH today AS (
      SELECT loan_id, cur_number FROM cob_batch WHERE due_today OFFSET 0
    ),
    due AS (
      UPDATE servicing_installments i
      SET status = CASE WHEN i.principal_paid = i.principal_due
                         AND i.interest_paid + i.interest_waived = i.interest_due
                         AND i.fee_paid + i.fee_waived = i.fee_due THEN 'paid' ELSE 'due' END,
          settled_on = CASE WHEN i.principal_paid = i.principal_due
                             AND i.interest_paid + i.interest_waived = i.interest_due
                             AND i.fee_paid + i.fee_waived = i.fee_due THEN coalesce(i.settled_on, ${d}) END,
          fee_charged = true
      FROM today t
      WHERE i.loan_id = t.loan_id AND i.number = t.cur_number
      RETURNING i.loan_id, i.number, i.status, i.fee_due - i.fee_waived AS fee,
                (i.principal_due - i.principal_paid) + (i.interest_due - i.interest_paid - i.interest_waived)
                + (i.fee_due - i.fee_paid - i.fee_waived) AS unpaid
    )
    SELECT due.*, b.customer_id, b.product_id, b.funder_id, b.basis FROM due JOIN cob_batch b USING (loan_id)`.execute(
    trx,
  );
  const installmentsDue = await count(trx, sql`SELECT count(*)::int AS n FROM cob_due`);
  const fees = await sum(
    trx,
    sql`
    WITH ins AS (
      INSERT INTO cob_pairs (kind, loan_id, customer_id, product_id, funder_id, debit, credit, amount)
      SELECT 'fee_charge', loan_id, customer_id, product_id, funder_id, '1133', '6021', fee
      FROM cob_due WHERE fee > 0 AND basis = 'accrual'
      RETURNING amount
    )
    SELECT count(*)::int AS n, (SELECT sum(fee) FROM cob_due)::text AS amount FROM ins`,
  );
  if (installmentsDue > 0) {
    // The next installment becomes the current period; after the last one there is none.
    await sql`
      UPDATE servicing_accounts a
      SET cur_number = n.number, cur_period_start = n.period_start, cur_due_date = n.due_date,
          cur_interest = n.interest_due, acc_num = n.acc_num, acc_den = n.acc_den, acc_days = n.acc_days
      FROM cob_batch b, servicing_installments n
      WHERE b.due_today AND a.loan_id = b.loan_id AND n.loan_id = a.loan_id AND n.number = a.cur_number + 1`.execute(
      trx,
    );
    await sql`
      UPDATE servicing_accounts a
      SET cur_number = NULL, cur_period_start = NULL, cur_due_date = NULL, cur_interest = NULL,
          acc_num = NULL, acc_den = NULL, acc_days = NULL
      FROM cob_batch b
      WHERE b.due_today AND a.loan_id = b.loan_id AND a.cur_due_date = ${d}`.execute(trx);
  }
  // A credit balance (an earlier overpayment) pays what fell due before anything is collected.
  const withCredit = await sql<{ loan_id: string }>`
    SELECT c.loan_id FROM cob_due c JOIN servicing_accounts a USING (loan_id)
    WHERE c.unpaid > 0 AND a.credit_balance > 0`.execute(trx);
  if (withCredit.rows.length > 0) {
    await applyCreditBalances(
      trx,
      date,
      withCredit.rows.map((r) => r.loan_id),
    );
  }
  const autoDebits = await publishEventsFrom(
    trx,
    sql`
    SELECT md5('servicing.installment-due:' || c.loan_id || ':' || c.number || ':' || ${date})::uuid AS event_id,
           'servicing.installment-due' AS type, 'loan' AS subject_type, c.loan_id::text AS subject_id,
           jsonb_build_object('loanId', c.loan_id, 'customerId', c.customer_id, 'number', c.number,
                              'dueDate', ${date}::text, 'unpaidMinor', u.unpaid::text) AS payload
    FROM cob_due c
    JOIN servicing_installments i ON i.loan_id = c.loan_id AND i.number = c.number
    CROSS JOIN LATERAL (
      SELECT (i.principal_due - i.principal_paid) + (i.interest_due - i.interest_paid - i.interest_waived)
             + (i.fee_due - i.fee_paid - i.fee_waived) AS unpaid
    ) u
    WHERE c.unpaid > 0 AND u.unpaid > 0`,
  );
  // Reminders: the current installment due tomorrow (the next business date) or in three days.
  await publishEventsFrom(
    trx,
    sql`
    SELECT md5(r.type || ':' || b.loan_id || ':' || i.number)::uuid AS event_id, r.type,
           'loan' AS subject_type, b.loan_id::text AS subject_id,
           jsonb_build_object('loanId', b.loan_id, 'customerId', b.customer_id, 'number', i.number,
                              'dueDate', i.due_date::text,
                              'unpaidMinor', ((i.principal_due - i.principal_paid)
                                + (i.interest_due - i.interest_paid - i.interest_waived)
                                + (i.fee_due - i.fee_paid - i.fee_waived))::text) AS payload
    FROM cob_batch b
    -- The period before today's roll: accounts due today are not among those due tomorrow.
    JOIN servicing_installments i ON i.loan_id = b.loan_id AND i.number = b.cur_number
    JOIN (VALUES (1, 'servicing.installment-due-today'), (3, 'servicing.installment-due-soon')) r (days, type)
      ON i.due_date = ${d} + r.days
    WHERE b.cur_due_date IN (${d} + 1, ${d} + 3) AND i.status = 'future'`,
  );

  // ---- 3. overdue ----
  await sql`
    CREATE TEMPORARY TABLE cob_delinquency ON COMMIT DROP AS
    WITH oldest AS (
      SELECT i.loan_id, min(i.due_date) AS due_date
      FROM servicing_installments i JOIN cob_batch b ON b.loan_id = i.loan_id
      WHERE i.status = 'due'
      GROUP BY i.loan_id
    ),
    old AS (
      SELECT a.loan_id, a.bucket AS bucket_from, a.status AS status_from
      FROM servicing_accounts a JOIN oldest USING (loan_id)
    ),
    upd AS (
      UPDATE servicing_accounts a
      SET oldest_unpaid_due = o.due_date, dpd = ${d} - o.due_date,
          bucket = fenqi_delinquency_bucket(${d} - o.due_date),
          status = CASE WHEN ${d} - o.due_date > a.grace_days THEN 'overdue' ELSE a.status END
      FROM oldest o WHERE a.loan_id = o.loan_id
      RETURNING a.loan_id, a.customer_id, a.product_version_id AS product_id, a.funder_id, a.posting_basis AS basis,
                a.dpd, a.bucket, a.status, a.grace_days, a.write_off_dpd, a.day_count, a.rounding,
                a.penalty_rate_num, a.penalty_rate_den, a.basis_days, a.principal_outstanding,
                a.non_accrual_since IS NOT NULL AS non_accrual
    )
    SELECT upd.*, old.bucket_from, old.status_from FROM upd JOIN old USING (loan_id)`.execute(trx);
  const delinquent = await count(trx, sql`SELECT count(*)::int AS n FROM cob_delinquency`);
  let newlyOverdue = 0;
  let penalty = 0n;
  let nonAccrual = 0;
  let writtenOff = { n: 0, amount: 0n };
  if (delinquent > 0) {
    await sql`
      INSERT INTO servicing_delinquency_history (loan_id, business_date, dpd, bucket_from, bucket_to, cause)
      SELECT loan_id, ${d}, dpd, bucket_from, bucket, 'close_of_business'
      FROM cob_delinquency WHERE bucket <> bucket_from`.execute(trx);
    const fell = await sql<{ loan_id: string }>`
      SELECT loan_id FROM cob_delinquency WHERE status = 'overdue' AND status_from = 'active'`.execute(trx);
    newlyOverdue = fell.rows.length;
    await moveLoansInBulk(
      trx as never,
      'fell_overdue',
      fell.rows.map((r) => r.loan_id),
      { reason: `unpaid past the grace days on ${date}`, sourceRef: `cob:${date}` },
    );
    await publishEventsFrom(
      trx,
      sql`
      SELECT md5('servicing.loan-overdue:' || loan_id || ':' || ${date})::uuid AS event_id,
             'servicing.loan-overdue' AS type, 'loan' AS subject_type, loan_id::text AS subject_id,
             jsonb_build_object('loanId', loan_id, 'customerId', customer_id, 'dpd', dpd, 'bucket', bucket,
                                'bucketFrom', bucket_from, 'businessDate', ${date}::text) AS payload
      FROM cob_delinquency
      WHERE status = 'overdue' AND (status_from = 'active' OR bucket <> bucket_from)`,
    );
    penalty = (await accruePenalty(trx, date)).amount;
    nonAccrual = await moveToNonAccrual(trx, date);
    writtenOff = await writeOff(trx, date);
  }

  // ---- 5. the journal lines of every step, one posting ----
  await postPairs(trx, date, scope, postOn);
  return {
    loans,
    interestAccruedMinor: interest.amount,
    penaltyAccruedMinor: penalty,
    feesChargedMinor: fees.amount,
    installmentsDue,
    autoDebits,
    delinquent,
    newlyOverdue,
    nonAccrual,
    writtenOff: writtenOff.n,
    writtenOffPrincipalMinor: writtenOff.amount,
  };
}

/**
 * Penalty on each overdue installment past its grace days: the segment that starts at the due
 * date (so the grace days are charged once the grace is over, as core penaltyInterest counts
 * them) or at the last change of the base, accrued to today with cumulative rounding.
 */
async function accruePenalty(trx: Tx, date: DateString): Promise<{ amount: bigint }> {
  const d = sql`${date}::date`;
  await sql`
    CREATE TEMPORARY TABLE cob_penalty ON COMMIT DROP AS
    SELECT x.*,
           fenqi_divide_rounded(x.base::numeric * x.rate_num * x.days, x.rate_den * x.basis_days, x.rounding)
           - fenqi_divide_rounded(x.base::numeric * x.rate_num * x.days_before, x.rate_den * x.basis_days, x.rounding)
             AS amount
    FROM (
      SELECT i.loan_id, i.number, c.customer_id, c.product_id, c.funder_id, c.basis, c.non_accrual,
             c.penalty_rate_num AS rate_num, c.penalty_rate_den AS rate_den, c.basis_days, c.rounding,
             coalesce(i.penalty_from, i.due_date) AS segment_from,
             CASE WHEN i.penalty_from IS NULL THEN i.principal_due - i.principal_paid ELSE i.penalty_base END AS base,
             CASE WHEN i.penalty_from IS NULL THEN 0 ELSE i.penalty_days END AS days_before,
             fenqi_accrual_days(coalesce(i.penalty_from, i.due_date), ${d}, c.day_count) AS days
      FROM cob_delinquency c
      JOIN servicing_installments i ON i.loan_id = c.loan_id AND i.status = 'due'
      WHERE ${d} - i.due_date > c.grace_days AND i.principal_due > i.principal_paid
    ) x`.execute(trx);
  await sql`
    UPDATE servicing_installments i
    SET penalty_from = p.segment_from, penalty_base = p.base, penalty_days = p.days,
        penalty_accrued = i.penalty_accrued + p.amount
    FROM cob_penalty p WHERE i.loan_id = p.loan_id AND i.number = p.number`.execute(trx);
  const total = await sum(
    trx,
    sql`
    WITH per_loan AS (
      SELECT loan_id, customer_id, product_id, funder_id, basis, non_accrual, sum(amount) AS amount
      FROM cob_penalty GROUP BY loan_id, customer_id, product_id, funder_id, basis, non_accrual
    ),
    ins AS (
      INSERT INTO cob_pairs (kind, loan_id, customer_id, product_id, funder_id, debit, credit, amount)
      SELECT 'penalty_accrual', loan_id, customer_id, product_id, funder_id,
             CASE WHEN non_accrual THEN '7002' ELSE '1134' END,
             CASE WHEN non_accrual THEN '7099' ELSE '6031' END, amount
      FROM per_loan WHERE amount > 0 AND basis = 'accrual'
      RETURNING 1
    )
    SELECT count(*)::int AS n, (SELECT sum(amount) FROM cob_penalty)::text AS amount FROM ins`,
  );
  await sql`DROP TABLE cob_penalty`.execute(trx);
  return total;
}

/**
 * What each of the given accounts has on balance as receivable today: interest accrued (due
 * installments in full, the current period to date) less paid and waived, period fees charged less
 * paid and waived, penalty accrued less paid and waived.
 */
function receivables(date: DateString, accounts: RawBuilder<unknown>): RawBuilder<unknown> {
  const d = sql`${date}::date`;
  return sql`
    SELECT c.loan_id,
      sum(CASE WHEN i.due_date <= ${d} THEN i.interest_due
               WHEN i.period_start < ${d} THEN fenqi_accrued_interest(i.acc_num, i.acc_den, i.acc_days, i.interest_due,
                                               fenqi_accrual_days(i.period_start, ${d}, c.day_count), c.rounding)
               ELSE 0 END - i.interest_paid - i.interest_waived)::int8 AS interest,
      sum(CASE WHEN i.fee_charged THEN i.fee_due - i.fee_paid - i.fee_waived ELSE 0 END)::int8 AS fee,
      sum(i.penalty_accrued - i.penalty_paid - i.penalty_waived)::int8 AS penalty
    FROM (${accounts}) c JOIN servicing_installments i ON i.loan_id = c.loan_id
    GROUP BY c.loan_id`;
}

async function moveToNonAccrual(trx: Tx, date: DateString): Promise<number> {
  const d = sql`${date}::date`;
  const moved = await count(
    trx,
    sql`
    WITH c AS (
      SELECT * FROM cob_delinquency WHERE dpd >= 90 AND NOT non_accrual
    ),
    upd AS (
      UPDATE servicing_accounts a SET non_accrual_since = ${d} FROM c WHERE a.loan_id = c.loan_id RETURNING 1
    ),
    r AS (${receivables(date, sql`SELECT loan_id, day_count, rounding FROM c`)}),
    pairs (debit, credit, component) AS (
      VALUES ('6011', '1132', 'interest'), ('7001', '7099', 'interest'),
             ('6031', '1134', 'penalty'), ('7002', '7099', 'penalty')
    ),
    ins AS (
      INSERT INTO cob_pairs (kind, loan_id, customer_id, product_id, funder_id, debit, credit, amount)
      SELECT 'non_accrual', c.loan_id, c.customer_id, c.product_id, c.funder_id, p.debit, p.credit,
             CASE p.component WHEN 'interest' THEN r.interest ELSE r.penalty END
      FROM c JOIN r USING (loan_id) CROSS JOIN pairs p
      WHERE c.basis = 'accrual' AND CASE p.component WHEN 'interest' THEN r.interest ELSE r.penalty END > 0
    )
    SELECT count(*)::int AS n FROM upd`,
  );
  await sql`UPDATE cob_delinquency SET non_accrual = true WHERE dpd >= 90`.execute(trx);
  return moved;
}

async function writeOff(trx: Tx, date: DateString): Promise<{ n: number; amount: bigint }> {
  const d = sql`${date}::date`;
  const rows = await sql<{ loan_id: string; principal: bigint }>`
    WITH c AS (SELECT * FROM cob_delinquency WHERE dpd >= write_off_dpd),
    upd AS (
      UPDATE servicing_accounts a
      SET status = 'written_off', closed_on = ${d}, cur_number = NULL, cur_period_start = NULL, cur_due_date = NULL,
          cur_interest = NULL, acc_num = NULL, acc_den = NULL, acc_days = NULL
      FROM c WHERE a.loan_id = c.loan_id
      RETURNING a.loan_id
    ),
    r AS (${receivables(date, sql`SELECT loan_id, day_count, rounding FROM c`)}),
    amounts AS (
      SELECT c.loan_id, c.customer_id, c.product_id, c.funder_id, c.basis, c.non_accrual, c.principal_outstanding,
             r.interest, r.fee, r.penalty
      FROM c JOIN r USING (loan_id)
    ),
    ins AS (
      INSERT INTO cob_pairs (kind, loan_id, customer_id, product_id, funder_id, debit, credit, amount)
      SELECT 'write_off', x.loan_id, x.customer_id, x.product_id, x.funder_id, '6702', x.account, x.amount
      FROM amounts a
      CROSS JOIN LATERAL (VALUES
        (a.loan_id, a.customer_id, a.product_id, a.funder_id, '1301', a.principal_outstanding, true),
        (a.loan_id, a.customer_id, a.product_id, a.funder_id, '1133', a.fee, a.basis = 'accrual'),
        (a.loan_id, a.customer_id, a.product_id, a.funder_id, '1132', a.interest, a.basis = 'accrual' AND NOT a.non_accrual),
        (a.loan_id, a.customer_id, a.product_id, a.funder_id, '1134', a.penalty, a.basis = 'accrual' AND NOT a.non_accrual)
      ) x (loan_id, customer_id, product_id, funder_id, account, amount, posts)
      WHERE x.posts AND x.amount > 0
    )
    SELECT c.loan_id, c.principal_outstanding AS principal FROM c JOIN upd USING (loan_id)`.execute(trx);
  if (rows.rows.length === 0) return { n: 0, amount: 0n };
  await moveLoansInBulk(
    trx as never,
    'written_off',
    rows.rows.map((r) => r.loan_id),
    { reason: `written off at its write-off DPD on ${date}`, sourceRef: `cob:${date}` },
  );
  await publishEventsFrom(
    trx,
    sql`
    SELECT md5('servicing.loan-written-off:' || loan_id)::uuid AS event_id,
           'servicing.loan-written-off' AS type, 'loan' AS subject_type, loan_id::text AS subject_id,
           jsonb_build_object('loanId', loan_id, 'customerId', customer_id, 'dpd', dpd,
                              'principalMinor', principal_outstanding::text, 'businessDate', ${date}::text) AS payload
    FROM cob_delinquency WHERE dpd >= write_off_dpd`,
  );
  return { n: rows.rows.length, amount: rows.rows.reduce((s, r) => s + BigInt(r.principal), 0n) };
}

/**
 * The staged pairs as journal entries: a shared loan's pair is split between its funders by
 * largest remainder (core splitByShares: floors, then the leftover fen to the largest remainders,
 * ties to the earlier funder), and every kind becomes entries of up to pairsPerEntry pairs.
 */
async function postPairs(trx: Tx, date: DateString, scope: DayCloseScope, postOn: DateString): Promise<void> {
  const pairs = await count(
    trx,
    sql`SELECT (EXISTS (SELECT 1 FROM cob_pairs)
                OR EXISTS (SELECT 1 FROM cob_batch WHERE interest > 0 AND basis = 'accrual'))::int AS n`,
  );
  if (pairs === 0) return;
  // Entry n = the kind's ordinal × 100,000 + its chunk of pairsPerEntry pairs: the lines are
  // numbered in one pass (no table of numbered pairs, no second sort), and the entries are read
  // back from the lines. Within an entry the pairs are in loan order, so a rerun numbers the same.
  const kinds = sql`(VALUES ('accrual', 0), ('fee_charge', 1), ('penalty_accrual', 2), ('non_accrual', 3),
                            ('write_off', 4)) AS k (kind, ordinal)`;
  await postJournalsStaged(trx, async (t) => {
    await sql`
      INSERT INTO ledger_bulk_lines (n, line_no, code, side, amount, loan_id, customer_id, product_id, merchant_id, funder_id)
      WITH split AS (
        SELECT kind, loan_id, customer_id, product_id, funder_id, debit, credit, amount
        FROM cob_pairs WHERE funder_id IS NOT NULL
        UNION ALL
        SELECT 'accrual', loan_id, customer_id, product_id, funder_id,
               CASE WHEN non_accrual THEN '7001' ELSE '1132' END,
               CASE WHEN non_accrual THEN '7099' ELSE '6011' END, interest
        FROM cob_batch WHERE interest > 0 AND basis = 'accrual' AND funder_id IS NOT NULL
        UNION ALL
        SELECT kind, loan_id, customer_id, product_id, share_funder, debit, credit,
               part + CASE WHEN rank <= amount - sum(part) OVER (PARTITION BY pair) THEN 1 ELSE 0 END
        FROM (
          SELECT p.kind, p.loan_id, p.customer_id, p.product_id, p.debit, p.credit, p.amount, p.id AS pair,
                 s.funder_id AS share_funder,
                 (p.amount * s.share_bp) / 10000 AS part,
                 row_number() OVER (PARTITION BY p.id ORDER BY (p.amount * s.share_bp) % 10000 DESC, s.ordinal) AS rank
          FROM cob_pairs p JOIN servicing_funder_shares s ON s.loan_id = p.loan_id
          WHERE p.funder_id IS NULL
        ) x
      ),
      numbered AS (
        SELECT split.*, row_number() OVER (PARTITION BY kind ORDER BY loan_id, funder_id, debit, credit) - 1 AS i
        FROM split WHERE amount > 0
      )
      SELECT (k.ordinal * 100000 + numbered.i / ${pairsPerEntry})::int4, (2 * (numbered.i % ${pairsPerEntry}) + side.k)::int2,
             CASE side.k WHEN 1 THEN numbered.debit ELSE numbered.credit END,
             CASE side.k WHEN 1 THEN 'debit' ELSE 'credit' END,
             numbered.amount, numbered.loan_id::text, numbered.customer_id::text, numbered.product_id, NULL,
             numbered.funder_id
      FROM numbered JOIN ${kinds} USING (kind) CROSS JOIN (VALUES (1), (2)) AS side (k)`.execute(t);
    const key = sql`'cob:' || ${date}::text || ':' || ${scopeKey(scope)}::text || ':' || k.kind || ':' || (e.n % 100000)`;
    await sql`
      INSERT INTO ledger_bulk_entries (n, key, fingerprint, event_type, source_ref, description, currency, business_date, reversal_of)
      SELECT e.n, ${key}, 'cob-staged:' || md5(${key}), k.kind, 'cob:' || ${date}::text,
             'close of business ' || ${date}::text || ': ' || replace(k.kind, '_', ' '), 'CNY', ${postOn}::date, NULL::int8
      FROM (SELECT DISTINCT n FROM ledger_bulk_lines) e JOIN ${kinds} ON k.ordinal = e.n / 100000`.execute(t);
  });
}
