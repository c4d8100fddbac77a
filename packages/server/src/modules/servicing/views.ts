import { accruedInterestTo, type Installment, type LoanTerms, localDate } from '@fenqi/core';
import type { DateString } from '../../platform/tables.ts';
import type {
  AccountRow,
  AccountStatus,
  HistoryRow,
  InstallmentRow,
  InstallmentStatus,
  TransactionKind,
  TransactionRow,
} from './tables.ts';

export type { AccountRow, HistoryRow, InstallmentRow, TransactionRow } from './tables.ts';

// What the servicing read APIs answer, computed from one loan's servicing rows: the schedule with
// what was due, paid, waived and is outstanding per component, the interest accrued to the day the
// account was last closed for (core accruedInterestTo: the same figure close of business posted;
// all of it once the loan is paid off, as its closure booked it), and the account's totals.
// Amounts are bigint fen, dates YYYY-MM-DD, as the schemas encode them.

export type Component = {
  dueMinor: bigint;
  paidMinor: bigint;
  waivedMinor: bigint;
  outstandingMinor: bigint;
};

export type ScheduleLine = {
  number: number;
  periodStart: DateString;
  dueDate: DateString;
  status: InstallmentStatus;
  settledOn: DateString | null;
  principal: Component;
  interest: Component;
  fee: Component;
  /** Penalty accrued so far is its "due". */
  penalty: Component;
  /** Everything still owed on the installment: the four outstanding amounts. */
  outstandingMinor: bigint;
  /** Interest earned through the account's closed-through date (all of it once due or paid off). */
  interestAccruedMinor: bigint;
  /** Accrued less paid and waived: negative when interest was paid ahead of its accrual. */
  interestReceivableMinor: bigint;
  /** The period fee is booked as receivable on the due date. */
  feeCharged: boolean;
};

export type AccountTotals = {
  principalOutstandingMinor: bigint;
  interestReceivableMinor: bigint;
  feeReceivableMinor: bigint;
  penaltyOutstandingMinor: bigint;
  /** Unpaid principal, interest and fee of installments whose due date has passed. */
  overdueMinor: bigint;
  /** What the schedule still asks for (every installment's unpaid principal, interest and fee) plus unpaid penalty. */
  remainingMinor: bigint;
};

export type AccountFigures = {
  loanId: string;
  loanNo: string;
  productCode: string;
  method: string;
  status: AccountStatus;
  scheduleVersion: number;
  openedOn: DateString;
  closedOn: DateString | null;
  closedThrough: DateString;
  currentInstallment: number | null;
  nextDueDate: DateString | null;
  oldestUnpaidDue: DateString | null;
  dpd: number;
  bucket: string;
  graceDays: number;
  principalOutstandingMinor: bigint;
  creditBalanceMinor: bigint;
};

export type StaffAccountFigures = AccountFigures & {
  customerId: string;
  lineId: string;
  productVersionId: string;
  postingBasis: 'accrual' | 'cash';
  nonAccrualSince: DateString | null;
  writeOffDpd: number;
};

/** A servicing installment row as core's Installment (the shape accruedInterestTo and payoffQuote take). */
export function coreInstallment(row: InstallmentRow): Installment {
  return {
    number: row.number,
    periodStart: localDate(row.period_start),
    dueDate: localDate(row.due_date),
    principalMinor: row.principal_due,
    interestMinor: row.interest_due,
    feeMinor: row.fee_due,
    totalMinor: row.principal_due + row.interest_due + row.fee_due,
    balanceMinor: row.opening_balance - row.principal_due,
  };
}

function component(due: bigint, paid: bigint, waived: bigint): Component {
  return { dueMinor: due, paidMinor: paid, waivedMinor: waived, outstandingMinor: due - paid - waived };
}

/**
 * Interest earned on an installment: through the account's closed-through date by its accrual
 * formula (all of it once due), as close of business posted it. A paid-off loan has earned all of
 * it: the closure recognised what was paid ahead of its accrual (delinquency.ts closePaidOff), and a
 * payoff cut the charges to what its day had earned.
 */
function interestEarned(row: InstallmentRow, terms: LoanTerms, account: AccountRow): bigint {
  if (account.status === 'paid_off') return row.interest_due;
  return accruedInterestTo(terms, coreInstallment(row), localDate(account.closed_through)).interestMinor;
}

export function scheduleLine(row: InstallmentRow, terms: LoanTerms, account: AccountRow): ScheduleLine {
  const principal = component(row.principal_due, row.principal_paid, 0n);
  const interest = component(row.interest_due, row.interest_paid, row.interest_waived);
  const fee = component(row.fee_due, row.fee_paid, row.fee_waived);
  const penalty = component(row.penalty_accrued, row.penalty_paid, row.penalty_waived);
  const accrued = interestEarned(row, terms, account);
  return {
    number: row.number,
    periodStart: row.period_start,
    dueDate: row.due_date,
    status: row.status,
    settledOn: row.settled_on,
    principal,
    interest,
    fee,
    penalty,
    outstandingMinor:
      principal.outstandingMinor +
      interest.outstandingMinor +
      fee.outstandingMinor +
      penalty.outstandingMinor,
    interestAccruedMinor: accrued,
    interestReceivableMinor: accrued - row.interest_paid - row.interest_waived,
    feeCharged: row.fee_charged,
  };
}

export function accountTotals(account: AccountRow, lines: readonly ScheduleLine[]): AccountTotals {
  let interest = 0n;
  let fee = 0n;
  let penalty = 0n;
  let overdue = 0n;
  let remaining = 0n;
  for (const line of lines) {
    interest += line.interestReceivableMinor;
    if (line.feeCharged) fee += line.fee.outstandingMinor;
    penalty += line.penalty.outstandingMinor;
    const unpaid =
      line.principal.outstandingMinor + line.interest.outstandingMinor + line.fee.outstandingMinor;
    if (line.status === 'due') overdue += unpaid;
    remaining += unpaid + line.penalty.outstandingMinor;
  }
  return {
    principalOutstandingMinor: account.principal_outstanding,
    interestReceivableMinor: interest,
    feeReceivableMinor: fee,
    penaltyOutstandingMinor: penalty,
    overdueMinor: overdue,
    remainingMinor: remaining,
  };
}

/** The first unsettled installment due on or after `date` (today's included: it is not yet closed). */
export function nextDueDate(rows: readonly InstallmentRow[], date: DateString): DateString | null {
  const next = rows.find((row) => row.status !== 'paid' && row.due_date >= date);
  return next?.due_date ?? null;
}

export function accountFigures(
  account: AccountRow,
  rows: readonly InstallmentRow[],
  open: DateString,
): AccountFigures {
  return {
    loanId: account.loan_id,
    loanNo: account.loan_no,
    productCode: account.product_code,
    method: account.method,
    status: account.status,
    scheduleVersion: account.schedule_version,
    openedOn: account.opened_on,
    closedOn: account.closed_on,
    closedThrough: account.closed_through,
    currentInstallment: account.cur_number,
    nextDueDate: nextDueDate(rows, open),
    oldestUnpaidDue: account.oldest_unpaid_due,
    dpd: account.dpd,
    bucket: account.bucket,
    graceDays: account.grace_days,
    principalOutstandingMinor: account.principal_outstanding,
    creditBalanceMinor: account.credit_balance,
  };
}

export function staffAccountFigures(
  account: AccountRow,
  rows: readonly InstallmentRow[],
  open: DateString,
): StaffAccountFigures {
  return {
    ...accountFigures(account, rows, open),
    customerId: account.customer_id,
    lineId: account.line_id,
    productVersionId: account.product_version_id,
    postingBasis: account.posting_basis,
    nonAccrualSince: account.non_accrual_since,
    writeOffDpd: account.write_off_dpd,
  };
}

export type Allocation = { number: number; component: string; amountMinor: bigint };

export type BorrowerTransaction = {
  id: string;
  kind: TransactionKind;
  amountMinor: bigint;
  principalMinor: bigint;
  interestMinor: bigint;
  feeMinor: bigint;
  penaltyMinor: bigint;
  prepaymentFeeMinor: bigint;
  overpaymentMinor: bigint;
  reverses: string | null;
  reversed: boolean;
  businessDate: DateString;
  createdAt: Date;
};

export type StaffTransaction = BorrowerTransaction & {
  sourceRef: string;
  channel: string | null;
  entryId: bigint | null;
  reversedBy: string | null;
  reason: string | null;
  allocation: Allocation[];
};

export function borrowerTransaction(row: TransactionRow): BorrowerTransaction {
  return {
    id: row.id,
    kind: row.kind,
    amountMinor: row.amount_minor,
    principalMinor: row.principal_minor,
    interestMinor: row.interest_minor,
    feeMinor: row.fee_minor,
    penaltyMinor: row.penalty_minor,
    prepaymentFeeMinor: row.prepayment_fee_minor,
    overpaymentMinor: row.overpayment_minor,
    reverses: row.reverses,
    reversed: row.reversed_by !== null,
    businessDate: row.business_date,
    createdAt: row.created_at,
  };
}

export function staffTransaction(row: TransactionRow): StaffTransaction {
  return {
    ...borrowerTransaction(row),
    sourceRef: row.source_ref,
    channel: row.channel,
    entryId: row.entry_id,
    reversedBy: row.reversed_by,
    reason: row.reason,
    allocation: row.allocation.map((part) => ({
      number: part.number,
      component: part.component,
      amountMinor: BigInt(part.amountMinor),
    })),
  };
}

export type DelinquencyChange = {
  id: bigint;
  businessDate: DateString;
  dpd: number;
  bucketFrom: string;
  bucketTo: string;
  cause: HistoryRow['cause'];
  at: Date;
};

export function delinquencyChange(row: HistoryRow): DelinquencyChange {
  return {
    id: row.id,
    businessDate: row.business_date,
    dpd: row.dpd,
    bucketFrom: row.bucket_from,
    bucketTo: row.bucket_to,
    cause: row.cause,
    at: row.at,
  };
}
