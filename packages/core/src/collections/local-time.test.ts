import { describe, expect, it } from 'vitest';
import { formatMinuteOfDay, isTimeZone, localClock, minuteOfDay } from './local-time.ts';

describe('localClock', () => {
  it('reads Shanghai time by default (UTC+8, no daylight saving)', () => {
    expect(localClock(new Date('2026-03-10T14:30:00Z'))).toEqual({
      date: '2026-03-10',
      minuteOfDay: 22 * 60 + 30,
    });
    expect(localClock(new Date('2026-03-10T16:00:00Z'))).toEqual({ date: '2026-03-11', minuteOfDay: 0 });
  });

  it('follows a zone’s daylight saving', () => {
    expect(localClock(new Date('2026-01-15T12:00:00Z'), 'America/New_York').minuteOfDay).toBe(7 * 60);
    expect(localClock(new Date('2026-07-15T12:00:00Z'), 'America/New_York').minuteOfDay).toBe(8 * 60);
  });

  it('knows IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('Asia/Urumqi')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('minuteOfDay', () => {
  it('parses HH:MM and refuses anything else', () => {
    expect(minuteOfDay('08:00')).toBe(480);
    expect(minuteOfDay('23:59')).toBe(1439);
    expect(minuteOfDay('24:00')).toBeUndefined();
    expect(minuteOfDay('8:00')).toBeUndefined();
    expect(formatMinuteOfDay(1320)).toBe('22:00');
  });
});
