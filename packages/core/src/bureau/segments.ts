import type { LocalDate } from '../date/local-date.ts';
import type { RepaymentMethod } from '../schedule/terms.ts';
import {
  type AcctType,
  fiveLevelClass,
  monthOf,
  type RptDateCode,
  type RpyStatus,
  repaymentStatus,
} from './status.ts';

// The segments of a 210 record (个人借贷账户信息记录) and a 220 record (个人授信协议信息记录), built
// from a loan's facts and its figures on the report date. Segments are keyed by their element names
// in the bureau's XML (数据采集格式规范): the stored record, the validation rules and the file use the
// same names. Every value is the text the file carries: amounts in whole yuan (元, rounded half up:
// the format's amounts have no decimals), dates YYYY-MM-DD, months YYYY-MM. The borrower's identity
// (Name, IDType, IDNum) is not part of a stored record: the file writer adds it to the base segment.

export type Fields = Record<string, string>;
export type SpecialSegment = { CagOfTrdNm: string; CagOfTrdInf: Fields[] };
export type AccountSegments = {
  /** 基础段 (B) */
  AcctBsSgmt: Fields;
  /** 基本信息段 (C) */
  AcctBsInfSgmt?: Fields;
  /** 相关还款责任人段 (D): never built (no co-borrowers or guarantors); validation knows it. */
  RltRepymtInfSgmt?: Fields;
  /** 抵质押物信息段 (E): never built (unsecured credit). */
  MotgaCltalCtrctInfSgmt?: Fields;
  /** 授信额度信息段 (F) */
  AcctCredSgmt?: Fields;
  /** 初始债权说明段 (G): never built (no acquired debts). */
  OrigCreditorInfSgmt?: Fields;
  /** 月度表现信息段 (H) */
  AcctMthlyBlgInfSgmt?: Fields;
  /** 大额专项分期信息段 (I): never built (credit cards only). */
  SpecPrdSgmt?: Fields;
  /** 非月度表现信息段 (J) */
  AcctDbtInfSgmt?: Fields;
  /** 特殊交易说明段 (K) */
  AcctSpecTrstDspnSgmt?: SpecialSegment;
};
export type LineSegments = {
  /** 个人授信协议 基础段 */
  CtrctBsSgmt: Fields;
  /** 额度信息段 */
  CreditLimSgmt?: Fields;
};

export type AccountRecord = { infRecType: '210'; segments: AccountSegments };
export type LineRecord = { infRecType: '220'; segments: LineSegments };
export type BureauRecord = AccountRecord | LineRecord;

/** The element order of each segment, and of the segments in a record (the format fixes both). */
export const accountSegmentOrder = [
  'AcctBsSgmt',
  'AcctBsInfSgmt',
  'RltRepymtInfSgmt',
  'MotgaCltalCtrctInfSgmt',
  'AcctCredSgmt',
  'OrigCreditorInfSgmt',
  'AcctMthlyBlgInfSgmt',
  'SpecPrdSgmt',
  'AcctDbtInfSgmt',
  'AcctSpecTrstDspnSgmt',
] as const;
export const lineSegmentOrder = ['CtrctBsSgmt', 'CreditLimSgmt'] as const;

export const fieldOrder: Record<string, readonly string[]> = {
  AcctBsSgmt: [
    'InfRecType',
    'AcctType',
    'AcctCode',
    'RptDate',
    'RptDateCode',
    'Name',
    'IDType',
    'IDNum',
    'MngmtOrgCode',
  ],
  AcctBsInfSgmt: [
    'BusiLines',
    'BusiDtlLines',
    'OpenDate',
    'Cy',
    'AcctCredLine',
    'LoanAmt',
    'Flag',
    'DueDate',
    'RepayMode',
    'RepayFreqcy',
    'RepayPrd',
    'ApplyBusiDist',
    'GuarMode',
    'OthRepyGuarWay',
    'AssetTrandFlag',
    'FundSou',
    'LoanForm',
    'CreditID',
  ],
  RltRepymtInfSgmt: ['RltRepymtNm'],
  MotgaCltalCtrctInfSgmt: ['CcNm'],
  AcctCredSgmt: ['Mcc'],
  OrigCreditorInfSgmt: ['InitCredName', 'InitCredOrgNm', 'OrigDbtCate', 'InitRpySts'],
  AcctMthlyBlgInfSgmt: [
    'Month',
    'SettDate',
    'AcctStatus',
    'AcctBal',
    'PridAcctBal',
    'UsedAmt',
    'NotIsuBal',
    'RemRepPrd',
    'FiveCate',
    'FiveCateAdjDate',
    'RpyStatus',
    'OverdPrd',
    'TotOverd',
    'OverdPrinc',
    'Oved31_60Princ',
    'Oved61_90Princ',
    'Oved91_180Princ',
    'OvedPrinc180',
    'OvedrawBaOve180',
    'CurRpyAmt',
    'ActRpyAmt',
    'LatRpyDate',
    'CloseDate',
  ],
  SpecPrdSgmt: ['SpecLine', 'SpecEfctDate', 'SpecEndDate', 'UsedInstAmt'],
  AcctDbtInfSgmt: [
    'AcctStatus',
    'AcctBal',
    'FiveCate',
    'FiveCateAdjDate',
    'RemRepPrd',
    'RpyStatus',
    'OverdPrd',
    'TotOverd',
    'LatRpyAmt',
    'LatRpyDate',
    'CloseDate',
  ],
  CagOfTrdInf: ['ChanTranType', 'TranDate', 'TranAmt', 'DueTranMon', 'DetInfo'],
  CtrctBsSgmt: [
    'InfRecType',
    'ContractCode',
    'RptDate',
    'RptDateCode',
    'Name',
    'IDType',
    'IDNum',
    'MngmtOrgCode',
  ],
  CreditLimSgmt: [
    'CreditLimType',
    'LimLoopFlg',
    'CreditLim',
    'Cy',
    'ConEffDate',
    'ConExpDate',
    'ConStatus',
    'CreditRest',
    'CreditRestCode',
  ],
};

/** Whole yuan, half up, as the format's amounts are written. */
export function yuan(minor: bigint): string {
  const sign = minor < 0n ? -1n : 1n;
  const abs = minor * sign;
  return String(((abs + 50n) / 100n) * sign);
}

/**
 * 还款方式 and 还款频率 of a repayment method: 11 分期等额本息, 12 分期等额本金, 13 到期一次还本分期
 * 结息, 21 到期一次还本付息, 19 其他分期 (equal principal and flat fee, 等本等息), 90 不区分 (a daily
 * line draw repaid at will); frequency 03 monthly, 07 once, 08 irregular (不定期).
 */
export function repayModeOf(method: RepaymentMethod): { mode: string; frequency: string } {
  switch (method) {
    case 'equal_installment':
      return { mode: '11', frequency: '03' };
    case 'equal_principal':
      return { mode: '12', frequency: '03' };
    case 'interest_first':
      return { mode: '13', frequency: '03' };
    case 'flat_fee':
      return { mode: '19', frequency: '03' };
    case 'bullet':
      return { mode: '21', frequency: '07' };
    case 'daily':
      return { mode: '90', frequency: '08' };
  }
}

/** What a loan is, as the base and basic segments report it. */
export type LoanFacts = {
  acctType: AcctType;
  /** 账户标识码: the lender's loan number (unique per account, stable across reports). */
  acctCode: string;
  /** 业务管理机构代码 (14 characters, assigned by PBOC). */
  mngmtOrgCode: string;
  openDate: LocalDate;
  maturityDate: LocalDate;
  loanAmountMinor: bigint;
  method: RepaymentMethod;
  termCount: number;
  /** 业务申请地行政区划代码 (GB/T 2260, six digits). */
  applyBusiDist: string;
  /** R4: the line's 授信协议标识码 (the 220 record's ContractCode) and amount. */
  lineContractCode: string | null;
  lineAmountMinor: bigint | null;
};

/** A loan's figures on a settlement date (the month end, the closing date, the day of a repayment). */
export type Performance = {
  asOf: LocalDate;
  state: 'open' | 'paid_off' | 'written_off';
  closeDate: LocalDate | null;
  balanceMinor: bigint;
  /** Installments not yet due. */
  remainingPeriods: number;
  dpd: number;
  /** Installments due and not fully paid. */
  overduePeriods: number;
  /** Everything due and unpaid: principal, interest, fees, penalty. */
  totalOverdueMinor: bigint;
  overduePrincipalMinor: bigint;
  /** Unpaid principal of installments by their own days past due. */
  overduePrincipal31to60Minor: bigint;
  overduePrincipal61to90Minor: bigint;
  overduePrincipal91to180Minor: bigint;
  overduePrincipalOver180Minor: bigint;
  /** 本月应还款金额: what the installments due within the month asked for. */
  dueInMonthMinor: bigint;
  /** 本月实际还款金额 */
  paidInMonthMinor: bigint;
  lastRepaymentDate: LocalDate | null;
  lastRepaymentMinor: bigint;
  dueInMonth: boolean;
  openingMonth: boolean;
  /** When the five-level class last changed (the reporter tracks it per loan). */
  fiveCateAdjDate: LocalDate;
};

export type SpecialTransactionType = '4' | '5' | '11' | '15';
/**
 * 特殊交易类型 as reported here: 4 提前还款 (a partial prepayment), 5 提前结清 (settled before
 * maturity), 11 债务减免 (a waiver), 15 核销 (a write-off).
 */
export type SpecialTransaction = {
  type: SpecialTransactionType;
  date: LocalDate;
  amountMinor: bigint;
  /** 明细信息, up to 200 characters. */
  detail: string;
};

/** The performance of a new account on its opening day. */
export function openingPerformance(loan: LoanFacts): Performance {
  return {
    asOf: loan.openDate,
    state: 'open',
    closeDate: null,
    balanceMinor: loan.loanAmountMinor,
    remainingPeriods: loan.termCount,
    dpd: 0,
    overduePeriods: 0,
    totalOverdueMinor: 0n,
    overduePrincipalMinor: 0n,
    overduePrincipal31to60Minor: 0n,
    overduePrincipal61to90Minor: 0n,
    overduePrincipal91to180Minor: 0n,
    overduePrincipalOver180Minor: 0n,
    dueInMonthMinor: 0n,
    paidInMonthMinor: 0n,
    lastRepaymentDate: null,
    lastRepaymentMinor: 0n,
    dueInMonth: false,
    openingMonth: true,
    fiveCateAdjDate: loan.openDate,
  };
}

/**
 * 账户状态 of a D1/R4 account: 1 正常, 2 逾期, 3 关闭, 5 呆账 (4 转出 is never reported: loans are
 * not transferred).
 */
export function accountStatusOf(performance: Performance): '1' | '2' | '3' | '5' {
  if (performance.state === 'paid_off') return '3';
  if (performance.state === 'written_off') return '5';
  return performance.dpd > 0 ? '2' : '1';
}

export function statusOf(performance: Performance): RpyStatus {
  return repaymentStatus({
    dpd: performance.dpd,
    state: performance.state,
    dueInMonth: performance.dueInMonth,
    openingMonth: performance.openingMonth,
  });
}

export function baseSegment(loan: LoanFacts, rptDate: LocalDate, code: RptDateCode): Fields {
  return {
    InfRecType: '210',
    AcctType: loan.acctType,
    AcctCode: loan.acctCode,
    RptDate: rptDate,
    RptDateCode: code,
    MngmtOrgCode: loan.mngmtOrgCode,
  };
}

/**
 * 基本信息段: business line 1 贷款 / 91 其他个人消费贷款, CNY, the loan amount, single
 * disbursement (Flag 0), guarantee mode 4 信用/免担保, no other repayment guarantee (0), not
 * transferred (AssetTrandFlag 0), own funds (FundSou 1), a new loan (LoanForm 1). An R4 draw
 * reports its line's amount as AcctCredLine.
 */
export function basicSegment(loan: LoanFacts): Fields {
  const { mode, frequency } = repayModeOf(loan.method);
  return {
    BusiLines: '1',
    BusiDtlLines: '91',
    OpenDate: loan.openDate,
    Cy: 'CNY',
    ...(loan.acctType === 'R4' && loan.lineAmountMinor !== null
      ? { AcctCredLine: yuan(loan.lineAmountMinor) }
      : {}),
    LoanAmt: yuan(loan.loanAmountMinor),
    Flag: '0',
    DueDate: loan.maturityDate,
    RepayMode: mode,
    RepayFreqcy: frequency,
    RepayPrd: String(loan.termCount),
    ApplyBusiDist: loan.applyBusiDist,
    GuarMode: '4',
    OthRepyGuarWay: '0',
    AssetTrandFlag: '0',
    FundSou: '1',
    LoanForm: '1',
  };
}

/** LatRpyDate of an account never repaid is its opening date. */
export function monthlySegment(performance: Performance, openDate: LocalDate): Fields {
  const status = statusOf(performance);
  return {
    Month: monthOf(performance.asOf),
    SettDate: performance.asOf,
    AcctStatus: accountStatusOf(performance),
    AcctBal: yuan(performance.balanceMinor),
    RemRepPrd: String(performance.remainingPeriods),
    FiveCate: fiveLevelClass(performance.dpd, performance.state === 'written_off'),
    FiveCateAdjDate: performance.fiveCateAdjDate,
    RpyStatus: status,
    OverdPrd: String(performance.overduePeriods),
    TotOverd: yuan(performance.totalOverdueMinor),
    OverdPrinc: yuan(performance.overduePrincipalMinor),
    Oved31_60Princ: yuan(performance.overduePrincipal31to60Minor),
    Oved61_90Princ: yuan(performance.overduePrincipal61to90Minor),
    Oved91_180Princ: yuan(performance.overduePrincipal91to180Minor),
    OvedPrinc180: yuan(performance.overduePrincipalOver180Minor),
    CurRpyAmt: yuan(performance.dueInMonthMinor),
    ActRpyAmt: yuan(performance.paidInMonthMinor),
    LatRpyDate: performance.lastRepaymentDate ?? openDate,
    ...(performance.closeDate === null ? {} : { CloseDate: performance.closeDate }),
  };
}

export function nonMonthlySegment(performance: Performance, openDate: LocalDate): Fields {
  return {
    AcctStatus: accountStatusOf(performance),
    AcctBal: yuan(performance.balanceMinor),
    FiveCate: fiveLevelClass(performance.dpd, performance.state === 'written_off'),
    FiveCateAdjDate: performance.fiveCateAdjDate,
    RemRepPrd: String(performance.remainingPeriods),
    RpyStatus: statusOf(performance),
    OverdPrd: String(performance.overduePeriods),
    TotOverd: yuan(performance.totalOverdueMinor),
    LatRpyAmt: yuan(performance.lastRepaymentMinor),
    LatRpyDate: performance.lastRepaymentDate ?? openDate,
    ...(performance.closeDate === null ? {} : { CloseDate: performance.closeDate }),
  };
}

export function specialSegment(specials: readonly SpecialTransaction[]): SpecialSegment {
  return {
    CagOfTrdNm: String(specials.length),
    CagOfTrdInf: specials.map((s) => ({
      ChanTranType: s.type,
      TranDate: s.date,
      TranAmt: yuan(s.amountMinor),
      DueTranMon: '0',
      DetInfo: s.detail.slice(0, 200),
    })),
  };
}

export type AccountRecordInput = {
  code: RptDateCode;
  rptDate: LocalDate;
  loan: LoanFacts;
  performance: Performance;
  /** Special transactions not reported yet: they ride on a 10, 20, 30 or 32 record (never a 40). */
  specials: readonly SpecialTransaction[];
};

/**
 * The record of a report-date code, with the segments the bureau's rules ask of it (docs/bureau.md):
 *   10  base, basic, credit line (R4), monthly;   30  base, monthly, special;
 *   20 / 32  base, monthly (closed), special;      40  base, non-monthly.
 */
export function accountRecord(input: AccountRecordInput): AccountRecord {
  const { code, loan, performance, specials } = input;
  const segments: AccountSegments = { AcctBsSgmt: baseSegment(loan, input.rptDate, code) };
  if (code === '10') {
    segments.AcctBsInfSgmt = basicSegment(loan);
    if (loan.acctType === 'R4' && loan.lineContractCode !== null)
      segments.AcctCredSgmt = { Mcc: loan.lineContractCode };
  }
  if (code === '40') segments.AcctDbtInfSgmt = nonMonthlySegment(performance, loan.openDate);
  else segments.AcctMthlyBlgInfSgmt = monthlySegment(performance, loan.openDate);
  if (code !== '40' && specials.length > 0) segments.AcctSpecTrstDspnSgmt = specialSegment(specials);
  return { infRecType: '210', segments };
}

/** What a credit line is, as its 220 record reports it. */
export type LineFacts = {
  contractCode: string;
  mngmtOrgCode: string;
  amountMinor: bigint;
  effectiveDate: LocalDate;
  expiryDate: LocalDate;
  revolving: boolean;
  active: boolean;
};

/**
 * A 220 record: 授信额度类型 10 (循环贷款授信额度) or 20 (非循环), 额度循环标志 1 循环 / 0 非循环,
 * 额度状态 1 有效 / 2 到期失效; no credit restriction (授信限额) is reported.
 */
export function lineRecord(line: LineFacts, rptDate: LocalDate, code: '10' | '20'): LineRecord {
  return {
    infRecType: '220',
    segments: {
      CtrctBsSgmt: {
        InfRecType: '220',
        ContractCode: line.contractCode,
        RptDate: rptDate,
        RptDateCode: code,
        MngmtOrgCode: line.mngmtOrgCode,
      },
      CreditLimSgmt: {
        CreditLimType: line.revolving ? '10' : '20',
        LimLoopFlg: line.revolving ? '1' : '0',
        CreditLim: yuan(line.amountMinor),
        Cy: 'CNY',
        ConEffDate: line.effectiveDate,
        ConExpDate: line.expiryDate,
        ConStatus: line.active ? '1' : '2',
      },
    },
  };
}
