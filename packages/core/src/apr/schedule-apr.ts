import type { Result } from '../issue.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { AnnualizedRates, DatedCashflow } from './annualized.ts';
import { annualizedRates, annualizedRatesDated } from './annualized.ts';
import type { IrrWork } from './irr.ts';
import { irrWork } from './irr.ts';

// The APR of a quote comes from the borrower's actual cash flows: the amount disbursed to them
// (principal less a deducted fee — a merchant discount is not theirs and does not count) and every
// installment total. Regular dates give a periodic IRR; a broken first period gives an XIRR.

/** `work`, when given, receives the solver's counts. */
export function scheduleApr(schedule: Schedule, work: IrrWork = irrWork()): Result<AnnualizedRates> {
  const terms = schedule.terms;
  if (schedule.regularDates) {
    // One slot per regular period (termCount of them), whether or not something falls due in it.
    const payments = new Array<bigint>(terms.termCount).fill(0n);
    for (const installment of schedule.installments) {
      const index = installment.number - 1;
      // A bullet loan's one installment falls on the last of its termCount regular dates.
      const slot = terms.method === 'bullet' ? payments.length - 1 : index;
      payments[slot] = (payments[slot] ?? 0n) + installment.totalMinor;
    }
    return annualizedRates(
      {
        frequency: terms.frequency,
        receivedMinor: schedule.disbursedMinor,
        paymentsMinor: payments,
      },
      work,
    );
  }
  const flows: DatedCashflow[] = [{ date: terms.startDate, amountMinor: schedule.disbursedMinor }];
  for (const installment of schedule.installments) {
    flows.push({ date: installment.dueDate, amountMinor: -installment.totalMinor });
  }
  return annualizedRatesDated(flows, terms.frequency, work);
}
