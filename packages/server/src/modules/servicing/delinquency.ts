import { daysBetween, delinquencyBucket, localDate } from '@fenqi/core';
import type { Tx } from '../../platform/db.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import type { DateString } from '../../platform/tables.ts';
import { moveLoanById } from '../loans/service.ts';
import { type AccountRow, accruedCurrent, earliest, type InstallmentRow } from './allocation.ts';
import { postAccrued } from './postings.ts';
import { insertHistory, installmentsOf, updateAccount, updateInstallment } from './repayment-store.ts';
import type { ServicingTx } from './tables.ts';

// After money moved on an account: its delinquency as close of business would compute it on the
// last closed date (oldest unpaid due date, days past it, bucket, overdue past the grace days),
// a history row when the bucket changes, and the loan's state following (cured, fell overdue);
// and when nothing is owed any more, the account closes as paid off.

export type Cause = 'repayment' | 'reversal' | 'waiver';

export async function refreshDelinquency(
  trx: Tx,
  account: AccountRow,
  rows: readonly InstallmentRow[],
  input: { cause: Cause; businessDate: DateString; sourceRef: string; closing: boolean },
): Promise<AccountRow> {
  const oldest = earliest(rows.filter((row) => row.status === 'due').map((row) => row.due_date));
  const dpd =
    oldest === null ? 0 : Math.max(0, daysBetween(localDate(oldest), localDate(account.closed_through)));
  const bucket = delinquencyBucket(dpd);
  const status = dpd > account.grace_days ? 'overdue' : 'active';
  const after = await updateAccount(trx, account.loan_id, { oldest_unpaid_due: oldest, dpd, bucket, status });
  if (bucket !== account.bucket) {
    await insertHistory(trx, {
      loanId: account.loan_id,
      businessDate: input.businessDate,
      dpd,
      from: account.bucket,
      to: bucket,
      cause: input.cause,
    });
  }
  // A loan about to close moves straight from overdue to paid off.
  if (account.status === 'overdue' && status === 'active' && !input.closing) {
    await moveLoanById(trx, account.loan_id, 'cured', {
      reason: `nothing unpaid past the grace days after a ${input.cause}`,
      sourceRef: input.sourceRef,
    });
  }
  if (account.status === 'active' && status === 'overdue') {
    await moveLoanById(trx, account.loan_id, 'fell_overdue', {
      reason: `unpaid past the grace days again after a ${input.cause}`,
      sourceRef: input.sourceRef,
    });
  }
  return after;
}

/** Nothing owed: no principal outstanding and every installment settled. */
export function nothingOwed(account: AccountRow, rows: readonly InstallmentRow[]): boolean {
  return account.principal_outstanding === 0n && rows.every((row) => row.status === 'paid');
}

/**
 * Closes a repaid account: what was paid ahead of close of business is recognised first (the
 * current period's interest beyond what was accrued, a period fee not charged yet), so the loan's
 * receivables in the ledger end at zero; then the account and the loan are paid off.
 */
export async function closePaidOff(
  trx: Tx,
  account: AccountRow,
  input: { transactionId: string; businessDate: DateString; sourceRef: string; early: boolean },
): Promise<AccountRow> {
  const rows = await installmentsOf(trx as unknown as ServicingTx, account.loan_id);
  const current = rows.find((row) => row.number === account.cur_number);
  const interest =
    current === undefined
      ? 0n
      : current.interest_due - accruedCurrent(account, localDate(account.closed_through));
  const fee = rows
    .filter((row) => !row.fee_charged)
    .reduce((sum, row) => sum + (row.fee_due - row.fee_waived), 0n);
  await postAccrued(trx, account, {
    key: `servicing:${input.transactionId}:closure`,
    sourceRef: input.sourceRef,
    accrued: { interest: interest > 0n ? interest : 0n, penalty: 0n, fee },
    why: 'paid off: interest and fees paid ahead recognised',
  });
  for (const row of rows.filter((r) => !r.fee_charged))
    await updateInstallment(trx, account.loan_id, row.number, { fee_charged: true });
  const closed = await updateAccount(trx, account.loan_id, {
    status: 'paid_off',
    closed_on: input.businessDate,
    cur_number: null,
    cur_period_start: null,
    cur_due_date: null,
    cur_interest: null,
    acc_num: null,
    acc_den: null,
    acc_days: null,
    oldest_unpaid_due: null,
    dpd: 0,
    bucket: 'M0',
  });
  await moveLoanById(trx, account.loan_id, 'paid_off', {
    reason: input.early ? 'paid off early' : 'repaid in full',
    sourceRef: input.sourceRef,
    change: {
      closed_on: input.businessDate,
      close_reason: input.early ? 'paid_off_early' : 'repaid',
      outstanding_principal_minor: 0n,
    },
  });
  await publishEvent(trx, {
    type: 'servicing.loan-paid-off',
    subject: { type: 'loan', id: account.loan_id },
    payload: {
      loanId: account.loan_id,
      loanNo: account.loan_no,
      customerId: account.customer_id,
      closedOn: input.businessDate,
      early: input.early,
      transactionId: input.transactionId,
    },
  });
  return closed;
}
