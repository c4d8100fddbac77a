import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accrualDays, basisDays } from '../date/day-count.ts';
import type { LocalDate } from '../date/local-date.ts';
import { addDays, localDate } from '../date/local-date.ts';
import { divideRounded } from '../money/rounding.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { Installment, Schedule } from '../schedule/schedule.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import { mustBuild } from '../schedule/schedule-test-support.ts';
import type { LoanTerms } from '../schedule/terms.ts';
import { loanTermsArb } from '../testing/arbitraries.ts';
import { accrualFormula, accruedInterestTo, dailyAccrual } from './accrual.ts';

// 12,000.00 at 12 % over 3 months from 2025-01-15 (the payoff example): installment 1 carries
// 120.00 of interest over the 31 days to 2025-02-15.
const loan = mustBuild({
  method: 'equal_installment',
  principalMinor: 1_200_000n,
  annualRate: new Decimal('0.12'),
  termCount: 3,
});
const first = installmentOf(loan, 1);

function installmentOf(schedule: Schedule, number: number): Installment {
  const found = schedule.installments.find((installment) => installment.number === number);
  if (found === undefined) throw new Error(`no installment ${number}`);
  return found;
}

function daysOf(installment: Installment): LocalDate[] {
  const days: LocalDate[] = [];
  for (let date = installment.periodStart; date <= installment.dueDate; date = addDays(date, 1))
    days.push(date);
  return days;
}

/** The rule as the brief states it, written out independently of accrual.ts. */
function expectedAccrued(terms: LoanTerms, installment: Installment, asOf: LocalDate): bigint {
  if (asOf >= installment.dueDate) return installment.interestMinor;
  const k = accrualDays(installment.periodStart, asOf, terms.dayCount);
  const periodDays = accrualDays(installment.periodStart, installment.dueDate, terms.dayCount);
  if (k <= 0 || periodDays <= 0) return 0n;
  if (k >= periodDays) return installment.interestMinor;
  let share: bigint;
  if (terms.interestPeriod === 'per_period') {
    share = divideRounded(installment.interestMinor * BigInt(k), BigInt(periodDays), terms.rounding);
  } else {
    const annual = rationalFromDecimal(terms.annualRate);
    const opening = installment.balanceMinor + installment.principalMinor;
    share = divideRounded(
      opening * annual.num * BigInt(k),
      annual.den * BigInt(basisDays(terms.dayCount)),
      terms.rounding,
    );
  }
  return share < installment.interestMinor ? share : installment.interestMinor;
}

/** The pre-servicing payoff rule (payoff-quote.ts accruedPart), for asOf before the due date. */
function payoffRuleBefore(terms: LoanTerms, installment: Installment, asOf: LocalDate) {
  const elapsed = BigInt(accrualDays(installment.periodStart, asOf, terms.dayCount));
  const periodDays = BigInt(accrualDays(installment.periodStart, installment.dueDate, terms.dayCount));
  if (elapsed <= 0n || periodDays <= 0n) return { interestMinor: 0n, feeMinor: 0n };
  if (elapsed >= periodDays)
    return { interestMinor: installment.interestMinor, feeMinor: installment.feeMinor };
  const feeMinor = divideRounded(installment.feeMinor * elapsed, periodDays, terms.rounding);
  if (terms.interestPeriod === 'per_period') {
    return {
      interestMinor: divideRounded(installment.interestMinor * elapsed, periodDays, terms.rounding),
      feeMinor,
    };
  }
  const annual = rationalFromDecimal(terms.annualRate);
  const opening = installment.balanceMinor + installment.principalMinor;
  const basis = BigInt(basisDays(terms.dayCount));
  return {
    interestMinor: divideRounded(opening * annual.num * elapsed, annual.den * basis, terms.rounding),
    feeMinor,
  };
}

function capAt(amount: bigint, cap: bigint): bigint {
  return amount > cap ? cap : amount;
}

const schedules = loanTermsArb({ termCountMax: 12 })
  .map((terms) => buildSchedule(terms))
  .filter((built) => built.ok)
  .map((built) => {
    if (!built.ok) throw new Error('filtered');
    return built.value;
  });

describe('accruedInterestTo', () => {
  it('accrues 15 of 31 days of 120.00 by 2025-01-30: 58.06', () => {
    expect(accruedInterestTo(loan.terms, first, localDate('2025-01-30'))).toEqual({
      interestMinor: 5_806n,
      feeMinor: 0n,
    });
  });

  it('is nothing on the period start and the whole installment from the due date on', () => {
    expect(accruedInterestTo(loan.terms, first, first.periodStart).interestMinor).toBe(0n);
    expect(accruedInterestTo(loan.terms, first, localDate('2025-02-15')).interestMinor).toBe(12_000n);
    expect(accruedInterestTo(loan.terms, first, localDate('2025-06-01')).interestMinor).toBe(12_000n);
  });

  it('accrues an actual-day loan as opening balance × annual × days / basis: 10,000.00 at 18 % for 10 days is 50.00', () => {
    const bullet = mustBuild({
      method: 'bullet',
      principalMinor: 1_000_000n,
      annualRate: new Decimal('0.18'),
      termCount: 3,
    });
    const only = installmentOf(bullet, 1);
    expect(accruedInterestTo(bullet.terms, only, localDate('2025-01-25')).interestMinor).toBe(5_000n);
  });

  it('equals the accrual formula on every date of every period, for every method, day count and rounding', () => {
    fc.assert(
      fc.property(schedules, (schedule) => {
        for (const installment of schedule.installments) {
          for (const date of daysOf(installment)) {
            const accrued = accruedInterestTo(schedule.terms, installment, date).interestMinor;
            expect(accrued).toBe(expectedAccrued(schedule.terms, installment, date));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the payoff rule before the due date, capped at the installment interest', () => {
    fc.assert(
      fc.property(schedules, (schedule) => {
        for (const installment of schedule.installments) {
          for (const date of daysOf(installment).slice(0, -1)) {
            const before = payoffRuleBefore(schedule.terms, installment, date);
            // The cap (never more than the installment bills) is the only change from the payoff rule.
            const capped = capAt(before.interestMinor, installment.interestMinor);
            expect(accruedInterestTo(schedule.terms, installment, date)).toEqual({
              interestMinor: capped,
              feeMinor: before.feeMinor,
            });
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never accrues past the installment interest: 200.00 at 3 % over 4 months, last_interest, actual-day', () => {
    // The level last installment carries 0.11, while its opening balance of 50.20 earns 0.12 in 29
    // of its 30 days; uncapped, May 14 would accrue 0.12 and May 15 would take back 0.01.
    const schedule = mustBuild({
      method: 'equal_installment',
      principalMinor: 20_000n,
      annualRate: new Decimal('0.03'),
      termCount: 4,
      interestPeriod: 'daily',
      remainder: 'last_interest',
    });
    const last = installmentOf(schedule, 4);
    expect([last.principalMinor, last.interestMinor]).toEqual([5_020n, 11n]);
    expect(accruedInterestTo(schedule.terms, last, localDate('2025-05-14')).interestMinor).toBe(11n);
    expect(dailyAccrual(schedule.terms, last, localDate('2025-05-15'))).toBe(0n);
  });
});

describe('accrualFormula', () => {
  it('is the scheduled interest over the period days for per-period interest', () => {
    expect(accrualFormula(loan.terms, first)).toEqual({
      numeratorMinor: 12_000n,
      denominator: 31n,
      periodDays: 31,
    });
  });

  it('is the opening balance × annual rate over the basis for actual-day interest', () => {
    const daily = mustBuild({
      method: 'daily',
      principalMinor: 1_000_000n,
      annualRate: new Decimal('0.1825'),
      termCount: 2,
      dayCount: 'ACT_365',
    });
    // 10,000.00 × 1825/10000 over 365: 73/4 per 365 after lowest terms (annual = 73/400).
    expect(accrualFormula(daily.terms, installmentOf(daily, 1))).toEqual({
      numeratorMinor: 1_000_000n * 73n,
      denominator: 400n * 365n,
      periodDays: 31,
    });
  });
});

describe('dailyAccrual', () => {
  it('earns 3.87 on the first day of 120.00 over 31 days and nothing outside the period', () => {
    expect(dailyAccrual(loan.terms, first, localDate('2025-01-16'))).toBe(387n);
    expect(dailyAccrual(loan.terms, first, first.periodStart)).toBe(0n);
    expect(dailyAccrual(loan.terms, first, localDate('2025-02-16'))).toBe(0n);
  });

  it('sums over the period to the installment interest exactly and is never negative', () => {
    fc.assert(
      fc.property(schedules, (schedule) => {
        for (const installment of schedule.installments) {
          let sum = 0n;
          for (const date of daysOf(installment)) {
            const day = dailyAccrual(schedule.terms, installment, date);
            expect(day).toBeGreaterThanOrEqual(0n);
            sum += day;
          }
          expect(sum).toBe(installment.interestMinor);
          expect(dailyAccrual(schedule.terms, installment, addDays(installment.dueDate, 1))).toBe(0n);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('per-period: each day is within one fen of interest × accrual days of the day / period days', () => {
    // |round(I·k/D) − round(I·(k−Δk)/D) − I·Δk/D| is below one fen: each rounding is off by less
    // than a half (half_up), or by less than one in one direction (down, up). half_even rounds an
    // exact half either way, so it can reach one fen exactly — but only when Δk ≥ 2 (two halves
    // differ by an integer, and I/D an integer leaves no halves). Δk is 1 every calendar day under
    // ACT; under 30E/360 the 31st adds no day and the end of February adds two or three.
    const perPeriod = loanTermsArb({ termCountMax: 12 })
      .filter((terms) => terms.interestPeriod === 'per_period')
      .map((terms) => buildSchedule(terms))
      .filter((built) => built.ok);
    fc.assert(
      fc.property(perPeriod, (built) => {
        if (!built.ok) return;
        const { terms } = built.value;
        for (const installment of built.value.installments) {
          const periodDays = BigInt(
            accrualDays(installment.periodStart, installment.dueDate, terms.dayCount),
          );
          if (periodDays <= 0n) continue;
          for (const date of daysOf(installment).slice(1)) {
            const step = BigInt(accrualDays(addDays(date, -1), date, terms.dayCount));
            const off =
              dailyAccrual(terms, installment, date) * periodDays - installment.interestMinor * step;
            const distance = off < 0n ? -off : off;
            if (terms.rounding === 'half_even' && step >= 2n)
              expect(distance).toBeLessThanOrEqual(periodDays);
            else expect(distance).toBeLessThan(periodDays);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('half_even can land a whole fen off where 30E/360 adds two days: 0.15 over 30 days on 29 February 2024', () => {
    // 18.00 at 10 % interest-first: 0.15 a month. 2024-02-29 counts as day 30, two accrual days
    // after the 28th: 0.15 × 21/30 = 10.5 and 0.15 × 19/30 = 9.5 both round to 10, so the day earns
    // nothing against the 0.01 its two days are worth.
    const schedule = mustBuild({
      method: 'interest_first',
      principalMinor: 1_800n,
      annualRate: new Decimal('0.1'),
      termCount: 2,
      dayCount: '30_360',
      rounding: 'half_even',
      startDate: localDate('2024-01-09'),
    });
    const second = installmentOf(schedule, 2);
    expect([second.periodStart, second.dueDate, second.interestMinor]).toEqual([
      '2024-02-09',
      '2024-03-09',
      15n,
    ]);
    expect(dailyAccrual(schedule.terms, second, localDate('2024-02-29'))).toBe(0n);
  });

  it('books a 30E/360 period of no accrual days (the 30th to the 31st) whole on its due date', () => {
    const schedule = mustBuild({
      method: 'equal_principal',
      principalMinor: 3_000_000n,
      annualRate: new Decimal('0.36'),
      termCount: 3,
      frequency: { kind: 'days', days: 1 },
      dayCount: '30_360',
      startDate: localDate('2025-01-29'),
    });
    const zeroDays = installmentOf(schedule, 2);
    expect([zeroDays.periodStart, zeroDays.dueDate]).toEqual(['2025-01-30', '2025-01-31']);
    expect(accrualFormula(schedule.terms, zeroDays).periodDays).toBe(0);
    // 20,000.00 outstanding at 36 % / 360 for the one-day period: 20.00.
    expect(zeroDays.interestMinor).toBe(2_000n);
    expect(dailyAccrual(schedule.terms, zeroDays, zeroDays.dueDate)).toBe(2_000n);
  });
});
