import { isLastDayOfMonth, type LocalDate, parseLocalDate } from '../date/local-date.ts';
import type { AccountRecord, BureauRecord, Fields, LineRecord } from './segments.ts';
import { isNegativeStatus, rptDateCodes, rpyStatuses } from './status.ts';

// Pre-submit validation: the checks the bureau's intake runs on a record, applied before the file
// is written, so a record the bureau would refuse is held back with its rule instead. Every failing
// rule of a record is listed (not only the first). Rule codes:
//   R21001xx  the segment-presence rules of the 个人借贷账户信息记录 (the bureau's own rule codes);
//   I00001/2/5/7xx  the bureau's format rules (mandatory items, types, report date not earlier than
//             the record's dates, repeated groups);
//   FQ…       consistency rules of this reporter, from the meaning of the items (an overdue status
//             has overdue periods; a closed account has a close date and no balance; …).

export type RuleFailure = {
  rule: string;
  /** The segment (element name) the failure is about. */
  segment: string;
  field?: string;
  message: { 'zh-CN': string; en: string };
};

type Rule = {
  code: string;
  zh: string;
  en: string;
  check: (record: AccountRecord, fail: (segment: string, field?: string) => void) => void;
};

const has = (record: AccountRecord, segment: string) =>
  (record.segments as Record<string, unknown>)[segment] !== undefined;
const codeOf = (record: AccountRecord) => record.segments.AcctBsSgmt.RptDateCode;
const typeOf = (record: AccountRecord) => record.segments.AcctBsSgmt.AcctType;

function requires(
  code: string,
  when: (r: AccountRecord) => boolean,
  segments: readonly string[] | ((r: AccountRecord) => readonly string[]),
  zh: string,
  en: string,
): Rule {
  return {
    code,
    zh,
    en,
    check: (record, fail) => {
      if (!when(record)) return;
      const wanted = typeof segments === 'function' ? segments(record) : segments;
      for (const segment of wanted) if (!has(record, segment)) fail(segment);
    },
  };
}

function forbids(
  code: string,
  when: (r: AccountRecord) => boolean,
  segments: readonly string[],
  zh: string,
  en: string,
): Rule {
  return {
    code,
    zh,
    en,
    check: (record, fail) => {
      if (!when(record)) return;
      for (const segment of segments) if (has(record, segment)) fail(segment);
    },
  };
}

const isClosing = (r: AccountRecord) => codeOf(r) === '20' || codeOf(r) === '32';
const amountPattern = /^\d{1,15}$/;
const countPattern = /^\d{1,3}$/;
const amountFields = [
  'LoanAmt',
  'AcctCredLine',
  'AcctBal',
  'TotOverd',
  'OverdPrinc',
  'Oved31_60Princ',
  'Oved61_90Princ',
  'Oved91_180Princ',
  'OvedPrinc180',
  'CurRpyAmt',
  'ActRpyAmt',
  'LatRpyAmt',
];
const dateFields = [
  'RptDate',
  'OpenDate',
  'DueDate',
  'SettDate',
  'FiveCateAdjDate',
  'LatRpyDate',
  'CloseDate',
];
const performanceSegments = ['AcctMthlyBlgInfSgmt', 'AcctDbtInfSgmt'] as const;

function performance(record: AccountRecord): [string, Fields][] {
  return performanceSegments.flatMap((name) => {
    const fields = record.segments[name];
    return fields === undefined ? [] : [[name, fields] as [string, Fields]];
  });
}

const num = (value: string | undefined) => (value === undefined ? 0 : Number(value));

export const accountRules: readonly Rule[] = [
  requires(
    'R2100101',
    (r) => codeOf(r) === '10',
    (r) => ['AcctBsInfSgmt', 'AcctMthlyBlgInfSgmt', ...(typeOf(r) === 'R4' ? ['AcctCredSgmt'] : [])],
    '报告时点说明代码为“10-新开户”时，记录应包含基本信息段；D1/R4 账户还应包含月度表现信息段，R4 账户还应包含授信额度信息段',
    'A new-account record (10) must carry the basic segment, a D1/R4 account also the monthly segment, an R4 account also the credit-line segment',
  ),
  requires(
    'R2100107',
    (r) => codeOf(r) === '30',
    ['AcctMthlyBlgInfSgmt'],
    '报告时点说明代码为“30-月度结算”时，至少应包含月度表现信息段',
    'A month-end record (30) must carry the monthly segment',
  ),
  forbids(
    'R2100108',
    (r) => codeOf(r) === '30',
    ['OrigCreditorInfSgmt', 'AcctDbtInfSgmt', 'SpecPrdSgmt'],
    '报告时点说明代码为“30-月度结算”时，不应包含初始债权说明段、非月度表现信息段、大额专项分期信息段',
    'A month-end record (30) must not carry the original-creditor, non-monthly or special-installment segments',
  ),
  requires(
    'R2100109',
    (r) => codeOf(r) === '40',
    ['AcctDbtInfSgmt'],
    '报告时点说明代码为“40-收回逾期款项”时，至少应包含非月度表现信息段',
    'An overdue-repaid record (40) must carry the non-monthly segment',
  ),
  forbids(
    'R2100110',
    (r) => codeOf(r) === '40',
    [
      'AcctBsInfSgmt',
      'RltRepymtInfSgmt',
      'MotgaCltalCtrctInfSgmt',
      'AcctCredSgmt',
      'OrigCreditorInfSgmt',
      'AcctMthlyBlgInfSgmt',
      'SpecPrdSgmt',
      'AcctSpecTrstDspnSgmt',
    ],
    '报告时点说明代码为“40-收回逾期款项”时，不应包含基本信息段、相关还款责任人段、抵质押物信息段、授信额度信息段、初始债权说明段、月度表现信息段、大额专项分期信息段、特殊交易说明段',
    'An overdue-repaid record (40) must not carry the basic, related-party, collateral, credit-line, original-creditor, monthly, special-installment or special-transaction segments',
  ),
  requires(
    'R2100111',
    isClosing,
    ['AcctMthlyBlgInfSgmt'],
    '报告时点说明代码为“20-账户关闭”（或“32-月结日账户关闭”）时，D1/R4 账户应包含月度表现信息段',
    'A closing record (20 or 32) of a D1/R4 account must carry the monthly segment',
  ),
  forbids(
    'R2100112',
    isClosing,
    ['OrigCreditorInfSgmt', 'AcctDbtInfSgmt', 'SpecPrdSgmt'],
    '报告时点说明代码为“20-账户关闭”（或“32-月结日账户关闭”）时，不应包含初始债权说明段、非月度表现信息段、大额专项分期信息段',
    'A closing record (20 or 32) must not carry the original-creditor, non-monthly or special-installment segments',
  ),
  {
    code: 'I0000101',
    zh: 'M 型数据项不能为空值且不能为空格',
    en: 'A mandatory item must not be empty or blank',
    check: (record, fail) => {
      const base = record.segments.AcctBsSgmt;
      for (const field of ['InfRecType', 'AcctType', 'AcctCode', 'RptDate', 'RptDateCode', 'MngmtOrgCode'])
        if ((base[field] ?? '').trim() === '') fail('AcctBsSgmt', field);
      const monthly = record.segments.AcctMthlyBlgInfSgmt;
      if (monthly !== undefined)
        for (const field of ['Month', 'SettDate', 'AcctStatus', 'AcctBal', 'RpyStatus', 'FiveCate'])
          if ((monthly[field] ?? '').trim() === '') fail('AcctMthlyBlgInfSgmt', field);
    },
  },
  {
    code: 'I0000201',
    zh: '数据项的值应符合类型规定：枚举值在代码表中，日期为 YYYY-MM-DD，金额为不超过 15 位的非负整数（元）',
    en: 'Each item must have its type: an enumerated code from its table, a YYYY-MM-DD date, an amount as a non-negative whole number of yuan of up to 15 digits',
    check: (record, fail) => {
      const base = record.segments.AcctBsSgmt;
      if (base.InfRecType !== undefined && base.InfRecType !== '210') fail('AcctBsSgmt', 'InfRecType');
      if (base.AcctType !== undefined && base.AcctType !== 'D1' && base.AcctType !== 'R4')
        fail('AcctBsSgmt', 'AcctType');
      if (base.RptDateCode !== undefined && !(rptDateCodes as readonly string[]).includes(base.RptDateCode))
        fail('AcctBsSgmt', 'RptDateCode');
      if (base.AcctCode !== undefined && base.AcctCode.length > 60) fail('AcctBsSgmt', 'AcctCode');
      if (
        base.MngmtOrgCode !== undefined &&
        base.MngmtOrgCode !== '' &&
        !/^[0-9A-Z]{14}$/.test(base.MngmtOrgCode)
      )
        fail('AcctBsSgmt', 'MngmtOrgCode');
      const segments: [string, Fields][] = [
        ['AcctBsSgmt', base],
        ...(record.segments.AcctBsInfSgmt
          ? [['AcctBsInfSgmt', record.segments.AcctBsInfSgmt] as [string, Fields]]
          : []),
        ...performance(record),
      ];
      for (const [name, fields] of segments) {
        for (const field of dateFields)
          if (fields[field] !== undefined && parseLocalDate(fields[field]) === undefined) fail(name, field);
        for (const field of amountFields)
          if (fields[field] !== undefined && !amountPattern.test(fields[field])) fail(name, field);
        for (const field of ['RemRepPrd', 'OverdPrd', 'RepayPrd'])
          if (fields[field] !== undefined && !countPattern.test(fields[field])) fail(name, field);
        if (fields.RpyStatus !== undefined && !(rpyStatuses as readonly string[]).includes(fields.RpyStatus))
          fail(name, 'RpyStatus');
        if (fields.FiveCate !== undefined && !/^[1-59]$/.test(fields.FiveCate)) fail(name, 'FiveCate');
        if (fields.AcctStatus !== undefined && !/^[1-8]$/.test(fields.AcctStatus)) fail(name, 'AcctStatus');
      }
      const monthly = record.segments.AcctMthlyBlgInfSgmt;
      if (monthly?.Month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(monthly.Month))
        fail('AcctMthlyBlgInfSgmt', 'Month');
      for (const trade of record.segments.AcctSpecTrstDspnSgmt?.CagOfTrdInf ?? []) {
        if (!['4', '5', '11', '15'].includes(trade.ChanTranType ?? ''))
          fail('AcctSpecTrstDspnSgmt', 'ChanTranType');
        if (parseLocalDate(trade.TranDate ?? '') === undefined) fail('AcctSpecTrstDspnSgmt', 'TranDate');
        if (!amountPattern.test(trade.TranAmt ?? '')) fail('AcctSpecTrstDspnSgmt', 'TranAmt');
        if ((trade.DetInfo ?? '').length > 200) fail('AcctSpecTrstDspnSgmt', 'DetInfo');
      }
    },
  },
  {
    code: 'I0000501',
    zh: '信息报告日期应不早于同一条记录中的开户日期、结算日期、最近一次还款日期、账户关闭日期、五级分类认定日期和交易日期',
    en: 'The report date must not be earlier than the record’s opening, settlement, last-repayment, close, classification or transaction dates',
    check: (record, fail) => {
      const rptDate = record.segments.AcctBsSgmt.RptDate ?? '';
      if (parseLocalDate(rptDate) === undefined) return;
      const later = (name: string, fields: Fields | undefined, names: readonly string[]) => {
        for (const field of names) {
          const value = fields?.[field];
          if (value !== undefined && parseLocalDate(value) !== undefined && value > rptDate)
            fail(name, field);
        }
      };
      later('AcctBsInfSgmt', record.segments.AcctBsInfSgmt, ['OpenDate']);
      for (const [name, fields] of performance(record))
        later(name, fields, ['SettDate', 'LatRpyDate', 'CloseDate', 'FiveCateAdjDate']);
      for (const trade of record.segments.AcctSpecTrstDspnSgmt?.CagOfTrdInf ?? [])
        later('AcctSpecTrstDspnSgmt', trade, ['TranDate']);
    },
  },
  {
    code: 'I0000701',
    zh: '对于一组可出现多次的数据项：交易信息，其出现次数必须与其个数相匹配',
    en: 'The number of special transactions must match CagOfTrdNm',
    check: (record, fail) => {
      const special = record.segments.AcctSpecTrstDspnSgmt;
      if (special === undefined) return;
      if (String(special.CagOfTrdInf.length) !== special.CagOfTrdNm || special.CagOfTrdInf.length === 0)
        fail('AcctSpecTrstDspnSgmt', 'CagOfTrdNm');
    },
  },
  {
    code: 'I0000702',
    zh: '对于特定交易说明段中一组可出现多次的数据项，当出现多次时，内容不能重复',
    en: 'Special transactions must not repeat',
    check: (record, fail) => {
      const special = record.segments.AcctSpecTrstDspnSgmt;
      if (special === undefined) return;
      const seen = new Set(special.CagOfTrdInf.map((t) => JSON.stringify(t)));
      if (seen.size !== special.CagOfTrdInf.length) fail('AcctSpecTrstDspnSgmt', 'CagOfTrdInf');
    },
  },
  {
    code: 'FQ-REPORT-DATE',
    zh: '“30-月度结算”和“32-月结日账户关闭”的信息报告日期应为月末，“20-账户关闭”不应为月末；月度表现信息段的结算日期应等于信息报告日期',
    en: 'A 30 or 32 record is dated on a month end and a 20 record is not; the monthly segment’s settlement date is the report date',
    check: (record, fail) => {
      const rptDate = parseLocalDate(record.segments.AcctBsSgmt.RptDate ?? '');
      if (rptDate === undefined) return;
      const code = codeOf(record);
      const monthEnd = isLastDayOfMonth(rptDate as LocalDate);
      if ((code === '30' || code === '32') && !monthEnd) fail('AcctBsSgmt', 'RptDate');
      if (code === '20' && monthEnd) fail('AcctBsSgmt', 'RptDateCode');
      const monthly = record.segments.AcctMthlyBlgInfSgmt;
      if (monthly?.SettDate !== undefined && monthly.SettDate !== rptDate)
        fail('AcctMthlyBlgInfSgmt', 'SettDate');
      if (monthly?.Month !== undefined && monthly.Month !== rptDate.slice(0, 7))
        fail('AcctMthlyBlgInfSgmt', 'Month');
    },
  },
  {
    code: 'FQ-OVERDUE',
    zh: '当前还款状态为 1–7 时，账户状态应为“2-逾期”且当前逾期期数大于 0；为 N 或 * 时，当前逾期期数与当前逾期本金应为 0',
    en: 'An overdue status (1–7) goes with account status 2 and overdue periods above 0; N or * with no overdue periods and no overdue principal',
    check: (record, fail) => {
      for (const [name, fields] of performance(record)) {
        const status = fields.RpyStatus ?? '';
        if (isNegativeStatus(status)) {
          if (num(fields.OverdPrd) < 1) fail(name, 'OverdPrd');
          if (fields.AcctStatus !== '2') fail(name, 'AcctStatus');
        } else if (status === 'N' || status === '*') {
          if (num(fields.OverdPrd) !== 0) fail(name, 'OverdPrd');
          if (num(fields.OverdPrinc) !== 0) fail(name, 'OverdPrinc');
          if (fields.AcctStatus === '2') fail(name, 'AcctStatus');
        }
      }
    },
  },
  {
    code: 'FQ-OVERDUE-AMOUNTS',
    zh: '逾期 31–60、61–90、91–180、180 天以上未归还本金均不应大于当前逾期本金，当前逾期本金不应大于当前逾期总额',
    en: 'Each overdue-principal band is at most the overdue principal, which is at most the total overdue',
    check: (record, fail) => {
      const monthly = record.segments.AcctMthlyBlgInfSgmt;
      if (monthly === undefined) return;
      const principal = num(monthly.OverdPrinc);
      for (const band of ['Oved31_60Princ', 'Oved61_90Princ', 'Oved91_180Princ', 'OvedPrinc180'])
        if (num(monthly[band]) > principal) fail('AcctMthlyBlgInfSgmt', band);
      if (principal > num(monthly.TotOverd)) fail('AcctMthlyBlgInfSgmt', 'OverdPrinc');
    },
  },
  {
    code: 'FQ-CLOSED',
    zh: '账户状态为“3-关闭”时，余额应为 0、当前还款状态应为 C 且应填报账户关闭日期；其他账户状态不应填报账户关闭日期；“20/32”记录的账户状态应为“3-关闭”',
    en: 'A closed account (status 3) has no balance, status C and a close date; no other status has a close date; a 20 or 32 record reports status 3',
    check: (record, fail) => {
      for (const [name, fields] of performance(record)) {
        if (fields.AcctStatus === '3') {
          if (num(fields.AcctBal) !== 0) fail(name, 'AcctBal');
          if (fields.RpyStatus !== 'C') fail(name, 'RpyStatus');
          if (fields.CloseDate === undefined) fail(name, 'CloseDate');
        } else if (fields.CloseDate !== undefined) fail(name, 'CloseDate');
      }
      if (isClosing(record) && record.segments.AcctMthlyBlgInfSgmt?.AcctStatus !== '3')
        fail('AcctMthlyBlgInfSgmt', 'AcctStatus');
    },
  },
];

const lineRules: readonly { code: string; zh: string; en: string; check: (r: LineRecord) => string[] }[] = [
  {
    code: 'I0000101',
    zh: 'M 型数据项不能为空值且不能为空格',
    en: 'A mandatory item must not be empty or blank',
    check: (r) =>
      ['InfRecType', 'ContractCode', 'RptDate', 'RptDateCode', 'MngmtOrgCode'].filter(
        (f) => (r.segments.CtrctBsSgmt[f] ?? '').trim() === '',
      ),
  },
  {
    code: 'R2200101',
    zh: '个人授信协议信息记录为“10-新增授信”时应包含额度信息段',
    en: 'A new credit-line record (10) must carry the credit-limit segment',
    check: (r) =>
      r.segments.CtrctBsSgmt.RptDateCode === '10' && r.segments.CreditLimSgmt === undefined
        ? ['CreditLimSgmt']
        : [],
  },
];

/** Every rule the record fails, each listed with its segment and item. */
export function validateRecord(record: BureauRecord): RuleFailure[] {
  const failures: RuleFailure[] = [];
  if (record.infRecType === '220') {
    for (const rule of lineRules)
      for (const field of rule.check(record))
        failures.push({
          rule: rule.code,
          segment: field === 'CreditLimSgmt' ? field : 'CtrctBsSgmt',
          ...(field === 'CreditLimSgmt' ? {} : { field }),
          message: { 'zh-CN': rule.zh, en: rule.en },
        });
    return failures;
  }
  for (const rule of accountRules) {
    rule.check(record, (segment, field) =>
      failures.push({
        rule: rule.code,
        segment,
        ...(field === undefined ? {} : { field }),
        message: { 'zh-CN': rule.zh, en: rule.en },
      }),
    );
  }
  return failures;
}

/** The identity items a file adds to a record's base segment: each must be present. */
export function identityFailures(
  identity: { name: string; idType: string; idNum: string } | undefined,
): RuleFailure[] {
  const message = {
    'zh-CN': 'M 型数据项不能为空值且不能为空格（借款人姓名、证件类型、证件号码）',
    en: 'The borrower’s name, ID type and ID number must be present',
  };
  if (identity === undefined) return [{ rule: 'I0000101', segment: 'AcctBsSgmt', field: 'Name', message }];
  const failures: RuleFailure[] = [];
  if (identity.name.trim() === '')
    failures.push({ rule: 'I0000101', segment: 'AcctBsSgmt', field: 'Name', message });
  if (identity.idType.trim() === '')
    failures.push({ rule: 'I0000101', segment: 'AcctBsSgmt', field: 'IDType', message });
  if (identity.idNum.trim() === '')
    failures.push({ rule: 'I0000101', segment: 'AcctBsSgmt', field: 'IDNum', message });
  return failures;
}
