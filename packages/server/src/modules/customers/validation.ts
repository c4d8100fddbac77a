import {
  bankCardCheck,
  residentIdCheckCharacter as checkCharacterOf,
  type LocalDate,
  type ResidentIdFailure,
  residentIdCheck,
} from '@fenqi/core';
import { AppError } from '../../platform/errors.ts';

// Identity data at the edge, checked by the core's rules (packages/core/src/identity, GB 11643).
// A resident ID number is checked against the business date (a birth date after it is refused),
// so the full check runs in the service, which knows the date; schemas only bound the text.

const idNumberMessages: Record<ResidentIdFailure, string> = {
  format: 'must be 18 characters: 17 digits and a check character (0-9 or X)',
  // The expected character is deliberately not named: with it, anyone could complete a number
  // pieced together from a region, a birth date and a guessed sequence.
  check_character:
    'the check character (the 18th) does not match the first 17 digits; look for a mistyped digit',
  birth_date_invalid: 'the birth date in it (characters 7-14) is not a real date from 1900 on',
  birth_date_future: 'the birth date in it (characters 7-14) is after today',
  region_unknown: 'the region code in it (characters 1-6) is not a region of mainland China',
};

export type CheckedIdNumber = { birthDate: LocalDate; sex: 'male' | 'female'; regionCode: string };

/**
 * The resident ID number as of the business date, or a 400 naming what is wrong with it (the
 * field error's `code` is the core's reason: format, check_character, birth_date_invalid,
 * birth_date_future, region_unknown).
 */
export function checkIdNumber(idNumber: string, asOf: LocalDate): CheckedIdNumber {
  const result = residentIdCheck(idNumber, asOf);
  if (result.ok) return { birthDate: result.birthDate, sex: result.sex, regionCode: result.regionCode };
  const message = idNumberMessages[result.reason];
  throw new AppError('validation_failed', `The body is not valid: idNumber: ${message}`, {
    errors: [{ in: 'body', path: 'idNumber', message, code: result.reason }],
  });
}

/** The birth date a stored (already checked) ID number carries. */
export function birthDateOf(idNumber: string): string {
  return `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
}

/** The form of an ID number without its dates (staff search: a typo finds nobody, so it is refused). */
export function isResidentIdNumberForm(value: string): boolean {
  return /^\d{17}[\dX]$/.test(value) && checkCharacterOf(value.slice(0, 17)) === value[17];
}

/** The check character for 17 digits (tests and demo data). */
export function residentIdCheckCharacter(first17: string): string {
  return checkCharacterOf(first17) ?? '';
}

/**
 * UnionPay debit and credit cards: 16–19 digits (core's bankCardCheck). A Luhn failure is let
 * through, as before the check moved to the core: not every issued number is held to Luhn, and
 * whether a card exists and is the borrower's is the channel's four-element check to say.
 */
export function isBankCardNumber(value: string): boolean {
  const check = bankCardCheck(value);
  return check.ok || check.reason === 'luhn';
}
