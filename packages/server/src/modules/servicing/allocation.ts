import {
  type AllocationLine,
  accrualDays,
  accrueByFormula,
  buildSchedule,
  type DayCount,
  type DueInstallment,
  daysBetween,
  divideRounded,
  type Installment,
  type LoanTerms,
  type LocalDate,
  localDate,
  type RoundingMode,
  type Schedule,
} from '@fenqi/core';
import type { DateString } from '../../platform/tables.ts';
import type { AccountRow, AllocationJson, InstallmentRow, PenaltySegmentJson } from './tables.ts';

export type { AccountRow, InstallmentRow } from './tables.ts';

// What an account owes, installment by installment, and what a repayment's allocation does to its
// rows — pure functions over the rows, so the quote, the repayment and the reversal read one rule.
//   owed now:    a due installment's unpaid principal, interest, fee and the penalty accrued so far;
//                the current installment in full (paid ahead of its due date);
//   owed on D:   the same extended to the open business date the way close of business would
//                (interest of the current period accrued to D, penalty segments accrued to D), what
//                a payoff settles;
//   applied:     paid columns raised, the installment settled when nothing is left, and the penalty
//                segment restarted on the new unpaid principal (0022_servicing.sql, contract).

export type Components = {
  principal: bigint;
  interest: bigint;
  fee: bigint;
  penalty: bigint;
};

export const noComponents: Components = { principal: 0n, interest: 0n, fee: 0n, penalty: 0n };

export function addComponents(a: Components, b: Components): Components {
  return {
    principal: a.principal + b.principal,
    interest: a.interest + b.interest,
    fee: a.fee + b.fee,
    penalty: a.penalty + b.penalty,
  };
}

export function totalOf(c: Components): bigint {
  return c.principal + c.interest + c.fee + c.penalty;
}

/** What is unpaid on an installment as its row stands (penalty as accrued so far). */
export function unpaidOf(row: InstallmentRow): Components {
  return {
    principal: row.principal_due - row.principal_paid,
    interest: row.interest_due - row.interest_paid - row.interest_waived,
    fee: row.fee_due - row.fee_paid - row.fee_waived,
    penalty: row.penalty_accrued - row.penalty_paid - row.penalty_waived,
  };
}

function dueOf(row: InstallmentRow, owed: Components): DueInstallment {
  return {
    number: row.number,
    principalMinor: owed.principal,
    interestMinor: owed.interest,
    feeMinor: owed.fee,
    penaltyMinor: owed.penalty,
  };
}

/** The installments a repayment may pay, oldest first: every due one, then the current one. */
export function payableNow(account: AccountRow, rows: readonly InstallmentRow[]): DueInstallment[] {
  return rows
    .filter((row) => row.status === 'due' || (row.status === 'future' && row.number === account.cur_number))
    .sort((a, b) => a.number - b.number)
    .map((row) => dueOf(row, unpaidOf(row)));
}

/** What the due installments owe now (the borrower's "all due", auto-debit's amount). */
export function dueNow(rows: readonly InstallmentRow[]): Components {
  return rows
    .filter((row) => row.status === 'due')
    .reduce((sum, row) => addComponents(sum, unpaidOf(row)), noComponents);
}

// ---- accrual to a date, as close of business computes it ----

/**
 * Interest of the current period accrued to `date` (the SQL fenqi_accrued_interest), all of it on
 * and after the due date (core accruedInterestTo: a period has earned all it bills by then).
 */
export function accruedCurrent(account: AccountRow, date: LocalDate): bigint {
  if (
    account.cur_number === null ||
    account.cur_period_start === null ||
    account.cur_due_date === null ||
    account.cur_interest === null ||
    account.acc_num === null ||
    account.acc_den === null ||
    account.acc_days === null
  )
    return 0n;
  if (date >= account.cur_due_date) return account.cur_interest;
  const formula = {
    numeratorMinor: BigInt(account.acc_num),
    denominator: BigInt(account.acc_den),
    periodDays: account.acc_days,
  };
  const elapsed = accrualDays(localDate(account.cur_period_start), date, account.day_count as DayCount);
  return accrueByFormula(formula, account.cur_interest, elapsed, account.rounding as RoundingMode);
}

export type PenaltySegment = {
  from: string;
  base: bigint;
  days: number;
  /** Penalty the segment adds to the installment's accrued penalty. */
  addedMinor: bigint;
};

export function penaltyThrough(account: AccountRow, base: bigint, days: number): bigint {
  if (days <= 0 || base <= 0n) return 0n;
  return divideRounded(
    base * BigInt(account.penalty_rate_num) * BigInt(days),
    BigInt(account.penalty_rate_den) * BigInt(account.basis_days),
    account.rounding as RoundingMode,
  );
}

/**
 * The penalty segment of an unpaid installment carried to `date` exactly as close of business
 * carries it day by day (day-close.ts accruePenalty: the segment total is one rounded figure, so
 * skipping days changes nothing): undefined while the grace lasts or nothing is overdue.
 */
export function penaltySegmentTo(
  account: AccountRow,
  row: InstallmentRow,
  date: LocalDate,
): PenaltySegment | undefined {
  const unpaidPrincipal = row.principal_due - row.principal_paid;
  if (row.status === 'paid' || unpaidPrincipal <= 0n) return undefined;
  const due = localDate(row.due_date);
  if (daysBetween(due, date) <= account.grace_days) return undefined;
  const from = row.penalty_from ?? row.due_date;
  const base = row.penalty_from === null ? unpaidPrincipal : row.penalty_base;
  const before = row.penalty_from === null ? 0 : row.penalty_days;
  const days = accrualDays(localDate(from), date, account.day_count as DayCount);
  return {
    from,
    base,
    days,
    addedMinor: penaltyThrough(account, base, days) - penaltyThrough(account, base, before),
  };
}

/**
 * The installments as owed if paid on `date`: with the penalty close of business has not accrued
 * yet (to the day of payment, as bookPenaltyToToday books it when the money arrives). Pure.
 */
export function withPenaltyTo(
  account: AccountRow,
  rows: readonly InstallmentRow[],
  date: LocalDate,
): InstallmentRow[] {
  return rows.map((row) => {
    const segment = penaltySegmentTo(account, row, date);
    return segment === undefined || segment.addedMinor <= 0n
      ? row
      : { ...row, penalty_accrued: row.penalty_accrued + segment.addedMinor };
  });
}

/**
 * After a repayment changed an overdue installment's unpaid principal: a new segment from the day
 * of the payment (its penalty was booked to that day first: bookPenaltyToToday) on the new base,
 * only once the penalty runs (penalty_from is set).
 */
export function restartedSegment(
  row: InstallmentRow,
  paidOn: DateString,
): Pick<InstallmentRow, 'penalty_from' | 'penalty_base' | 'penalty_days'> {
  if (row.penalty_from === null)
    return { penalty_from: null, penalty_base: row.penalty_base, penalty_days: 0 };
  return {
    penalty_from: paidOn,
    penalty_base: row.principal_due - row.principal_paid,
    penalty_days: 0,
  };
}

/**
 * A reversal gives an overdue installment its principal back: the running segment (or one from the
 * due date, when the payment came in the grace days) is recomputed to the last closed date on the
 * restored base, so the penalty is what it would have been had the payment never been made.
 */
export function reversedSegment(account: AccountRow, row: InstallmentRow): PenaltySegment | undefined {
  const unpaidPrincipal = row.principal_due - row.principal_paid;
  const closed = localDate(account.closed_through);
  if (unpaidPrincipal <= 0n) return undefined;
  if (daysBetween(localDate(row.due_date), closed) <= account.grace_days) return undefined;
  const from = row.penalty_from ?? row.due_date;
  const accrued =
    row.penalty_from === null ? 0n : penaltyThrough(account, row.penalty_base, row.penalty_days);
  // A reversal on the day of the payment: the segment starts today and nothing is closed after it.
  const days = Math.max(0, accrualDays(localDate(from), closed, account.day_count as DayCount));
  return {
    from,
    base: unpaidPrincipal,
    days,
    addedMinor: penaltyThrough(account, unpaidPrincipal, days) - accrued,
  };
}

/** The segment a payment is about to restart, to be stored with it (restoredSegment undoes it). */
export function segmentBefore(account: AccountRow, row: InstallmentRow): PenaltySegmentJson | undefined {
  if (row.penalty_from === null) return undefined;
  return {
    number: row.number,
    from: row.penalty_from,
    base: String(row.penalty_base),
    days: row.penalty_days,
    accruedBefore: String(row.penalty_accrued - penaltyThrough(account, row.penalty_base, row.penalty_days)),
  };
}

/**
 * A reversal of the payment that restarted `stored`: the segment it interrupted runs on as if the
 * payment had never been made — from its own start, on its base, to the last closed date — so the
 * penalty is one sum, rounded once, exactly what a never-paid installment would have accrued.
 */
export function restoredSegment(
  account: AccountRow,
  row: InstallmentRow,
  stored: PenaltySegmentJson,
): PenaltySegment {
  const base = BigInt(stored.base);
  const days = Math.max(
    stored.days,
    accrualDays(localDate(stored.from), localDate(account.closed_through), account.day_count as DayCount),
  );
  const owed = BigInt(stored.accruedBefore) + penaltyThrough(account, base, days);
  // Never below what was accrued: the two segments can round one fen above the one (booked).
  return {
    from: stored.from,
    base,
    days,
    addedMinor: owed > row.penalty_accrued ? owed - row.penalty_accrued : 0n,
  };
}

// ---- applying an allocation ----

export type RowChange = {
  number: number;
  paid: Components;
  settled: boolean;
};

/** The allocation lines summed per installment and per component. */
export function changesOf(lines: readonly AllocationLine[]): Map<number, Components> {
  const byNumber = new Map<number, Components>();
  for (const line of lines) {
    const before = byNumber.get(line.number) ?? noComponents;
    byNumber.set(line.number, { ...before, [line.component]: before[line.component] + line.amountMinor });
  }
  return byNumber;
}

export function componentsOfLines(lines: readonly AllocationLine[]): Components {
  let sum = noComponents;
  for (const c of changesOf(lines).values()) sum = addComponents(sum, c);
  return sum;
}

/** The row after `paid` more (or, negative, taken back) on each component. */
export function rowAfter(row: InstallmentRow, paid: Components): InstallmentRow {
  return {
    ...row,
    principal_paid: row.principal_paid + paid.principal,
    interest_paid: row.interest_paid + paid.interest,
    fee_paid: row.fee_paid + paid.fee,
    penalty_paid: row.penalty_paid + paid.penalty,
  };
}

export function isSettled(row: InstallmentRow): boolean {
  const left = unpaidOf(row);
  return left.principal === 0n && left.interest === 0n && left.fee === 0n && left.penalty === 0n;
}

export function allocationJson(lines: readonly AllocationLine[]): AllocationJson[] {
  return lines.map((line) => ({
    number: line.number,
    component: line.component,
    amountMinor: String(line.amountMinor),
  }));
}

export function linesOfJson(json: readonly AllocationJson[]): AllocationLine[] {
  return json.map((line) => ({
    number: line.number,
    component: line.component as AllocationLine['component'],
    amountMinor: BigInt(line.amountMinor),
  }));
}

/** The stored rows as core installments (the schedule core's payoffQuote and prepay take). */
export function scheduleInstallments(rows: readonly InstallmentRow[]): Installment[] {
  return [...rows]
    .sort((a, b) => a.number - b.number)
    .map((row) => ({
      number: row.number,
      periodStart: localDate(row.period_start),
      dueDate: localDate(row.due_date),
      principalMinor: row.principal_due,
      interestMinor: row.interest_due,
      feeMinor: row.fee_due,
      totalMinor: row.principal_due + row.interest_due + row.fee_due,
      balanceMinor: row.opening_balance - row.principal_due,
    }));
}

/**
 * The loan's schedule as servicing holds it now (the current version's installments), for core's
 * payoffQuote and prepay. Principal is conserved (core prepay asserts it): what the installments
 * do not carry was prepaid.
 */
export function servicedSchedule(terms: LoanTerms, rows: readonly InstallmentRow[]): Schedule {
  const built = buildSchedule(terms);
  if (!built.ok) throw new Error('stored terms no longer build a schedule');
  const installments = scheduleInstallments(rows);
  const scheduled = installments.reduce((sum, i) => sum + i.principalMinor, 0n);
  return {
    ...built.value,
    prepaidPrincipalMinor: built.value.financedPrincipalMinor - scheduled,
    installments,
  };
}

/** The earliest of some dates (YYYY-MM-DD strings order as the dates do). */
export function earliest(dates: readonly string[]): string | null {
  return [...dates].sort()[0] ?? null;
}

export function smaller(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}
