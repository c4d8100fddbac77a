import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert.ts';
import { addDays, dateFromParts, daysInMonth, localDate } from '../date/local-date.ts';
import { ageOn, checkAgeWindow, residentIdCheck, residentIdCheckCharacter } from './resident-id.ts';

const asOf = localDate('2026-12-01');

/** 17 digits and their check character. */
function withCheck(first17: string): string {
  const check = residentIdCheckCharacter(first17);
  if (check === undefined) throw new Error(`not 17 digits: ${first17}`);
  return first17 + check;
}

describe('the check character (ISO 7064 MOD 11-2)', () => {
  it('is X for the worked example of GB 11643-1999', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
  });

  it('gives every character of 10X98765432 for some 17 digits', () => {
    const seen = new Set<string>();
    for (let sequence = 0; sequence < 200; sequence += 1)
      seen.add(residentIdCheckCharacter(`110105194912310${String(sequence % 100).padStart(2, '0')}`) ?? '');
    expect([...seen].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X']);
  });

  it('is undefined for anything but 17 digits', () => {
    for (const text of [
      '',
      '1101051949123100',
      '110105194912310021',
      '1101051949123100a',
      '１１０１０５１９４９１２３１００２',
    ])
      expect(residentIdCheckCharacter(text)).toBeUndefined();
  });
});

describe('residentIdCheck', () => {
  it('accepts the worked example: born 1949-12-31, female, region 110105', () => {
    expect(residentIdCheck('11010519491231002X', asOf)).toEqual({
      ok: true,
      birthDate: '1949-12-31',
      sex: 'female',
      regionCode: '110105',
    });
  });

  it('reads the sex from the 17th digit: odd is male', () => {
    expect(residentIdCheck(withCheck('44030519900101001'), asOf)).toMatchObject({ ok: true, sex: 'male' });
    expect(residentIdCheck(withCheck('44030519900101002'), asOf)).toMatchObject({ ok: true, sex: 'female' });
  });

  it.each([
    ['', 'format'],
    ['11010519491231002', 'format'],
    ['11010519491231002XX', 'format'],
    ['11010519491231002x', 'format'],
    [' 11010519491231002X', 'format'],
    ['1101051949123100 X', 'format'],
    ['X10105194912310021', 'format'],
  ])('refuses %j as format', (value, reason) => {
    expect(residentIdCheck(value, asOf)).toEqual({ ok: false, reason });
  });

  it('names the expected character when the check character is wrong', () => {
    expect(residentIdCheck('110105194912310021', asOf)).toEqual({
      ok: false,
      reason: 'check_character',
      expected: 'X',
    });
  });

  it.each([
    ['11010519490230001', 'no 30 February'],
    ['11010519491301001', 'no month 13'],
    ['11010519491200001', 'no day 0'],
    ['11010518991231001', 'before 1900'],
    ['11010520230229001', 'no 29 February in 2023'],
  ])('refuses %s as birth_date_invalid (%s)', (first17) => {
    expect(residentIdCheck(withCheck(first17), asOf)).toEqual({ ok: false, reason: 'birth_date_invalid' });
  });

  it('accepts 29 February of a leap year and a birth on the business date itself', () => {
    expect(residentIdCheck(withCheck('11010520000229001'), asOf)).toMatchObject({ ok: true });
    expect(residentIdCheck(withCheck('11010520261201001'), asOf)).toMatchObject({
      ok: true,
      birthDate: '2026-12-01',
    });
  });

  it('refuses a birth date after the business date as birth_date_future', () => {
    expect(residentIdCheck(withCheck('11010520261202001'), asOf)).toEqual({
      ok: false,
      reason: 'birth_date_future',
    });
  });

  it.each([
    ['00010519491231002', 'no province 00'],
    ['16010519491231002', 'no province 16'],
    ['83010519491231002', 'no province 83'],
    ['91010519491231002', 'no province 91'],
    ['11000019491231002', 'a province code without city or county'],
  ])('refuses %s as region_unknown (%s)', (first17) => {
    expect(residentIdCheck(withCheck(first17), asOf)).toEqual({ ok: false, reason: 'region_unknown' });
  });

  it('accepts every province-level prefix of GB/T 2260', () => {
    const prefixes = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46];
    for (const prefix of [...prefixes, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82])
      expect(residentIdCheck(withCheck(`${prefix}010219800101001`), asOf).ok).toBe(true);
  });
});

const provinces = ['11', '15', '21', '23', '31', '37', '41', '46', '50', '54', '61', '65', '71', '81', '82'];

/** The first 17 digits of a valid number: a province, a non-zero city/county, a past birth date, a sequence. */
const first17Arb = fc
  .record({
    province: fc.constantFrom(...provinces),
    county: fc.integer({ min: 1, max: 9999 }),
    year: fc.integer({ min: 1900, max: 2026 }),
    month: fc.integer({ min: 1, max: 11 }),
    day: fc.integer({ min: 1, max: 31 }),
    sequence: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ province, county, year, month, day, sequence }) => {
    const birth = dateFromParts(year, month, Math.min(day, daysInMonth(year, month))).replaceAll('-', '');
    return `${province}${String(county).padStart(4, '0')}${birth}${String(sequence).padStart(3, '0')}`;
  });

const idCharacters = '0123456789X';

describe('residentIdCheck properties', () => {
  it('accepts any valid 17 digits followed by their computed check character', () => {
    fc.assert(
      fc.property(first17Arb, (first17) => {
        const result = residentIdCheck(withCheck(first17), asOf);
        expect(result.ok).toBe(true);
      }),
    );
  });

  it('passes the check stage for any 17 digits whatever their meaning', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (first17) => {
        const result = residentIdCheck(withCheck(first17), asOf);
        if (!result.ok)
          expect(['birth_date_invalid', 'birth_date_future', 'region_unknown']).toContain(result.reason);
      }),
    );
  });

  it('refuses every single-character change of a valid number', () => {
    fc.assert(
      fc.property(
        first17Arb,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 10 }),
        (first17, position, shift) => {
          const valid = withCheck(first17);
          const original = valid[position] ?? '';
          const replacement =
            idCharacters[(idCharacters.indexOf(original) + shift) % idCharacters.length] ?? '';
          const changed = valid.slice(0, position) + replacement + valid.slice(position + 1);
          const result = residentIdCheck(changed, asOf);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(['format', 'check_character']).toContain(result.reason);
        },
      ),
    );
  });
});

describe('ageOn', () => {
  it('counts whole years: the day before the birthday is still the younger age', () => {
    expect(ageOn(localDate('2000-06-15'), localDate('2018-06-14'))).toBe(17);
    expect(ageOn(localDate('2000-06-15'), localDate('2018-06-15'))).toBe(18);
    expect(ageOn(localDate('2000-06-15'), localDate('2018-12-31'))).toBe(18);
    expect(ageOn(localDate('2000-06-15'), localDate('2000-06-15'))).toBe(0);
  });

  it('counts a 29 February birthday on 1 March in a year without 29 February', () => {
    const leapling = localDate('2008-02-29');
    expect(ageOn(leapling, localDate('2026-02-28'))).toBe(17);
    expect(ageOn(leapling, localDate('2026-03-01'))).toBe(18);
    expect(ageOn(leapling, localDate('2028-02-28'))).toBe(19);
    expect(ageOn(leapling, localDate('2028-02-29'))).toBe(20);
  });

  it('crashes on a birth date after asOf: a validated ID never has one', () => {
    expect(() => ageOn(localDate('2026-12-02'), asOf)).toThrow(AssertionError);
  });

  it('grows by exactly one on each birthday (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 0, max: 40_000 }),
        (birthDay, days) => {
          const birth = addDays(localDate('1900-01-01'), birthDay);
          const on = addDays(birth, days);
          const age = ageOn(birth, on);
          expect(age).toBeGreaterThanOrEqual(0);
          expect(age).toBeLessThanOrEqual(Math.floor(days / 365));
          expect(age).toBeGreaterThanOrEqual(Math.floor(days / 366));
        },
      ),
    );
  });
});

describe('checkAgeWindow', () => {
  const window = { min: 18, max: 60 };

  it('accepts both bounds inclusive and names the side it refuses', () => {
    const birth = localDate('1966-12-01');
    expect(checkAgeWindow(birth, localDate('1984-11-30'), window)).toEqual({
      ok: false,
      reason: 'under_min',
      age: 17,
    });
    expect(checkAgeWindow(birth, localDate('1984-12-01'), window)).toEqual({ ok: true, age: 18 });
    expect(checkAgeWindow(birth, localDate('2027-11-30'), window)).toEqual({ ok: true, age: 60 });
    expect(checkAgeWindow(birth, localDate('2027-12-01'), window)).toEqual({
      ok: false,
      reason: 'over_max',
      age: 61,
    });
  });

  it('crashes on a window with min above max (a configuration bug)', () => {
    expect(() => checkAgeWindow(localDate('1990-01-01'), asOf, { min: 61, max: 60 })).toThrow(AssertionError);
  });
});
