import {
  allocatePayment,
  type Installment,
  type LoanTerms,
  type PrepaymentMode,
  prepay,
  type Schedule,
} from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { loanTermsById, writeScheduleVersion } from '../loans/service.ts';
import { productVersionById } from '../products/service.ts';
import { installmentRows } from './accounts.ts';
import {
  type AccountRow,
  type Components,
  earliest,
  type InstallmentRow,
  servicedSchedule,
  totalOf,
  unpaidOf,
} from './allocation.ts';
import {
  checkedAmount,
  loanNotRepayable,
  prepaymentInvalid,
  prepaymentNotAllowed,
  prepaymentWhileOverdue,
} from './problems.ts';
import { installmentsOf, replaceInstallmentsAfter, updateAccount } from './repayment-store.ts';
import {
  type Applied,
  allocationOrderOf,
  applyRepayment,
  closedStateOf,
  earlierTransaction,
  isOpen,
  lockedAccount,
  openAccountOf,
  settle,
} from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// Partial prepayment (部分提前还款) with reduce_payment or reduce_term (core prepay). Core
// re-amortizes right after a settled installment; servicing applies it after the current one: the
// borrower pays the current installment in full (what is left of it) and the extra principal, and
// the installments after it are recomputed on the smaller balance over the same due dates. The
// current period — its accrual formula, its interest — stays as it was, so what close of business
// has accrued and will accrue for it is unchanged; the next period's interest is on the new
// balance. Refused while an installment is past due and unpaid, when the product disallows it or
// before its minTermsPaid installments are settled, and in the last period (that is a payoff).

export type PrepaymentPlan = {
  account: AccountRow;
  mode: PrepaymentMode;
  principalMinor: bigint;
  prepaymentFeeMinor: bigint;
  /** What is left of the current installment, paid with the prepayment. */
  currentInstallment: Components & { number: number };
  totalMinor: bigint;
  /** The whole new schedule: the installments kept, then the recomputed ones. */
  installments: readonly Installment[];
  terms: LoanTerms;
};

/**
 * reduce_term keeps the payment: after an earlier reduce_payment that is the next installment's,
 * not the first schedule's (the loans module stores installments, not the payment).
 */
function currentSchedule(
  terms: LoanTerms,
  account: AccountRow,
  rows: readonly InstallmentRow[],
  after: number,
): Schedule {
  const schedule = servicedSchedule(terms, rows);
  const next = schedule.installments[after];
  if (account.schedule_version === 1 || next === undefined || schedule.paymentMinor === null) return schedule;
  return { ...schedule, paymentMinor: next.totalMinor };
}

/** The checks and the figures of a prepayment on the account as it stands now. */
export async function planPrepayment(
  db: DB | Tx,
  account: AccountRow,
  rows: readonly InstallmentRow[],
  input: { principalMinor: bigint | string; mode: PrepaymentMode },
): Promise<PrepaymentPlan> {
  const principalMinor = checkedAmount(input.principalMinor);
  if (!isOpen(account)) throw loanNotRepayable(account.loan_id, closedStateOf(account));
  const overdue = earliest(rows.filter((row) => row.status === 'due').map((row) => row.due_date));
  if (overdue !== null) throw prepaymentWhileOverdue(overdue);
  const product = (await productVersionById(db, account.product_version_id)).product;
  if (!product.prepayment.allowed) throw prepaymentNotAllowed('the product allows no partial prepayment');
  const settledTerms = rows.filter((row) => row.status === 'paid').length;
  if (settledTerms < product.prepayment.minTermsPaid) {
    throw prepaymentNotAllowed(
      `${product.prepayment.minTermsPaid} installment(s) must be paid first; ${settledTerms} are`,
      { minTermsPaid: product.prepayment.minTermsPaid, settledTerms },
    );
  }
  const current = rows.find((row) => row.number === account.cur_number);
  if (current === undefined || current.number >= rows.length)
    throw prepaymentInvalid('this is the last period: pay the loan off instead', 'last_period');
  const terms = await loanTermsById(db, account.loan_id);
  const schedule = currentSchedule(terms, account, rows, current.number);
  const result = prepay(schedule, {
    afterInstallment: current.number,
    amountMinor: principalMinor,
    mode: input.mode,
    prepaymentFeeRate: product.prepayment.feeRate,
  });
  if (!result.ok) {
    const issue = result.issues[0];
    throw prepaymentInvalid(issue?.message ?? 'core refused it', issue?.code);
  }
  const left = unpaidOf(current);
  return {
    account,
    mode: input.mode,
    principalMinor,
    prepaymentFeeMinor: result.value.prepaymentFeeMinor,
    currentInstallment: { ...left, number: current.number },
    totalMinor: totalOf(left) + principalMinor + result.value.prepaymentFeeMinor,
    installments: result.value.schedule.installments,
    terms,
  };
}

/** What a prepayment of `principalMinor` takes today, and the schedule after it (read only). */
export async function prepaymentQuoteOf(
  db: DB,
  loanId: string,
  input: { principalMinor: bigint | string; mode: PrepaymentMode },
): Promise<PrepaymentPlan & { quoteDate: DateString }> {
  const s = db as unknown as ServicingTx;
  const account = await openAccountOf(db, loanId);
  const plan = await planPrepayment(db, account, await installmentsOf(s, loanId), input);
  return { ...plan, quoteDate: await getBusinessDate(db) };
}

export type PrepaymentInput = {
  loanId: string;
  principalMinor: bigint;
  mode: PrepaymentMode;
  /** What was collected (or transferred) for it. */
  amountMinor: bigint;
  sourceRef: string;
  source: '2242' | '1002.01';
  channel: string | null;
};

/**
 * Applies a prepayment with the money collected for it: the current installment, the principal,
 * the fee; what is over is the borrower's credit. When the loan no longer allows it (it fell
 * overdue, the period moved on and the money no longer covers it), the money is applied as an
 * ordinary repayment: nothing collected is refused.
 */
export async function applyPrepayment(trx: Tx, input: PrepaymentInput): Promise<Applied> {
  const amountMinor = checkedAmount(input.amountMinor);
  const account = await lockedAccount(trx, input.loanId);
  const earlier = await earlierTransaction(trx, { ...input, amountMinor });
  if (earlier) return earlier;
  const rows = await installmentsOf(trx as unknown as ServicingTx, account.loan_id);
  let plan: PrepaymentPlan | undefined;
  try {
    plan = await planPrepayment(trx, account, rows, input);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
  if (plan === undefined || amountMinor < plan.totalMinor) {
    return applyRepayment(trx, {
      loanId: input.loanId,
      amountMinor,
      kind: input.source === '1002.01' ? 'offline' : 'repayment',
      sourceRef: input.sourceRef,
      channel: input.channel,
      reason: 'collected for a prepayment the loan no longer allowed',
      collected: true,
    });
  }
  const c = plan.currentInstallment;
  const lines = allocatePayment(
    totalOf(c),
    [
      {
        number: c.number,
        principalMinor: c.principal,
        interestMinor: c.interest,
        feeMinor: c.fee,
        penaltyMinor: c.penalty,
      },
    ],
    await allocationOrderOf(trx, account),
  );
  if (!lines.ok || lines.value.unallocatedMinor !== 0n)
    throw new Error('the current installment was not paid in full');
  const outstanding = account.principal_outstanding - c.principal - plan.principalMinor;
  const version = await writeScheduleVersion(trx, account.loan_id, plan.installments, outstanding);
  await replaceInstallmentsAfter(
    trx,
    account.loan_id,
    c.number,
    installmentRows(account.loan_id, plan.terms, plan.installments.slice(c.number)),
  );
  const after = await updateAccount(trx, account.loan_id, { schedule_version: version });
  const transaction = await settle(trx, after, rows, {
    kind: 'prepayment',
    sourceRef: input.sourceRef,
    amountMinor,
    source: input.source,
    channel: input.channel,
    reason: `${plan.mode}: ${plan.principalMinor} fen of principal prepaid`,
    lines: lines.value.lines,
    prepaidPrincipal: plan.principalMinor,
    prepaymentFee: plan.prepaymentFeeMinor,
    overpayment: amountMinor - plan.totalMinor,
  });
  return { transaction, created: true };
}
