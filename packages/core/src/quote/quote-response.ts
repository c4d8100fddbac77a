import { Decimal } from 'decimal.js';
import type { AnnualizedRates } from '../apr/annualized.ts';
import { formatMinor } from '../money/amount.ts';
import type { Schedule } from '../schedule/schedule.ts';

// The quote as the API and CLI return it: every amount a decimal string in major units with exactly
// the currency's places, every rate a decimal string with 10 places.

export interface QuoteInstallment {
  readonly number: number;
  readonly dueDate: string;
  readonly principal: string;
  readonly interest: string;
  readonly fee: string;
  readonly total: string;
  /** Outstanding principal after this installment. */
  readonly balance: string;
}

export interface QuoteTotals {
  readonly principal: string;
  readonly interest: string;
  readonly fee: string;
  readonly total: string;
}

export interface QuoteApr {
  /** IRR per period. */
  readonly periodic: string;
  /** periodic × periods per year (单利). */
  readonly simple: string;
  /** Compound annual rate (1 + periodic)^k − 1 (PBOC 2021 No. 3 IRR figure). */
  readonly irr: string;
}

export interface QuoteResponse {
  /** The regular installment total, or null when installments vary by method. */
  readonly payment: string | null;
  readonly installments: readonly QuoteInstallment[];
  readonly totals: QuoteTotals;
  readonly apr: QuoteApr;
  /** The amount paid out: principal less a deducted up-front fee. */
  readonly disbursed: string;
}

export const rateDecimalPlaces = 10;

export function formatRate(rate: Decimal): string {
  return rate.toFixed(rateDecimalPlaces, Decimal.ROUND_HALF_UP);
}

export function toAprResponse(rates: AnnualizedRates): QuoteApr {
  return {
    periodic: formatRate(rates.periodic),
    simple: formatRate(rates.simple),
    irr: formatRate(rates.irr),
  };
}

export function toQuoteResponse(schedule: Schedule, rates: AnnualizedRates): QuoteResponse {
  const digits = schedule.terms.currency.minorDigits;
  const money = (minor: bigint): string => formatMinor(minor, digits);
  return {
    payment: schedule.paymentMinor === null ? null : money(schedule.paymentMinor),
    installments: schedule.installments.map((installment) => ({
      number: installment.number,
      dueDate: installment.dueDate,
      principal: money(installment.principalMinor),
      interest: money(installment.interestMinor),
      fee: money(installment.feeMinor),
      total: money(installment.totalMinor),
      balance: money(installment.balanceMinor),
    })),
    totals: {
      principal: money(schedule.totals.principalMinor),
      interest: money(schedule.totals.interestMinor),
      fee: money(schedule.totals.feeMinor),
      total: money(schedule.totals.totalMinor),
    },
    apr: toAprResponse(rates),
    disbursed: money(schedule.disbursedMinor),
  };
}
