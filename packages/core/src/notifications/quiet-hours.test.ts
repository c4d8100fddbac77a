import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inQuietHours, localPartsOf, quietHoursRelease } from './quiet-hours.ts';

// Asia/Shanghai is UTC+8 all year: 22:00 local is 14:00Z, 08:00 local is 00:00Z.
const shanghai = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);

describe('quiet hours in Asia/Shanghai', () => {
  it('lets a message go at 21:59:59 local', () => {
    const now = at('2026-03-10T13:59:59.999Z');
    expect(inQuietHours(now, shanghai)).toBe(false);
    expect(quietHoursRelease(now, shanghai)).toEqual(now);
  });

  it('holds a message at 22:00 local until 08:00 the next morning', () => {
    expect(quietHoursRelease(at('2026-03-10T14:00:00Z'), shanghai)).toEqual(at('2026-03-11T00:00:00Z'));
  });

  it('holds a message at 23:30 local on the last day of the month until 08:00 on the 1st', () => {
    expect(quietHoursRelease(at('2026-02-28T15:30:00Z'), shanghai)).toEqual(at('2026-03-01T00:00:00Z'));
  });

  it('holds a message at 00:10 local until 08:00 the same day', () => {
    expect(quietHoursRelease(at('2026-03-10T16:10:00Z'), shanghai)).toEqual(at('2026-03-11T00:00:00Z'));
  });

  it('holds a message at 07:59:59 local until 08:00 that morning', () => {
    expect(quietHoursRelease(at('2026-03-10T23:59:59Z'), shanghai)).toEqual(at('2026-03-11T00:00:00Z'));
  });

  it('lets a message go at 08:00 local', () => {
    const now = at('2026-03-11T00:00:00Z');
    expect(inQuietHours(now, shanghai)).toBe(false);
    expect(quietHoursRelease(now, shanghai)).toEqual(now);
  });
});

describe('quiet hours in a zone with daylight saving', () => {
  it('releases at 08:00 New York time across the spring-forward night (EST to EDT)', () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT: 23:00 EST on the 7th is 04:00Z; 08:00 EDT is 12:00Z.
    expect(quietHoursRelease(at('2026-03-08T04:00:00Z'), 'America/New_York')).toEqual(
      at('2026-03-08T12:00:00Z'),
    );
  });

  it('releases at 08:00 Berlin time across the autumn night (CEST to CET)', () => {
    // 2026-10-25 03:00 CEST falls back to 02:00 CET: 22:30 CEST on the 24th is 20:30Z; 08:00 CET is 07:00Z.
    expect(quietHoursRelease(at('2026-10-24T20:30:00Z'), 'Europe/Berlin')).toEqual(
      at('2026-10-25T07:00:00Z'),
    );
  });
});

describe('quietHoursRelease, for any instant', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Adelaide', 'Asia/Kolkata'];
  const instants = fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2060-01-01T00:00:00Z'),
    noInvalidDate: true,
  });

  it('is never before now, never in the quiet hours, and within 10 hours', () => {
    fc.assert(
      fc.property(instants, fc.constantFrom(...zones), (now, zone) => {
        const release = quietHoursRelease(now, zone);
        expect(release.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(inQuietHours(release, zone)).toBe(false);
        expect(release.getTime() - now.getTime()).toBeLessThanOrEqual(10 * 3_600_000 + 3_600_000);
      }),
    );
  });

  it('is 08:00:00 local whenever it defers', () => {
    fc.assert(
      fc.property(instants, fc.constantFrom(...zones), (now, zone) => {
        fc.pre(inQuietHours(now, zone));
        const local = localPartsOf(quietHoursRelease(now, zone), zone);
        expect([local.hour, local.minute, local.second]).toEqual([8, 0, 0]);
      }),
    );
  });
});
