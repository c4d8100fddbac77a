import type { RepaymentMethod } from '@fenqi/core';
import { buildSchedule, effectivePenaltyRate, loanTerms, localDate, scheduleApr } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import type { ContractData } from './contract-data.ts';

// A specimen contract with real figures — the schedule and both annualized rates come from core,
// as the loans module's quote does — for the tests, the render benchmark and the docs. Nothing in
// the server's request path uses it.

export interface SampleContractOptions {
  readonly termCount: number;
  readonly principalMinor?: bigint;
  readonly annualRate?: string;
  readonly method?: RepaymentMethod;
  /** Without a merchant the sample is a cash drawdown. */
  readonly merchant?: boolean;
}

export function sampleContractData(options: SampleContractOptions): ContractData {
  const principalMinor = options.principalMinor ?? 1_200_000n;
  const annualRate = new Decimal(options.annualRate ?? '0.18');
  const signingDate = '2026-03-14';
  const terms = loanTerms({
    principalMinor,
    method: options.method ?? 'equal_installment',
    termCount: options.termCount,
    startDate: localDate(signingDate),
    annualRate,
    dayCount: 'ACT_360',
  });
  const schedule = buildSchedule(terms);
  if (!schedule.ok) throw new Error(`sampleContractData: ${JSON.stringify(schedule.issues)}`);
  const rates = scheduleApr(schedule.value);
  if (!rates.ok) throw new Error(`sampleContractData: ${JSON.stringify(rates.issues)}`);
  const installments = schedule.value.installments.map((row) => ({
    number: row.number,
    dueDate: row.dueDate,
    principalMinor: row.principalMinor,
    interestMinor: row.interestMinor,
    feeMinor: row.feeMinor,
    totalMinor: row.totalMinor,
    balanceMinor: row.balanceMinor,
  }));
  const first = installments[0];
  const last = installments.at(-1);
  if (first === undefined || last === undefined) throw new Error('sampleContractData: empty schedule');
  const ownShare = (principalMinor * 7000n) / 10000n;
  return {
    contractNumber: `HTL20260314SAMPLE${String(options.termCount).padStart(3, '0')}`,
    signingDate,
    lenderName: '分期示范消费金融有限公司',
    funders: [
      { name: '分期示范消费金融有限公司', kind: 'own', shareBp: 7000, principalMinor: ownShare },
      {
        name: '示范商业银行股份有限公司',
        kind: 'bank',
        shareBp: 3000,
        principalMinor: principalMinor - ownShare,
      },
    ],
    borrower: { name: '张三', idNumberMasked: '110***********123X', phoneMasked: '138****5678' },
    merchant:
      options.merchant === false ? null : { legalName: '北京示范教育科技有限公司', scenario: 'education' },
    product: { code: 'EDU-EI', name: '教育分期', version: 3 },
    purpose: options.merchant === false ? '个人日常消费' : '支付职业技能培训课程费用',
    principalMinor,
    disbursedMinor: schedule.value.disbursedMinor,
    upfrontFeeMinor: 0n,
    upfrontFeeMode: 'deducted',
    currency: 'CNY',
    method: terms.method,
    frequency: terms.frequency,
    termCount: terms.termCount,
    firstDueDate: first.dueDate,
    lastDueDate: last.dueDate,
    price: { kind: 'annual_rate', rate: annualRate.toString() },
    annualizedRates: {
      simple: rates.value.simple.toDecimalPlaces(6).toString(),
      irr: rates.value.irr.toDecimalPlaces(6).toString(),
    },
    totals: schedule.value.totals,
    installments,
    penalty: { annualRate: effectivePenaltyRate(terms).toString(), graceDays: 3 },
    prepayment: { allowed: true, feeRate: '0.01', minTermsPaid: 1 },
    coolingOffDays: 7,
    consents: [
      {
        code: 'loan_contract',
        title: '个人消费贷款合同条款',
        version: '2026.03',
        text: '借款人已阅读本合同全部条款，理解并接受年化利率、还款计划、逾期罚息及提前还款的约定。',
      },
      {
        code: 'credit_report',
        title: '征信查询及报送授权书',
        version: '2025.11',
        text: '借款人授权贷款人在贷前审查、贷后管理中查询借款人的信用报告，并依法报送借款人的信贷信息。',
      },
      {
        code: 'privacy',
        title: '个人信息处理授权书',
        version: '2026.01',
        text: '借款人同意贷款人为订立和履行本合同所必需，处理借款人的身份、联系方式及银行账户信息。',
      },
    ],
    acceptance: {
      acceptedAt: new Date('2026-03-14T02:21:33Z'),
      acceptedBy: '张三',
      verification: '短信验证码（138****5678）',
    },
  };
}
