// Bank card numbers (UnionPay debit and credit cards: 16–19 digits) and the Luhn check digit of
// ISO/IEC 7812-1. The Luhn sum catches every single mistyped digit and every swap of two adjacent
// digits except 09 ↔ 90. Passing it says the number was typed as issued, not that the card exists:
// the four-element check through a payment channel says that.

export type BankCardCheck =
  | { readonly ok: true; readonly digits: string }
  | { readonly ok: false; readonly reason: 'format' | 'luhn' };

export const bankCardDigitsMin = 16;
export const bankCardDigitsMax = 19;

const cardPattern = /^\d{16,19}$/;
const digitsPattern = /^\d+$/;

/** The Luhn (mod 10) check over a string of digits, check digit last; false for anything but digits. */
export function luhnValid(digits: string): boolean {
  if (!digitsPattern.test(digits)) return false;
  let sum = 0;
  for (let position = 0; position < digits.length; position += 1) {
    const digit = digits.charCodeAt(digits.length - 1 - position) - 48;
    // Every second digit from the right is doubled; a two-digit product counts its digit sum.
    sum += position % 2 === 1 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit;
  }
  return sum % 10 === 0;
}

export function bankCardCheck(value: string): BankCardCheck {
  if (!cardPattern.test(value)) return { ok: false, reason: 'format' };
  if (!luhnValid(value)) return { ok: false, reason: 'luhn' };
  return { ok: true, digits: value };
}
