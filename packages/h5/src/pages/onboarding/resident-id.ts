// The resident ID number as the borrower types it (GB 11643-1999, ISO 7064 MOD 11-2), checked in
// the browser to say at once what is wrong; the server checks it again (customers/validation.ts,
// core's residentIdCheck) with the business date, which the browser does not know, so a birth
// date in the future is left to it.

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const checkCharacters = '10X98765432';
const provincePrefixes = new Set(
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
    ' ',
  ),
);

/** The MOD 11-2 check character of 17 digits. */
export function checkCharacterOf(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (first17.charCodeAt(i) - 48) * (weights[i] ?? 0);
  return checkCharacters[sum % 11];
}

export type IdProblem = 'characters' | 'check_character' | 'birth_date_invalid' | 'region_unknown';

/** What the borrower typed, as the standard writes it: no spaces, an upper-case X. */
export function normaliseIdNumber(typed: string): string {
  return typed.replace(/\s/g, '').toUpperCase();
}

function realDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * What is wrong with the number so far: a character that cannot be there (anything but digits, and
 * X last), and once all 18 are typed its check character, birth date and region. Undefined while
 * it is still right (or incomplete).
 */
export function idNumberProblem(value: string): IdProblem | undefined {
  if (!/^\d{0,17}$/.test(value) && !/^\d{17}[\dX]$/.test(value)) return 'characters';
  if (value.length < 18) return undefined;
  if (checkCharacterOf(value.slice(0, 17)) !== value[17]) return 'check_character';
  const year = Number(value.slice(6, 10));
  if (year < 1900 || !realDate(year, Number(value.slice(10, 12)), Number(value.slice(12, 14))))
    return 'birth_date_invalid';
  if (!provincePrefixes.has(value.slice(0, 2)) || value.slice(2, 6) === '0000') return 'region_unknown';
  return undefined;
}
