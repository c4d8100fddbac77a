import { assert } from '../assert.ts';
import type { Currency } from './currency.ts';

// Amounts cross the API boundary as decimal strings in major units ("1204.23") and live inside
// as bigint minor units (120423n). Parsing never rounds: a string with more places than the
// currency has is rejected, because silently dropping a fen would change the contract amount.

export const amountMinorMax = 10n ** 15n;

const decimalPattern = /^-?\d+(\.\d+)?$/;

export function isDecimalString(text: string): boolean {
  return decimalPattern.test(text);
}

export type AmountParse =
  | { readonly ok: true; readonly minor: bigint }
  | { readonly ok: false; readonly reason: 'decimal_invalid' | 'amount_precision_exceeded' };

export function parseAmount(text: string, currency: Currency): AmountParse {
  if (!decimalPattern.test(text)) return { ok: false, reason: 'decimal_invalid' };
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [whole = '', fraction = ''] = unsigned.split('.');
  const significantFraction = fraction.replace(/0+$/, '');
  if (significantFraction.length > currency.minorDigits)
    return { ok: false, reason: 'amount_precision_exceeded' };
  const minor = BigInt(whole + significantFraction.padEnd(currency.minorDigits, '0'));
  return { ok: true, minor: negative ? -minor : minor };
}

/** 120423n with 2 digits → "1204.23"; always exactly `minorDigits` places. */
export function formatMinor(minor: bigint, minorDigits: number): string {
  assert(Number.isInteger(minorDigits) && minorDigits >= 0, 'formatMinor: bad minor digits');
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(minorDigits + 1, '0');
  const whole = digits.slice(0, digits.length - minorDigits);
  const fraction = digits.slice(digits.length - minorDigits);
  const body = minorDigits === 0 ? whole : `${whole}.${fraction}`;
  return negative ? `-${body}` : body;
}
