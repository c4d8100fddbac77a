import type { LoanShare } from '../funding/service.ts';
import type { Merchant } from '../merchants/service.ts';
import type { ContractData } from './contract/index.ts';
import type { Priced } from './pricing.ts';

// What a loan's contract says, from what origination decided: the quote under the pinned product
// version, the funders' shares, the parties and the acceptance. The renderer computes nothing.

/** The lender of record named in every contract (the platform's operating company). */
export const lenderName = 'Fenqi 消费金融服务平台（演示）';

/** The consent texts a loan contract carries, with the catalogue versions the borrower accepted. */
const consentTexts = [
  {
    code: 'loan_contract',
    title: '借款合同条款确认',
    version: '1',
    text: '借款人已阅读并理解本合同全部条款，特别是利率、费用、逾期罚息、提前还款及冷静期条款，自愿签署本合同。',
  },
  {
    code: 'card_debit_authorization',
    title: '代扣授权',
    version: '1',
    text: '借款人授权贷款人在每期还款日通过借款人绑定的银行卡代扣当期应还款项；扣款失败不免除借款人的还款义务。',
  },
] as const;

export type ContractInput = {
  contractNo: string;
  signedOn: string;
  borrower: { name: string; idNumberMasked: string; phoneMasked: string };
  merchant: Merchant | undefined;
  priced: Priced;
  shares: readonly (LoanShare & { funderName?: string })[];
  purpose: string;
  /** Null: the preview read before accepting (contract/contract-data.ts). */
  acceptedAt: Date | null;
};

export function contractDataFor(input: ContractInput): ContractData {
  const { schedule, terms, version, rates } = input.priced;
  const product = version.product;
  const price = product.prices.find((p) => p.grade === input.priced.grade);
  if (price === undefined) throw new Error(`no price for grade ${input.priced.grade}`);
  const first = schedule.installments[0];
  const last = schedule.installments.at(-1);
  if (first === undefined || last === undefined) throw new Error('a schedule without installments');
  return {
    contractNumber: input.contractNo,
    signingDate: input.signedOn,
    lenderName,
    funders: input.shares.map((share) => ({
      name: share.funderName ?? share.funderCode,
      kind: share.funderKind,
      shareBp: share.shareBp,
      principalMinor: share.principalMinor,
    })),
    borrower: input.borrower,
    merchant: input.merchant
      ? { legalName: input.merchant.legalName, scenario: input.merchant.scenario }
      : null,
    product: { code: version.code, name: product.name.zh, version: version.version },
    purpose: input.purpose.slice(0, 200) || '个人消费',
    principalMinor: terms.principalMinor,
    disbursedMinor: schedule.disbursedMinor,
    upfrontFeeMinor: terms.upfrontFeeMinor,
    upfrontFeeMode: terms.upfrontFeeMode,
    currency: terms.currency.code,
    method: terms.method,
    frequency: terms.frequency,
    termCount: terms.termCount,
    firstDueDate: first.dueDate,
    lastDueDate: last.dueDate,
    price: { kind: price.kind, rate: price.rate.toString() },
    annualizedRates: { simple: rates.simple.toFixed(10), irr: rates.irr.toFixed(10) },
    totals: { ...schedule.totals },
    installments: schedule.installments.map((i) => ({
      number: i.number,
      dueDate: i.dueDate,
      principalMinor: i.principalMinor,
      interestMinor: i.interestMinor,
      feeMinor: i.feeMinor,
      totalMinor: i.totalMinor,
      balanceMinor: i.balanceMinor,
    })),
    penalty: {
      annualRate: (terms.penaltyRate ?? terms.annualRate.mul('1.5')).toFixed(10),
      graceDays: product.graceDays,
    },
    prepayment: {
      allowed: product.prepayment.allowed,
      feeRate: product.prepayment.feeRate.toFixed(4),
      minTermsPaid: product.prepayment.minTermsPaid,
    },
    coolingOffDays: product.coolingOffDays,
    consents: consentTexts,
    acceptance: {
      acceptedAt: input.acceptedAt,
      acceptedBy: input.borrower.name,
      verification: `登录手机号（${input.borrower.phoneMasked}）验证`,
    },
  };
}
