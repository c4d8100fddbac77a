import type { DateString } from '../../platform/tables.ts';

// Settlement dates are the channel's calendar days (its statement's time zone), not Fenqi's
// business date: a statement covers what the channel finished on that local day.

/** The calendar date in `timeZone` at the instant `at`. */
export function dateIn(timeZone: string, at: Date): DateString {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The day before the calendar date in `timeZone` at `at`: the statement the daily job imports. */
export function previousDateIn(timeZone: string, at: Date): DateString {
  const today = dateIn(timeZone, at);
  const noon = new Date(`${today}T12:00:00Z`);
  noon.setUTCDate(noon.getUTCDate() - 1);
  return noon.toISOString().slice(0, 10);
}
