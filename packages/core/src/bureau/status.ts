import { dateParts, type LocalDate } from '../date/local-date.ts';

// The codes of a PBOC second-generation personal credit record (二代征信, 个人借贷账户信息记录
// 210 and 个人授信协议信息记录 220) that are decided from a loan's figures: the repayment status of a
// month and its 60-month grid, the five-level classification, and the report-date code.

export type AcctType = 'D1' | 'R4';
export type InfRecType = '210' | '220';

/**
 * 报告时点说明代码 of a 210 record: 10 new account (disbursement), 20 account closed (a payoff that
 * is not on a month end), 30 month-end settlement, 32 account closed on a month end, 40 an overdue
 * amount repaid (收回逾期款项).
 */
export const rptDateCodes = ['10', '20', '30', '32', '40'] as const;
export type RptDateCode = (typeof rptDateCodes)[number];

/**
 * 当前还款状态: N normal, * nothing due this month, 1–7 overdue by 30-day bands (7 = 181 days or
 * more), C settled, G ended otherwise (transferred, …), D repaid by a guarantor, Z settled by assets
 * (以资抵债), B bad debt (呆账), # state unknown, / no account that month (the grid only).
 */
export const rpyStatuses = [
  'N',
  '*',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  'C',
  'G',
  'D',
  'Z',
  'B',
  '#',
  '/',
] as const;
export type RpyStatus = (typeof rpyStatuses)[number];

/** A status that is negative information (不良信息) under 征信业管理条例 art. 15: overdue 1–7. */
export function isNegativeStatus(status: string): boolean {
  return status.length === 1 && status >= '1' && status <= '7';
}

/** The 30-day band of a number of days past due: 0 → none, 1–30 → 1, …, 151–180 → 6, 181+ → 7. */
export function overdueBand(dpd: number): '1' | '2' | '3' | '4' | '5' | '6' | '7' | undefined {
  if (dpd <= 0) return undefined;
  const band = Math.min(7, Math.ceil(dpd / 30));
  return String(band) as '1' | '2' | '3' | '4' | '5' | '6' | '7';
}

export type MonthState = {
  /** Days past due on the settlement date (0 when nothing is unpaid past a due date). */
  dpd: number;
  /** How the account stands on the settlement date. */
  state: 'open' | 'paid_off' | 'written_off' | 'ended';
  /** Something fell due within the month. */
  dueInMonth: boolean;
  /** The month the account opened in: reported N, as the new-account record is. */
  openingMonth: boolean;
};

/** 当前还款状态 of a month from its figures. */
export function repaymentStatus(month: MonthState): RpyStatus {
  if (month.state === 'paid_off') return 'C';
  if (month.state === 'ended') return 'G';
  if (month.state === 'written_off') return 'B';
  const band = overdueBand(month.dpd);
  if (band !== undefined) return band;
  return month.dueInMonth || month.openingMonth ? 'N' : '*';
}

/**
 * 五级分类 from days past due: 1 正常 (0), 2 关注 (1–90), 3 次级 (91–180), 4 可疑 (181–360),
 * 5 损失 (361+). 商业银行金融资产风险分类办法 (NFRA/PBOC order 2023 No. 1) art. 11 sets the minimum:
 * any overdue at least 关注, past 90 days at least 次级, past 270 at least 可疑, past 360 损失. The
 * bands here are stricter than that minimum for 181–270 (可疑 rather than 次级), as the lender's
 * policy for unsecured consumer credit. A written-off account is 5.
 */
export function fiveLevelClass(dpd: number, writtenOff = false): '1' | '2' | '3' | '4' | '5' {
  if (writtenOff || dpd > 360) return '5';
  if (dpd > 180) return '4';
  if (dpd > 90) return '3';
  if (dpd > 0) return '2';
  return '1';
}

/** `YYYY-MM` of a date. */
export function monthOf(date: LocalDate): string {
  return date.slice(0, 7);
}

/** Months from `from` (YYYY-MM) to `to` (YYYY-MM): 0 for the same month. */
export function monthsBetween(from: string, to: string): number {
  const a = dateParts(`${from}-01` as LocalDate);
  const b = dateParts(`${to}-01` as LocalDate);
  return (b.year - a.year) * 12 + (b.month - a.month);
}

/** The month `n` months after `month` (YYYY-MM). */
export function addMonthsTo(month: string, n: number): string {
  const { year, month: m } = dateParts(`${month}-01` as LocalDate);
  const index = year * 12 + (m - 1) + n;
  const y = Math.floor(index / 12);
  return `${String(y).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export const gridMonths = 60;

/**
 * The 60-month repayment-status grid (近5年还款记录) ending with `asOf`'s month, oldest first: `/`
 * before the account opened, the month's reported status, `#` for a month after opening with none
 * reported. `statuses` is one character per month from the opening month.
 */
export function repaymentGrid(openMonth: string, statuses: string, asOfMonth: string): string {
  let grid = '';
  const first = addMonthsTo(asOfMonth, -(gridMonths - 1));
  for (let i = 0; i < gridMonths; i += 1) {
    const month = addMonthsTo(first, i);
    const index = monthsBetween(openMonth, month);
    if (index < 0) grid += '/';
    else grid += statuses[index] ?? '#';
  }
  return grid;
}

/** Writes `status` for `month` into a loan's statuses (one character a month from the opening month). */
export function withMonthStatus(openMonth: string, statuses: string, month: string, status: string): string {
  const index = monthsBetween(openMonth, month);
  if (index < 0) return statuses;
  const padded = statuses.padEnd(index, '#');
  return padded.slice(0, index) + status + padded.slice(index + 1);
}
