import { assert } from '../assert.ts';
import type { LocalDate } from '../date/local-date.ts';
import { dateParts, parseLocalDate } from '../date/local-date.ts';

// The 18-character resident identity number of GB 11643-1999 (公民身份号码):
//   positions 1–6   the address code of GB/T 2260 (province, city, county);
//   positions 7–14  the birth date YYYYMMDD;
//   positions 15–17 the sequence code, the 17th digit odd for men and even for women;
//   position 18     the ISO 7064 MOD 11-2 check character, 0–9 or X (upper case, as the standard
//                   writes it: callers normalise what people type before asking).
// The business date to check the birth date against is passed in; this module reads no clock.

export type ResidentIdCheck =
  | {
      readonly ok: true;
      readonly birthDate: LocalDate;
      readonly sex: 'male' | 'female';
      /** The 6-digit address code. */
      readonly regionCode: string;
    }
  | {
      readonly ok: false;
      readonly reason: ResidentIdFailure;
      /** For `check_character`: the character the first 17 digits call for. */
      readonly expected?: string;
    };

export const residentIdFailures = [
  'format',
  'check_character',
  'birth_date_invalid',
  'birth_date_future',
  'region_unknown',
] as const;
export type ResidentIdFailure = (typeof residentIdFailures)[number];

/** ISO 7064 MOD 11-2 weights 2^(18−i) mod 11 for positions 1–17, and the character for each remainder. */
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const checkCharacters = '10X98765432';

/** The birth year the standard's numbers start from (GB 11643 replaced 15-digit numbers of the 1980s). */
export const residentIdBirthYearMin = 1900;

/**
 * Province-level prefixes of GB/T 2260: 11–15 north, 21–23 north-east, 31–37 east, 41–46
 * centre-south, 50–54 south-west, 61–65 north-west, 71 Taiwan, 81 Hong Kong, 82 Macau.
 */
const provincePrefixes: ReadonlySet<string> = new Set([
  ...['11', '12', '13', '14', '15'],
  ...['21', '22', '23'],
  ...['31', '32', '33', '34', '35', '36', '37'],
  ...['41', '42', '43', '44', '45', '46'],
  ...['50', '51', '52', '53', '54'],
  ...['61', '62', '63', '64', '65'],
  ...['71', '81', '82'],
]);

const first17Pattern = /^\d{17}$/;
const residentIdPattern = /^\d{17}[\dX]$/;

/** The MOD 11-2 check character of 17 digits, or undefined when `first17` is not 17 digits. */
export function residentIdCheckCharacter(first17: string): string | undefined {
  if (!first17Pattern.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (first17.charCodeAt(i) - 48) * (weights[i] ?? 0);
  return checkCharacters[sum % 11];
}

/**
 * Checks an 18-character resident ID number as of the business date `asOf`: its form, check
 * character, birth date (a real date from 1900, not after `asOf`) and province-level region. The
 * first failing check, in that order, is the reason.
 */
export function residentIdCheck(value: string, asOf: LocalDate): ResidentIdCheck {
  if (!residentIdPattern.test(value)) return { ok: false, reason: 'format' };
  const expected = residentIdCheckCharacter(value.slice(0, 17));
  assert(expected !== undefined, 'residentIdCheck: the pattern guarantees 17 digits');
  if (value[17] !== expected) return { ok: false, reason: 'check_character', expected };
  const birthDate = parseLocalDate(`${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`);
  if (birthDate === undefined || dateParts(birthDate).year < residentIdBirthYearMin)
    return { ok: false, reason: 'birth_date_invalid' };
  if (birthDate > asOf) return { ok: false, reason: 'birth_date_future' };
  const regionCode = value.slice(0, 6);
  // A province's own code (110000) is never an address code on an ID: a city or county part is.
  if (!provincePrefixes.has(regionCode.slice(0, 2)) || regionCode.slice(2) === '0000')
    return { ok: false, reason: 'region_unknown' };
  const sex = (value.charCodeAt(16) - 48) % 2 === 1 ? 'male' : 'female';
  return { ok: true, birthDate, sex, regionCode };
}

/**
 * Age in whole years on `asOf`. Someone born on 29 February turns a year older on 1 March in a
 * year without a 29 February (the comparison of month and day below gives that by itself: 28
 * February is before the birthday, 1 March after it), as Chinese civil practice counts it.
 */
export function ageOn(birthDate: LocalDate, asOf: LocalDate): number {
  assert(birthDate <= asOf, 'ageOn: the birth date is after asOf');
  const birth = dateParts(birthDate);
  const on = dateParts(asOf);
  const beforeBirthday = on.month < birth.month || (on.month === birth.month && on.day < birth.day);
  return on.year - birth.year - (beforeBirthday ? 1 : 0);
}

export interface AgeWindow {
  /** The youngest age accepted, in whole years, inclusive. */
  readonly min: number;
  /** The oldest age accepted, in whole years, inclusive: 60 accepts a borrower until their 61st birthday. */
  readonly max: number;
}

export type AgeWindowCheck =
  | { readonly ok: true; readonly age: number }
  | { readonly ok: false; readonly reason: 'under_min' | 'over_max'; readonly age: number };

export function checkAgeWindow(birthDate: LocalDate, asOf: LocalDate, window: AgeWindow): AgeWindowCheck {
  assert(
    Number.isInteger(window.min) && Number.isInteger(window.max) && window.min <= window.max,
    'checkAgeWindow: the window needs integer bounds with min ≤ max',
  );
  const age = ageOn(birthDate, asOf);
  if (age < window.min) return { ok: false, reason: 'under_min', age };
  if (age > window.max) return { ok: false, reason: 'over_max', age };
  return { ok: true, age };
}
