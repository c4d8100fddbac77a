import { assert } from '../assert.ts';

// The debtor's wall time. The conduct rules (quiet hours, "per day" limits) are in the debtor's
// local time, not the server's: an IANA zone (default Asia/Shanghai, UTC+8 all year) turned into a
// local date and minute of the day with Intl, so a zone with daylight saving moves with it.

export const defaultCollectionsTimeZone = 'Asia/Shanghai';

export type LocalClock = {
  /** The local calendar date, YYYY-MM-DD: what "today" means for the per-day limits. */
  date: string;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
};

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** Whether Intl knows the zone (an unknown one is refused where it is entered, never guessed). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localClock(instant: Date, timeZone: string = defaultCollectionsTimeZone): LocalClock {
  assert(!Number.isNaN(instant.getTime()), 'localClock: an invalid instant');
  const parts: Record<string, string> = {};
  for (const part of formatFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minuteOfDay: hour * 60 + minute };
}

/** `HH:MM` as minutes of the day; undefined when it is not a time. */
export function minuteOfDay(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

export function formatMinuteOfDay(minute: number): string {
  assert(Number.isInteger(minute) && minute >= 0 && minute < 1440, 'formatMinuteOfDay: 0–1439');
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
