import { localDate } from '../date/local-date.ts';
import { formatMinor } from '../money/amount.ts';
import type { Schedule } from './schedule.ts';
import { buildSchedule } from './schedule.ts';
import type { LoanTermsInput } from './terms.ts';
import { loanTerms } from './terms.ts';

// Shared by the schedule tests: build a schedule that must be valid, and print rows as the
// published examples do (principal, interest, fee, total in yuan).

export const testStart = localDate('2025-01-15');

export function mustBuild(
  input: Partial<LoanTermsInput> & Pick<LoanTermsInput, 'method' | 'principalMinor' | 'termCount'>,
): Schedule {
  const built = buildSchedule(loanTerms({ startDate: testStart, ...input }));
  if (!built.ok) throw new Error(`unexpected issues: ${JSON.stringify(built.issues)}`);
  return built.value;
}

export function yuanRows(schedule: Schedule): string[][] {
  return schedule.installments.map((i) => [
    formatMinor(i.principalMinor, 2),
    formatMinor(i.interestMinor, 2),
    formatMinor(i.feeMinor, 2),
    formatMinor(i.totalMinor, 2),
  ]);
}
