import type { Decimal } from 'decimal.js';
import type { Frequency } from '../date/frequency.ts';
import { periodsPerYear } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import { daysBetween } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { termCountMax } from '../schedule/validate.ts';
import type { IrrWork, TimedAmount } from './irr.ts';
import { IrrDecimal, irrWork, npvEvaluationsMax, solveDiscountFactor } from './irr.ts';

// Annualized-rate disclosure, PBOC announcement 〔2021〕 No. 3: the rate comes from the borrower's
// actual cash flows — every amount received and every amount paid, interest and fees alike — as
// an IRR. Three figures are reported:
//   periodic — the IRR per period;
//   simple   — periodic × periods per year (the 单利 figure the announcement asks to label);
//   irr      — the compound annual rate (1 + periodic)^k − 1.
// Irregular dates use an XIRR on actual days with 365-day years (as spreadsheet XIRR does).

export interface AnnualizedRates {
  readonly periodic: Decimal;
  readonly simple: Decimal;
  /** The compound annual rate. */
  readonly irr: Decimal;
}

export interface PeriodicCashflows {
  readonly frequency: Frequency;
  /** Received by the borrower at time 0 (after any deducted fee). */
  readonly receivedMinor: bigint;
  /** Paid by the borrower at the end of periods 1, 2, …; zero for a period without a payment. */
  readonly paymentsMinor: readonly bigint[];
}

/** A dated flow from the borrower's point of view: positive received, negative paid. */
export interface DatedCashflow {
  readonly date: LocalDate;
  readonly amountMinor: bigint;
}

export const xirrYearDays = 365;

/**
 * The most cash flows one disclosure takes: the amount received plus one payment per installment of
 * the longest loan the platform quotes (termCountMax). Every exact NPV evaluation is linear in the
 * flows, so this and npvEvaluationsMax bound the work of any accepted request.
 */
export const cashflowsMax = termCountMax + 1;
/** Regular-period payments: every flow but the amount received. */
export const paymentsMax = cashflowsMax - 1;

/** An amount at the solver's working precision (an exact integer of any size would slow every step). */
function amountOf(minor: bigint): Decimal {
  return new IrrDecimal(minor.toString()).toSignificantDigits();
}

/** `work`, when given, receives the solver's counts (tests bound them; see irr.ts). */
export function annualizedRates(
  flows: PeriodicCashflows,
  work: IrrWork = irrWork(),
): Result<AnnualizedRates> {
  const issues = periodicIssues(flows);
  if (issues.length > 0) return failed(issues);
  const timed: TimedAmount[] = [{ time: 0, amount: amountOf(-flows.receivedMinor) }];
  for (const [index, payment] of flows.paymentsMinor.entries()) {
    timed.push({ time: index + 1, amount: amountOf(payment) });
  }
  const { v } = solveDiscountFactor(timed, work);
  if (v === undefined) return failed([notFound('payments')]);
  const periodic = new IrrDecimal(1).div(v).minus(1);
  return ok(fromPeriodic(periodic, flows.frequency));
}

/** Validated flows always have an IRR; this is the solver's budget running out instead of looping. */
function notFound(path: string): Issue {
  return issue(
    'irr_not_found',
    path,
    `no IRR found within ${npvEvaluationsMax} exact NPV evaluations of the cash flows`,
  );
}

function periodicIssues(flows: PeriodicCashflows): Issue[] {
  // Refused before anything is read, so an oversized list costs nothing.
  if (flows.paymentsMinor.length > paymentsMax)
    return [issue('cashflows_invalid', 'payments', `at most ${paymentsMax} payments`)];
  const issues: Issue[] = [];
  if (flows.receivedMinor <= 0n)
    issues.push(issue('cashflows_invalid', 'received', 'received must be above zero'));
  if (flows.paymentsMinor.length === 0)
    issues.push(issue('cashflows_invalid', 'payments', 'payments must not be empty'));
  for (const [index, payment] of flows.paymentsMinor.entries()) {
    if (payment < 0n)
      issues.push(issue('cashflows_invalid', `payments[${index}]`, 'a payment must not be negative'));
  }
  if (flows.paymentsMinor.length > 0 && flows.paymentsMinor.every((payment) => payment <= 0n)) {
    issues.push(issue('cashflows_invalid', 'payments', 'at least one payment must be above zero'));
  }
  return issues;
}

function fromPeriodic(periodic: Decimal, frequency: Frequency): AnnualizedRates {
  const k = periodsPerYear(frequency);
  const perYear = new IrrDecimal(k.num.toString()).div(k.den.toString());
  return {
    periodic,
    simple: periodic.times(perYear),
    irr: periodic.plus(1).pow(perYear).minus(1),
  };
}

/**
 * XIRR: the effective annual rate r with Σ flow_i / (1 + r)^(days_i / 365) = 0, solved exactly as
 * a daily discount factor (integer powers), plus the periodic and simple figures for `frequency`.
 */
export function annualizedRatesDated(
  flows: readonly DatedCashflow[],
  frequency: Frequency,
  work: IrrWork = irrWork(),
): Result<AnnualizedRates> {
  if (flows.length > cashflowsMax)
    return failed([issue('cashflows_invalid', 'cashflows', `at most ${cashflowsMax} cash flows`)]);
  const netted = netByDate(flows);
  const issues = datedIssues(netted);
  if (issues.length > 0) return failed(issues);
  const first = netted[0];
  if (first === undefined) return failed([issue('cashflows_invalid', 'cashflows', 'no cash flows')]);
  const timed = netted.map((flow) => ({
    time: daysBetween(first.date, flow.date),
    amount: amountOf(-flow.amountMinor),
  }));
  const { v } = solveDiscountFactor(timed, work);
  if (v === undefined) return failed([notFound('cashflows')]);
  const growthPerDay = new IrrDecimal(1).div(v);
  const irr = growthPerDay.pow(xirrYearDays).minus(1);
  const k = periodsPerYear(frequency);
  const perYear = new IrrDecimal(k.num.toString()).div(k.den.toString());
  const periodic = irr.plus(1).pow(new IrrDecimal(1).div(perYear)).minus(1);
  return ok({ periodic, simple: periodic.times(perYear), irr });
}

export function xirr(flows: readonly DatedCashflow[]): Result<Decimal> {
  const rates = annualizedRatesDated(flows, { kind: 'monthly' });
  return rates.ok ? ok(rates.value.irr) : rates;
}

function netByDate(flows: readonly DatedCashflow[]): DatedCashflow[] {
  const byDate = new Map<LocalDate, bigint>();
  for (const flow of flows) byDate.set(flow.date, (byDate.get(flow.date) ?? 0n) + flow.amountMinor);
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, amountMinor]) => ({ date, amountMinor }));
}

function datedIssues(flows: readonly DatedCashflow[]): Issue[] {
  const firstPaid = flows.findIndex((flow) => flow.amountMinor < 0n);
  const lastReceived = flows.findLastIndex((flow) => flow.amountMinor > 0n);
  if (firstPaid < 0 || lastReceived < 0) {
    return [
      issue(
        'cashflows_invalid',
        'cashflows',
        'needs an amount received (positive) and an amount paid (negative)',
      ),
    ];
  }
  if (lastReceived > firstPaid) {
    return [
      issue('cashflows_invalid', 'cashflows', 'every amount received must be dated before every amount paid'),
    ];
  }
  return [];
}
