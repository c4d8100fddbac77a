import type { Result } from '../issue.ts';
import { dueDates } from '../schedule/periods.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { AnnualizedRates, DatedCashflow } from './annualized.ts';
import { annualizedRates, annualizedRatesDated } from './annualized.ts';

// The APR of a quote comes from the borrower's actual cash flows: the amount disbursed to them
// (principal less a deducted fee — a merchant discount is not theirs and does not count) and every
// installment total. Regular dates give a periodic IRR; a broken first period gives an XIRR.

export function scheduleApr(schedule: Schedule): Result<AnnualizedRates> {
  const terms = schedule.terms;
  if (schedule.regularDates) {
    const payments = dueDates(terms).map(() => 0n);
    for (const installment of schedule.installments) {
      const index = installment.number - 1;
      // A bullet loan's one installment falls on the last of its termCount regular dates.
      const slot = terms.method === 'bullet' ? payments.length - 1 : index;
      payments[slot] = (payments[slot] ?? 0n) + installment.totalMinor;
    }
    return annualizedRates({
      frequency: terms.frequency,
      receivedMinor: schedule.disbursedMinor,
      paymentsMinor: payments,
    });
  }
  const flows: DatedCashflow[] = [{ date: terms.startDate, amountMinor: schedule.disbursedMinor }];
  for (const installment of schedule.installments) {
    flows.push({ date: installment.dueDate, amountMinor: -installment.totalMinor });
  }
  return annualizedRatesDated(flows, terms.frequency);
}
