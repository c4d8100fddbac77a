import { parseLocalDate } from '../date/local-date.ts';
import type { Issue } from '../issue.ts';
import { issue } from '../issue.ts';
import { amountMinorMax } from '../money/amount.ts';
import type { FeatureType } from './policy.ts';
import { textLengthMax } from './policy.ts';

// How a value of each feature type is written, in a snapshot and in a policy constant alike:
//   integer  a JSON number that is a safe integer (|n| ≤ 2^53 − 1), compared exactly;
//   number   any finite JSON number, compared as the IEEE double JSON.parse makes of it (exact
//            decimals belong in an integer — basis points, months — or in money);
//   string   a JSON string of at most 1,000 characters;
//   boolean  true or false;
//   date     a "YYYY-MM-DD" string of a real date in 1900–9999, compared as text (= in time);
//   money    integer fen as a string of digits with an optional minus, no leading zeros, at most
//            10^15 in absolute value: "123456" is 1,234.56 CNY. A JSON number is refused, so no
//            float can ever stand for money.

const minorUnitsPattern = /^(0|-?[1-9][0-9]*)$/;

export function isMinorUnits(text: string): boolean {
  return minorUnitsPattern.test(text);
}

/**
 * More than `max` characters, counted as Unicode code points (as JSON Schema's maxLength counts
 * them); the UTF-16 length bounds the count from above, so short strings are never spread.
 */
export function exceedsCharacters(text: string, max: number): boolean {
  return text.length > max && [...text].length > max;
}

const typeNames: Record<FeatureType, string> = {
  integer: 'an integer (a JSON number without fraction)',
  number: 'a finite JSON number',
  string: 'a string',
  boolean: 'true or false',
  date: 'a date string YYYY-MM-DD',
  money: 'integer fen as a string of digits, such as "123456"',
};

export function typeName(type: FeatureType): string {
  return typeNames[type];
}

/** Why `value` is not a value of `type`, or undefined when it is one. `what` names it in the message. */
export function featureValueIssue(
  type: FeatureType,
  value: unknown,
  path: string,
  what: string,
): Issue | undefined {
  const expected = `${what} must be ${typeNames[type]}`;
  switch (type) {
    case 'integer':
      if (typeof value !== 'number') return issue('type_invalid', path, expected);
      return Number.isSafeInteger(value) ? undefined : issue('integer_invalid', path, expected);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : issue('type_invalid', path, expected);
    case 'string':
      if (typeof value !== 'string') return issue('type_invalid', path, expected);
      return !exceedsCharacters(value, textLengthMax)
        ? undefined
        : issue('limit_exceeded', path, `${what} must be at most ${textLengthMax} characters`);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : issue('type_invalid', path, expected);
    case 'date':
      if (typeof value !== 'string') return issue('type_invalid', path, expected);
      return parseLocalDate(value) === undefined
        ? issue('date_invalid', path, `${expected} of a real date in 1900–9999`)
        : undefined;
    case 'money':
      if (typeof value !== 'string' || !minorUnitsPattern.test(value))
        return issue('minor_units_invalid', path, expected);
      // At most 17 characters are read as a number: a longer string is too large whatever it says.
      return value.length > 17 || absolute(BigInt(value)) > amountMinorMax
        ? issue('amount_too_large', path, `${what} must be at most 10^15 fen in absolute value`)
        : undefined;
  }
}

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}
