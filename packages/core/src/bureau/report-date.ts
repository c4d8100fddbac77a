import { isLastDayOfMonth, type LocalDate } from '../date/local-date.ts';
import type { RptDateCode } from './status.ts';

// Which 210 records a loan gets for one business date (the generation runs T+1 for the events of
// the day before, and for every open loan when that day was a month end). One record per report
// date and code: a closure carries the month's figures itself (its 月度表现段), so a payoff on a month
// end is one 32 record and no 30; a new account opened on a month end is its 10 record alone (which
// carries the month's figures too); a repayment of an overdue amount on a month end is a 40 (非月度
// 表现段 only) beside the 30.

export type DayEvents = {
  disbursed: boolean;
  paidOff: boolean;
  overdueRepaid: boolean;
  /** The loan is open at the end of the date and the generation reports the month end. */
  monthEnd: boolean;
};

export function recordCodesFor(date: LocalDate, day: DayEvents): RptDateCode[] {
  if (day.paidOff) return [isLastDayOfMonth(date) ? '32' : '20'];
  if (day.disbursed) return ['10'];
  const codes: RptDateCode[] = [];
  if (day.overdueRepaid) codes.push('40');
  if (day.monthEnd && isLastDayOfMonth(date)) codes.push('30');
  return codes;
}

/** A closing code: 20, or 32 on a month end. */
export function closingCode(date: LocalDate): '20' | '32' {
  return isLastDayOfMonth(date) ? '32' : '20';
}
