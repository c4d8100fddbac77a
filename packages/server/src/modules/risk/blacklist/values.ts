import { bankCardCheck, compareDates, type LocalDate, parseLocalDate, residentIdCheck } from '@fenqi/core';
import type { BlacklistKind } from './tables.ts';

// What may go on the blacklist, checked the same way for one entry (JSON) and for every row of an
// import (CSV): the kind, the value for its kind, a reason from a closed list, an optional note and
// an optional expiry date after the business date. Failures carry a stable code and an English
// message that never repeats the value (it may be an ID number).

export const blacklistKinds = [
  'id_number',
  'phone',
  'card',
  'device',
] as const satisfies readonly BlacklistKind[];

/** The closed list of reasons (migration 0016 holds the same list in a CHECK constraint). */
export const blacklistReasonCodes = [
  'fraud_confirmed',
  'identity_theft',
  'forged_documents',
  'dishonest_debtor',
  'money_laundering',
  'cash_out',
  'self_exclusion',
  'regulatory_request',
  'other',
] as const;

export type BlacklistReason = (typeof blacklistReasonCodes)[number];

/** What each reason means, for the console (zh-CN first, as operators read it) and in English. */
export const blacklistReasons: Readonly<Record<BlacklistReason, { zh: string; en: string }>> = {
  fraud_confirmed: { zh: '欺诈已确认', en: 'Fraud confirmed' },
  identity_theft: { zh: '身份冒用', en: 'Identity used by someone else' },
  forged_documents: { zh: '伪造或篡改资料', en: 'Forged or altered documents' },
  dishonest_debtor: { zh: '失信被执行人', en: 'Dishonest judgment debtor (court list)' },
  money_laundering: { zh: '涉嫌洗钱', en: 'Suspected money laundering' },
  cash_out: { zh: '虚假交易套现', en: 'Cashing out credit through fake purchases' },
  self_exclusion: { zh: '本人申请禁止借贷', en: 'The person asked not to be lent to' },
  regulatory_request: { zh: '监管或司法要求', en: 'Required by a regulator or a court' },
  other: { zh: '其他（须在备注中说明）', en: 'Other (the note says what)' },
};

export function isBlacklistReason(code: string): code is BlacklistReason {
  return Object.hasOwn(blacklistReasons, code);
}

export function isBlacklistKind(kind: string): kind is BlacklistKind {
  return (blacklistKinds as readonly string[]).includes(kind);
}

export const noteCharsMax = 500;
export const deviceIdCharsMax = 128;

export type Check<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

const fail = (code: string, message: string): { ok: false; code: string; message: string } => ({
  ok: false,
  code,
  message,
});

const residentIdMessages = {
  format: 'must be 18 characters: 17 digits and a check character 0-9 or X',
  check_character: 'has a wrong check character (the 18th)',
  birth_date_invalid: 'has no real birth date from 1900 in characters 7 to 14',
  birth_date_future: 'has a birth date after the business date',
  region_unknown: 'has no GB/T 2260 region in its first 6 digits',
} as const;

const phonePattern = /^1[3-9]\d{9}$/;
const devicePattern = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,${deviceIdCharsMax - 1}}$`);

/**
 * The value as it is stored and matched, or why it cannot be listed. ID numbers are GB 11643
 * checked as of the business date (core's residentIdCheck), cards by length and Luhn (core's
 * bankCardCheck), phones as mainland mobiles; spaces and hyphens in card numbers are dropped.
 */
export function checkValue(kind: BlacklistKind, raw: string, asOf: LocalDate): Check<string> {
  switch (kind) {
    case 'id_number': {
      const value = raw.trim().toUpperCase();
      const check = residentIdCheck(value, asOf);
      return check.ok
        ? { ok: true, value }
        : fail(
            `id_number_${check.reason}`,
            `is not a valid resident ID number: it ${residentIdMessages[check.reason]}`,
          );
    }
    case 'phone': {
      const value = raw.trim();
      return phonePattern.test(value)
        ? { ok: true, value }
        : fail('phone_invalid', 'must be a mainland China mobile number of 11 digits starting 13 to 19');
    }
    case 'card': {
      const value = raw.replace(/[\s-]/g, '');
      const check = bankCardCheck(value);
      if (check.ok) return { ok: true, value };
      return check.reason === 'format'
        ? fail('card_format', 'must be a bank card number of 16 to 19 digits')
        : fail('card_luhn', 'is not a bank card number: its check digit (Luhn) is wrong');
    }
    case 'device': {
      const value = raw.trim();
      return devicePattern.test(value)
        ? { ok: true, value }
        : fail(
            'device_id_invalid',
            `must be a device id of 1 to ${deviceIdCharsMax} letters, digits and . _ : - (starting with a letter or digit)`,
          );
    }
  }
}

export function checkReason(raw: string): Check<BlacklistReason> {
  const code = raw.trim();
  return isBlacklistReason(code)
    ? { ok: true, value: code }
    : fail('reason_unknown', `must be one of ${blacklistReasonCodes.join(', ')}`);
}

/** An expiry date is the first day the entry no longer applies: after the business date. */
export function checkExpiry(raw: string, asOf: LocalDate): Check<LocalDate | null> {
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  const date = parseLocalDate(text);
  if (date === undefined) return fail('date_invalid', 'must be a date YYYY-MM-DD');
  if (compareDates(date, asOf) <= 0)
    return fail('expiry_not_future', `must be after the business date ${asOf}`);
  return { ok: true, value: date };
}

export function checkNote(raw: string, reason: BlacklistReason | undefined): Check<string | null> {
  const note = raw.trim();
  if (note.length > noteCharsMax) return fail('note_too_long', `must be at most ${noteCharsMax} characters`);
  if (note === '' && reason === 'other')
    return fail('note_required', 'must say what the reason is (reason other)');
  return { ok: true, value: note === '' ? null : note };
}
