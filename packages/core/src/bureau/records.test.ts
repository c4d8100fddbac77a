import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { testLoan } from './fixtures.ts';
import {
  type AccountRecord,
  accountRecord,
  lineRecord,
  openingPerformance,
  type Performance,
  repayModeOf,
  yuan,
} from './segments.ts';
import { identityFailures, validateRecord } from './validate.ts';

// The records of one D1 loan of 3,000.00 over three months (2026-01-15 → 04-15), and what
// validation says of each, and of records broken on purpose.

const loan = testLoan;

const overdue: Performance = {
  ...openingPerformance(loan),
  asOf: localDate('2026-02-28'),
  openingMonth: false,
  dueInMonth: true,
  balanceMinor: 300_000n,
  remainingPeriods: 2,
  dpd: 13,
  overduePeriods: 1,
  totalOverdueMinor: 102_410n + 2_460n,
  overduePrincipalMinor: 98_810n,
  dueInMonthMinor: 102_410n,
  fiveCateAdjDate: localDate('2026-02-16'),
};

describe('accountRecord', () => {
  it('builds a new-account record (10) with the base, basic and monthly segments', () => {
    const record = accountRecord({
      code: '10',
      rptDate: loan.openDate,
      loan,
      performance: openingPerformance(loan),
      specials: [],
    });
    expect(record.segments).toEqual({
      AcctBsSgmt: {
        InfRecType: '210',
        AcctType: 'D1',
        AcctCode: 'L202601150000000001',
        RptDate: '2026-01-15',
        RptDateCode: '10',
        MngmtOrgCode: 'B10000000000FQ',
      },
      AcctBsInfSgmt: {
        BusiLines: '1',
        BusiDtlLines: '91',
        OpenDate: '2026-01-15',
        Cy: 'CNY',
        LoanAmt: '3000',
        Flag: '0',
        DueDate: '2026-04-15',
        RepayMode: '11',
        RepayFreqcy: '03',
        RepayPrd: '3',
        ApplyBusiDist: '310000',
        GuarMode: '4',
        OthRepyGuarWay: '0',
        AssetTrandFlag: '0',
        FundSou: '1',
        LoanForm: '1',
      },
      AcctMthlyBlgInfSgmt: {
        Month: '2026-01',
        SettDate: '2026-01-15',
        AcctStatus: '1',
        AcctBal: '3000',
        RemRepPrd: '3',
        FiveCate: '1',
        FiveCateAdjDate: '2026-01-15',
        RpyStatus: 'N',
        OverdPrd: '0',
        TotOverd: '0',
        OverdPrinc: '0',
        Oved31_60Princ: '0',
        Oved61_90Princ: '0',
        Oved91_180Princ: '0',
        OvedPrinc180: '0',
        CurRpyAmt: '0',
        ActRpyAmt: '0',
        LatRpyDate: '2026-01-15',
      },
    });
    expect(validateRecord(record)).toEqual([]);
  });

  it('builds an R4 draw’s new-account record with its line’s amount and the credit-line segment', () => {
    const draw = { ...loan, acctType: 'R4' as const, lineContractCode: 'CL-1', lineAmountMinor: 5_000_000n };
    const record = accountRecord({
      code: '10',
      rptDate: loan.openDate,
      loan: draw,
      performance: openingPerformance(draw),
      specials: [],
    });
    expect(record.segments.AcctCredSgmt).toEqual({ Mcc: 'CL-1' });
    expect(record.segments.AcctBsInfSgmt?.AcctCredLine).toBe('50000');
    expect(validateRecord(record)).toEqual([]);
  });

  it('builds a month-end record (30) of an overdue month with the special transactions waiting', () => {
    const record = accountRecord({
      code: '30',
      rptDate: localDate('2026-02-28'),
      loan,
      performance: overdue,
      specials: [
        { type: '11', date: localDate('2026-02-20'), amountMinor: 1_234n, detail: 'penalty waived' },
      ],
    });
    expect(record.segments.AcctMthlyBlgInfSgmt).toMatchObject({
      Month: '2026-02',
      AcctStatus: '2',
      RpyStatus: '1',
      FiveCate: '2',
      OverdPrd: '1',
      TotOverd: '1049',
      OverdPrinc: '988',
      CurRpyAmt: '1024',
    });
    expect(record.segments.AcctSpecTrstDspnSgmt).toEqual({
      CagOfTrdNm: '1',
      CagOfTrdInf: [
        {
          ChanTranType: '11',
          TranDate: '2026-02-20',
          TranAmt: '12',
          DueTranMon: '0',
          DetInfo: 'penalty waived',
        },
      ],
    });
    expect(record.segments.AcctBsInfSgmt).toBeUndefined();
    expect(validateRecord(record)).toEqual([]);
  });

  it('builds an overdue-repaid record (40) with the non-monthly segment only, never the special transactions', () => {
    const record = accountRecord({
      code: '40',
      rptDate: localDate('2026-03-02'),
      loan,
      performance: {
        ...openingPerformance(loan),
        asOf: localDate('2026-03-02'),
        openingMonth: false,
        balanceMinor: 201_190n,
        remainingPeriods: 2,
        lastRepaymentDate: localDate('2026-03-02'),
        lastRepaymentMinor: 102_410n,
        fiveCateAdjDate: localDate('2026-03-02'),
      },
      specials: [{ type: '11', date: localDate('2026-03-02'), amountMinor: 100n, detail: 'x' }],
    });
    expect(Object.keys(record.segments)).toEqual(['AcctBsSgmt', 'AcctDbtInfSgmt']);
    expect(record.segments.AcctDbtInfSgmt).toEqual({
      AcctStatus: '1',
      AcctBal: '2012',
      FiveCate: '1',
      FiveCateAdjDate: '2026-03-02',
      RemRepPrd: '2',
      RpyStatus: '*',
      OverdPrd: '0',
      TotOverd: '0',
      LatRpyAmt: '1024',
      LatRpyDate: '2026-03-02',
    });
    expect(validateRecord(record)).toEqual([]);
  });

  it('builds a closing record (20) as closed with status C and its close date', () => {
    const record = accountRecord({
      code: '20',
      rptDate: localDate('2026-04-05'),
      loan,
      performance: {
        ...openingPerformance(loan),
        asOf: localDate('2026-04-05'),
        state: 'paid_off',
        closeDate: localDate('2026-04-05'),
        openingMonth: false,
        balanceMinor: 0n,
        remainingPeriods: 0,
        paidInMonthMinor: 102_000n,
        lastRepaymentDate: localDate('2026-04-05'),
        lastRepaymentMinor: 102_000n,
      },
      specials: [
        { type: '5', date: localDate('2026-04-05'), amountMinor: 101_194n, detail: 'settled early' },
      ],
    });
    expect(record.segments.AcctMthlyBlgInfSgmt).toMatchObject({
      AcctStatus: '3',
      AcctBal: '0',
      RpyStatus: 'C',
      CloseDate: '2026-04-05',
      ActRpyAmt: '1020',
    });
    expect(validateRecord(record)).toEqual([]);
  });
});

const rules = (record: AccountRecord) =>
  validateRecord(record).map((f) => `${f.rule} ${f.segment}${f.field ? `.${f.field}` : ''}`);

describe('validateRecord', () => {
  const opening = accountRecord({
    code: '10',
    rptDate: loan.openDate,
    loan,
    performance: openingPerformance(loan),
    specials: [],
  });

  it('rejects a new-account record without its monthly segment (R2100101)', () => {
    const { AcctMthlyBlgInfSgmt: _dropped, ...segments } = opening.segments;
    expect(rules({ infRecType: '210', segments })).toEqual(['R2100101 AcctMthlyBlgInfSgmt']);
  });

  it('lists every failing rule of a record, not only the first', () => {
    const base = { ...opening.segments.AcctBsSgmt, RptDateCode: '40', AcctCode: '' };
    const broken: AccountRecord = { infRecType: '210', segments: { ...opening.segments, AcctBsSgmt: base } };
    expect(rules(broken)).toEqual([
      'R2100109 AcctDbtInfSgmt',
      'R2100110 AcctBsInfSgmt',
      'R2100110 AcctMthlyBlgInfSgmt',
      'I0000101 AcctBsSgmt.AcctCode',
    ]);
  });

  it('rejects an overdue status without overdue periods and a closed account with a balance', () => {
    const record = accountRecord({
      code: '30',
      rptDate: localDate('2026-02-28'),
      loan,
      performance: overdue,
      specials: [],
    });
    const monthly = {
      ...record.segments.AcctMthlyBlgInfSgmt,
      OverdPrd: '0',
      AcctStatus: '3',
      CloseDate: '2026-02-28',
    };
    expect(rules({ ...record, segments: { ...record.segments, AcctMthlyBlgInfSgmt: monthly } })).toEqual([
      'FQ-OVERDUE AcctMthlyBlgInfSgmt.OverdPrd',
      'FQ-OVERDUE AcctMthlyBlgInfSgmt.AcctStatus',
      'FQ-CLOSED AcctMthlyBlgInfSgmt.AcctBal',
      'FQ-CLOSED AcctMthlyBlgInfSgmt.RpyStatus',
    ]);
  });

  it('rejects a month-end record not dated on a month end, and dates later than the report date', () => {
    const record = accountRecord({
      code: '30',
      rptDate: localDate('2026-02-27'),
      loan,
      performance: overdue,
      specials: [],
    });
    expect(rules(record)).toEqual([
      'I0000501 AcctMthlyBlgInfSgmt.SettDate',
      'FQ-REPORT-DATE AcctBsSgmt.RptDate',
      'FQ-REPORT-DATE AcctMthlyBlgInfSgmt.SettDate',
    ]);
  });

  it('rejects malformed items and a special-transaction count that does not match', () => {
    const record = accountRecord({
      code: '30',
      rptDate: localDate('2026-02-28'),
      loan,
      performance: overdue,
      specials: [{ type: '11', date: localDate('2026-02-20'), amountMinor: 1_234n, detail: 'x' }],
    });
    const special = record.segments.AcctSpecTrstDspnSgmt;
    if (special === undefined) throw new Error('no special segment');
    const monthly = { ...record.segments.AcctMthlyBlgInfSgmt, AcctBal: '12.5', RpyStatus: 'X' };
    expect(
      rules({
        ...record,
        segments: {
          ...record.segments,
          AcctMthlyBlgInfSgmt: monthly,
          AcctSpecTrstDspnSgmt: { ...special, CagOfTrdNm: '2' },
        },
      }),
    ).toEqual([
      'I0000201 AcctMthlyBlgInfSgmt.AcctBal',
      'I0000201 AcctMthlyBlgInfSgmt.RpyStatus',
      'I0000701 AcctSpecTrstDspnSgmt.CagOfTrdNm',
    ]);
  });

  it('accepts every well-formed month-end record built from consistent figures', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.bigInt({ min: 0n, max: 10_000_000n }),
        fc.integer({ min: 0, max: 12 }),
        (dpd, principal, periods) => {
          const performance: Performance = {
            ...overdue,
            dpd,
            overduePeriods: dpd > 0 ? Math.max(1, periods) : 0,
            overduePrincipalMinor: dpd > 0 ? principal : 0n,
            totalOverdueMinor: dpd > 0 ? principal + 100n : 0n,
            overduePrincipal31to60Minor: dpd > 30 && dpd <= 60 ? principal : 0n,
            overduePrincipalOver180Minor: dpd > 180 ? principal : 0n,
          };
          const record = accountRecord({
            code: '30',
            rptDate: localDate('2026-02-28'),
            loan,
            performance,
            specials: [],
          });
          return validateRecord(record).length === 0;
        },
      ),
    );
  });

  it('asks for the borrower’s identity in the file', () => {
    expect(identityFailures(undefined).map((f) => f.rule)).toEqual(['I0000101']);
    expect(identityFailures({ name: '张三', idType: '10', idNum: '' }).map((f) => f.field)).toEqual([
      'IDNum',
    ]);
    expect(identityFailures({ name: '张三', idType: '10', idNum: '110101199003070017' })).toEqual([]);
  });

  it('checks a 220 record for its credit-limit segment', () => {
    const line = lineRecord(
      {
        contractCode: 'CL-1',
        mngmtOrgCode: 'B10000000000FQ',
        amountMinor: 5_000_000n,
        effectiveDate: localDate('2026-01-10'),
        expiryDate: localDate('2027-01-10'),
        revolving: true,
        active: true,
      },
      localDate('2026-01-15'),
      '10',
    );
    expect(line.segments.CreditLimSgmt).toMatchObject({
      CreditLimType: '10',
      LimLoopFlg: '1',
      CreditLim: '50000',
    });
    expect(validateRecord(line)).toEqual([]);
    expect(
      validateRecord({ ...line, segments: { CtrctBsSgmt: line.segments.CtrctBsSgmt } }).map((f) => f.rule),
    ).toEqual(['R2200101']);
  });
});

describe('yuan and repayment modes', () => {
  it.each([
    [0n, '0'],
    [49n, '0'],
    [50n, '1'],
    [149n, '1'],
    [150n, '2'],
    [300_000n, '3000'],
    [-150n, '-2'],
  ])('writes %i fen as %s yuan, half up', (minor, text) => {
    expect(yuan(minor)).toBe(text);
  });
  it('maps each method to a mode and a frequency', () => {
    expect(repayModeOf('equal_installment')).toEqual({ mode: '11', frequency: '03' });
    expect(repayModeOf('equal_principal')).toEqual({ mode: '12', frequency: '03' });
    expect(repayModeOf('bullet')).toEqual({ mode: '21', frequency: '07' });
  });
});
