import type { Frequency, RepaymentMethod } from '@fenqi/core';
import { assert, currencyByCode, parseLocalDate } from '@fenqi/core';
import { isDecimalFraction } from './format.ts';

// Everything a loan contract says, already decided: the loans module builds it from the order,
// the pinned product version, the quote (schedule and rates), the funders' shares and the
// borrower's acceptance. The renderer computes nothing of the loan itself; it only checks that the
// figures it is given agree with one another (a mismatch is a bug, so it is an assertion).
// Money is bigint minor units (fen); rates are decimal fraction strings ("0.2399" is 23.99 %).

export interface ContractFunder {
  /** The funder's legal name as it appears in the contract. */
  readonly name: string;
  readonly kind: 'own' | 'bank' | 'investor_pool';
  /** Share of the principal in basis points; the shares of one loan sum to 10000. */
  readonly shareBp: number;
  readonly principalMinor: bigint;
}

export interface ContractBorrower {
  readonly name: string;
  /** Masked as everywhere else (JR/T 0171-2020): `110***********123X`. */
  readonly idNumberMasked: string;
  /** `138****5678`. */
  readonly phoneMasked: string;
}

export interface ContractMerchant {
  readonly legalName: string;
  /** The merchant's scenario code (education, travel, …); known codes render in Chinese. */
  readonly scenario: string;
}

export interface ContractProduct {
  readonly code: string;
  /** The product's Chinese name. */
  readonly name: string;
  readonly version: number;
}

/** The price as the product states it: an annual interest rate, or a fee rate per period (手续费率). */
export interface ContractPrice {
  readonly kind: 'annual_rate' | 'period_fee_rate';
  readonly rate: string;
}

export interface ContractInstallment {
  readonly number: number;
  /** YYYY-MM-DD */
  readonly dueDate: string;
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feeMinor: bigint;
  readonly totalMinor: bigint;
  /** Outstanding principal once this installment is paid. */
  readonly balanceMinor: bigint;
}

export interface ContractTotals {
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feeMinor: bigint;
  readonly totalMinor: bigint;
}

export interface ContractConsent {
  /** A stable code of the consent text, e.g. `credit_report_query`. */
  readonly code: string;
  readonly title: string;
  readonly version: string;
  readonly text: string;
}

export interface ContractAcceptance {
  /**
   * The instant the borrower accepted, rendered in Beijing time; null for the preview a borrower
   * reads before accepting (marked as such on the contract, which is not in force).
   */
  readonly acceptedAt: Date | null;
  /** Who accepted, as the contract names them (the borrower's name). */
  readonly acceptedBy: string;
  /** How the acceptance was verified, e.g. `短信验证码（138****5678）`. */
  readonly verification: string;
}

export interface ContractData {
  readonly contractNumber: string;
  /** YYYY-MM-DD; also the PDF's creation date, so the same data renders the same bytes. */
  readonly signingDate: string;
  /** The platform's legal name: the lender of record. */
  readonly lenderName: string;
  readonly funders: readonly ContractFunder[];
  readonly borrower: ContractBorrower;
  /** The merchant paid on the borrower's behalf; null for a cash drawdown. */
  readonly merchant: ContractMerchant | null;
  readonly product: ContractProduct;
  readonly purpose: string;
  /**
   * The borrower's principal (LoanTerms.principalMinor): the cash drawn or the price financed,
   * before a financed up-front fee is added — the schedule amortizes this plus that fee.
   */
  readonly principalMinor: bigint;
  /** What the borrower (or the merchant for them) receives: principal less a deducted up-front fee. */
  readonly disbursedMinor: bigint;
  readonly upfrontFeeMinor: bigint;
  readonly upfrontFeeMode: 'deducted' | 'financed';
  /** ISO 4217, e.g. CNY. */
  readonly currency: string;
  readonly method: RepaymentMethod;
  readonly frequency: Frequency;
  readonly termCount: number;
  readonly firstDueDate: string;
  readonly lastDueDate: string;
  readonly price: ContractPrice;
  /** PBOC 2021 No. 3: both annualized figures from the borrower's actual cash flows. */
  readonly annualizedRates: {
    /** 单利: the periodic IRR × periods per year. */
    readonly simple: string;
    /** 复利: (1 + periodic IRR)^(periods per year) − 1. */
    readonly irr: string;
  };
  readonly totals: ContractTotals;
  readonly installments: readonly ContractInstallment[];
  readonly penalty: {
    /** Annual penalty rate on overdue amounts (the contract rate + 30–50 %). */
    readonly annualRate: string;
    /** Days after a due date before an unpaid installment is overdue. */
    readonly graceDays: number;
  };
  readonly prepayment: {
    readonly allowed: boolean;
    /** Fee as a fraction of the principal prepaid. */
    readonly feeRate: string;
    /** Installments that must have been paid before a prepayment; 0 for none. */
    readonly minTermsPaid: number;
  };
  readonly coolingOffDays: number;
  readonly consents: readonly ContractConsent[];
  readonly acceptance: ContractAcceptance;
}

/** Limits on the free texts, so a layout bug cannot be fed an unbounded string. */
export const contractTextLengthMax = 200;
export const consentTextLengthMax = 4000;
export const contractConsentsMax = 20;
export const contractFundersMax = 10;
/** The longest schedule the platform quotes (core termCountMax). */
export const contractInstallmentsMax = 360;

function checkText(text: string, path: string, lengthMax = contractTextLengthMax): void {
  assert(text.trim().length > 0, `contract: ${path} is empty`);
  assert(text.length <= lengthMax, `contract: ${path} is longer than ${lengthMax}`);
}

function checkDate(text: string, path: string): void {
  assert(parseLocalDate(text) !== undefined, `contract: ${path} is not a YYYY-MM-DD date`);
}

function checkRate(text: string, path: string): void {
  assert(isDecimalFraction(text), `contract: ${path} is not a decimal fraction`);
}

function checkAmount(minor: bigint, path: string): void {
  assert(minor >= 0n, `contract: ${path} is negative`);
}

/**
 * The figures must agree: every installment's parts add up to its total, the installments add up
 * to the totals, and the first and last due dates are the schedule's. A mismatch is a bug in the
 * caller, never bad input from a person.
 */
export function checkContractData(data: ContractData): void {
  checkText(data.contractNumber, 'contractNumber', 64);
  checkDate(data.signingDate, 'signingDate');
  checkText(data.lenderName, 'lenderName');
  checkText(data.borrower.name, 'borrower.name');
  checkText(data.borrower.idNumberMasked, 'borrower.idNumberMasked');
  checkText(data.borrower.phoneMasked, 'borrower.phoneMasked');
  if (data.merchant !== null) {
    checkText(data.merchant.legalName, 'merchant.legalName');
    checkText(data.merchant.scenario, 'merchant.scenario');
  }
  checkText(data.product.code, 'product.code');
  checkText(data.product.name, 'product.name');
  assert(Number.isInteger(data.product.version) && data.product.version > 0, 'contract: product.version');
  checkText(data.purpose, 'purpose');
  assert(currencyByCode(data.currency) !== undefined, `contract: unknown currency ${data.currency}`);
  checkAmount(data.upfrontFeeMinor, 'upfrontFeeMinor');
  assert(data.principalMinor > 0n, 'contract: principalMinor must be above zero');
  const deducted = data.upfrontFeeMode === 'deducted' ? data.upfrontFeeMinor : 0n;
  assert(
    data.disbursedMinor === data.principalMinor - deducted,
    'contract: disbursed ≠ principal − deducted fee',
  );
  checkFunders(data);
  checkRate(data.price.rate, 'price.rate');
  checkRate(data.annualizedRates.simple, 'annualizedRates.simple');
  checkRate(data.annualizedRates.irr, 'annualizedRates.irr');
  checkRate(data.penalty.annualRate, 'penalty.annualRate');
  checkRate(data.prepayment.feeRate, 'prepayment.feeRate');
  assert(Number.isInteger(data.penalty.graceDays) && data.penalty.graceDays >= 0, 'contract: graceDays');
  assert(
    Number.isInteger(data.prepayment.minTermsPaid) && data.prepayment.minTermsPaid >= 0,
    'contract: prepayment.minTermsPaid',
  );
  assert(Number.isInteger(data.coolingOffDays) && data.coolingOffDays >= 0, 'contract: coolingOffDays');
  checkSchedule(data);
  assert(data.consents.length <= contractConsentsMax, `contract: at most ${contractConsentsMax} consents`);
  for (const [index, consent] of data.consents.entries()) {
    checkText(consent.code, `consents[${index}].code`);
    checkText(consent.title, `consents[${index}].title`);
    checkText(consent.version, `consents[${index}].version`);
    checkText(consent.text, `consents[${index}].text`, consentTextLengthMax);
  }
  assert(
    data.acceptance.acceptedAt === null || Number.isFinite(data.acceptance.acceptedAt.getTime()),
    'contract: acceptance.acceptedAt',
  );
  checkText(data.acceptance.acceptedBy, 'acceptance.acceptedBy');
  checkText(data.acceptance.verification, 'acceptance.verification');
}

function checkFunders(data: ContractData): void {
  assert(data.funders.length > 0, 'contract: no funder');
  assert(data.funders.length <= contractFundersMax, `contract: at most ${contractFundersMax} funders`);
  let sharesBp = 0;
  for (const [index, funder] of data.funders.entries()) {
    checkText(funder.name, `funders[${index}].name`);
    assert(Number.isInteger(funder.shareBp) && funder.shareBp > 0, `contract: funders[${index}].shareBp`);
    checkAmount(funder.principalMinor, `funders[${index}].principalMinor`);
    sharesBp += funder.shareBp;
  }
  assert(sharesBp === 10000, 'contract: funder shares do not sum to 100 %');
}

function checkSchedule(data: ContractData): void {
  const installments = data.installments;
  assert(installments.length > 0, 'contract: no installment');
  assert(
    installments.length <= contractInstallmentsMax,
    `contract: at most ${contractInstallmentsMax} installments`,
  );
  // A bullet loan is repaid in one installment whatever its tenor (termCount periods).
  assert(
    installments.length === (data.method === 'bullet' ? 1 : data.termCount),
    'contract: termCount ≠ number of installments',
  );
  checkDate(data.firstDueDate, 'firstDueDate');
  checkDate(data.lastDueDate, 'lastDueDate');
  const sum = { principalMinor: 0n, interestMinor: 0n, feeMinor: 0n, totalMinor: 0n };
  let previousDue = '';
  for (const [index, row] of installments.entries()) {
    const path = `installments[${index}]`;
    assert(row.number === index + 1, `contract: ${path}.number`);
    checkDate(row.dueDate, `${path}.dueDate`);
    assert(row.dueDate > previousDue, `contract: ${path}.dueDate is not after the previous one`);
    previousDue = row.dueDate;
    for (const amount of [row.principalMinor, row.interestMinor, row.feeMinor, row.balanceMinor]) {
      checkAmount(amount, path);
    }
    assert(
      row.principalMinor + row.interestMinor + row.feeMinor === row.totalMinor,
      `contract: ${path} parts do not add up to its total`,
    );
    sum.principalMinor += row.principalMinor;
    sum.interestMinor += row.interestMinor;
    sum.feeMinor += row.feeMinor;
    sum.totalMinor += row.totalMinor;
  }
  assert(installments[0]?.dueDate === data.firstDueDate, 'contract: firstDueDate is not the first due date');
  assert(installments.at(-1)?.dueDate === data.lastDueDate, 'contract: lastDueDate is not the last due date');
  assert(installments.at(-1)?.balanceMinor === 0n, 'contract: the last installment leaves a balance');
  const totals = data.totals;
  const financedFee = data.upfrontFeeMode === 'financed' ? data.upfrontFeeMinor : 0n;
  assert(
    totals.principalMinor === data.principalMinor + financedFee,
    'contract: the schedule does not amortize the principal (plus a financed fee)',
  );
  assert(
    sum.principalMinor === totals.principalMinor &&
      sum.interestMinor === totals.interestMinor &&
      sum.feeMinor === totals.feeMinor &&
      sum.totalMinor === totals.totalMinor,
    'contract: the installments do not add up to the totals',
  );
}
