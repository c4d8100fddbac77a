import {
  type AccountRecord,
  accountRecord,
  type BureauRecord,
  fiveLevelClass,
  isNegativeStatus,
  type LoanFacts,
  localDate,
  monthOf,
  openingPerformance,
  type Performance,
  type RepaymentMethod,
  type RptDateCode,
  type SpecialTransaction,
  validateRecord,
} from '@fenqi/core';
import type { BureauFigures } from '../servicing/bureau-figures.ts';

// From servicing's figures to core's inputs, and a record built and validated with the facts it was
// built from (kept on the record: a correction builds it again from them).

/**
 * The reporter's settings. 业务管理机构代码 is PBOC's code for the lender (14 characters) and
 * 业务申请地行政区划代码 the place loans are applied for (GB/T 2260): both belong in configuration
 * (BUREAU_MNGMT_ORG_CODE, BUREAU_APPLY_BUSI_DIST, docs/bureau.md); until then these defaults.
 */
export const bureauSettings = { mngmtOrgCode: 'B10000000000FQ', applyBusiDist: '310000' };

export function loanFactsOf(
  figures: BureauFigures,
  line: { contractCode: string; amountMinor: bigint } | null,
): LoanFacts {
  return {
    acctType: figures.revolving ? 'R4' : 'D1',
    acctCode: figures.loanNo,
    mngmtOrgCode: bureauSettings.mngmtOrgCode,
    openDate: localDate(figures.openedOn),
    maturityDate: localDate(figures.maturityDate),
    loanAmountMinor: figures.loanAmountMinor,
    method: figures.method as RepaymentMethod,
    termCount: figures.termCount,
    applyBusiDist: bureauSettings.applyBusiDist,
    lineContractCode: figures.revolving ? (line?.contractCode ?? figures.lineId) : null,
    lineAmountMinor: figures.revolving ? (line?.amountMinor ?? null) : null,
  };
}

export type Grid = { openMonth: string; statuses: string; fiveCate: string; fiveCateDate: string };

/** The performance on `asOf`; the five-level class date moves to `asOf` when the class changes. */
export function performanceOf(figures: BureauFigures, asOf: string, grid: Grid | undefined): Performance {
  const state =
    figures.status === 'paid_off' ? 'paid_off' : figures.status === 'written_off' ? 'written_off' : 'open';
  const dpd = state === 'paid_off' ? 0 : figures.dpd;
  const cls = fiveLevelClass(dpd, state === 'written_off');
  const adjDate = grid === undefined || grid.fiveCate !== cls ? asOf : grid.fiveCateDate;
  return {
    asOf: localDate(asOf),
    state,
    closeDate: state === 'paid_off' ? localDate(figures.closedOn ?? asOf) : null,
    balanceMinor: state === 'paid_off' ? 0n : figures.balanceMinor,
    remainingPeriods: state === 'paid_off' ? 0 : figures.remainingPeriods,
    dpd,
    overduePeriods: state === 'paid_off' ? 0 : figures.overduePeriods,
    totalOverdueMinor: state === 'paid_off' ? 0n : figures.totalOverdueMinor,
    overduePrincipalMinor: state === 'paid_off' ? 0n : figures.overduePrincipalMinor,
    overduePrincipal31to60Minor: state === 'paid_off' ? 0n : figures.overduePrincipal31to60Minor,
    overduePrincipal61to90Minor: state === 'paid_off' ? 0n : figures.overduePrincipal61to90Minor,
    overduePrincipal91to180Minor: state === 'paid_off' ? 0n : figures.overduePrincipal91to180Minor,
    overduePrincipalOver180Minor: state === 'paid_off' ? 0n : figures.overduePrincipalOver180Minor,
    dueInMonthMinor: figures.dueInMonthMinor,
    paidInMonthMinor: figures.paidInMonthMinor,
    lastRepaymentDate: figures.lastRepaymentDate === null ? null : localDate(figures.lastRepaymentDate),
    lastRepaymentMinor: figures.lastRepaymentMinor,
    dueInMonth: figures.dueInMonth,
    openingMonth: monthOf(localDate(figures.openedOn)) === monthOf(localDate(asOf)),
    fiveCateAdjDate: localDate(adjDate),
  };
}

export type BuildInput = {
  code: RptDateCode;
  rptDate: string;
  loan: LoanFacts;
  performance: Performance;
  specials: SpecialTransaction[];
};

export type Built = {
  record: AccountRecord;
  facts: BuildInput;
  rpyStatus: string | null;
  negative: boolean;
  errors: ReturnType<typeof validateRecord>;
};

export function build(input: BuildInput): Built {
  const performance = input.code === '10' ? openingPerformance(input.loan) : input.performance;
  const record = accountRecord({ ...input, rptDate: localDate(input.rptDate), performance });
  const status =
    record.segments.AcctMthlyBlgInfSgmt?.RpyStatus ?? record.segments.AcctDbtInfSgmt?.RpyStatus ?? null;
  return {
    record,
    facts: { ...input, performance },
    rpyStatus: status,
    negative: status !== null && isNegativeStatus(status),
    errors: validateRecord(record),
  };
}

/** Facts as JSON: bigints as strings (the record's column), and back. */
export function factsJson(facts: BuildInput): string {
  return JSON.stringify(facts, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
}

export function factsFromJson(json: unknown): BuildInput {
  return JSON.parse(JSON.stringify(json), (_key, value) =>
    typeof value === 'string' && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value,
  ) as BuildInput;
}

export function recordOfRow(row: { info_type: string; segments: unknown }): BureauRecord {
  return { infRecType: row.info_type, segments: row.segments } as BureauRecord;
}
