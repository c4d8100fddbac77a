// Quiet hours for borrower messages: 22:00 to 08:00 in the recipient's local time, the night in
// which Chinese collection rules allow no contact with a borrower (no 催收 from 22:00 to 08:00).
// Fenqi applies the window to every message but one-time codes, which the borrower has just asked
// for and needs within minutes.
// Wall times are read with Intl (the IANA database), never with the machine's time zone.

export type QuietHours = { startHour: number; endHour: number };

export const quietHoursDefault: QuietHours = { startHour: 22, endHour: 8 };

type LocalParts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone Intl knows (Asia/Shanghai, Europe/Berlin). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of an instant in a zone (seconds precision). */
export function localPartsOf(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
function offsetMs(instant: Date, timeZone: string): number {
  const p = localPartsOf(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (instant.getTime() - instant.getUTCMilliseconds());
}

/**
 * The instant a local wall time (year, month, day, hour:00) happens in a zone. Twice refined so an
 * offset change between the guess and the answer (daylight saving) is followed; a wall time that
 * does not exist (skipped by a DST jump) resolves to the instant just after the jump.
 */
export function instantOfLocal(
  local: { year: number; month: number; day: number; hour: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, 0, 0);
  let guess = wall - offsetMs(new Date(wall), timeZone);
  guess = wall - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** Whether an instant falls in the quiet hours of a zone: [start, 24:00) ∪ [00:00, end). */
export function inQuietHours(now: Date, timeZone: string, hours: QuietHours = quietHoursDefault): boolean {
  const { hour } = localPartsOf(now, timeZone);
  return hours.startHour > hours.endHour
    ? hour >= hours.startHour || hour < hours.endHour
    : hour >= hours.startHour && hour < hours.endHour;
}

/**
 * When a message due now may go out: `now` itself outside the quiet hours, otherwise the next
 * end of the quiet hours (08:00 local) — today's before midnight-to-08:00, tomorrow's after 22:00.
 */
export function quietHoursRelease(now: Date, timeZone: string, hours: QuietHours = quietHoursDefault): Date {
  if (!inQuietHours(now, timeZone, hours)) return now;
  const local = localPartsOf(now, timeZone);
  // The calendar day of the next end: tomorrow when the local hour is at or past the end hour.
  const day = new Date(
    Date.UTC(local.year, local.month - 1, local.day + (local.hour >= hours.endHour ? 1 : 0)),
  );
  return instantOfLocal(
    { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: hours.endHour },
    timeZone,
  );
}
