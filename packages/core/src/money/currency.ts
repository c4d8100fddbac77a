// Minor units per ISO 4217. Only currencies a consumer-finance book in or around mainland China
// plausibly lends in are listed; an unknown code is an issue, never a guessed exponent.

export interface Currency {
  readonly code: string;
  /** Decimal places of the minor unit: 2 for CNY (fen), 0 for JPY. */
  readonly minorDigits: number;
}

const minorDigitsByCode: Readonly<Record<string, number>> = {
  CNY: 2,
  HKD: 2,
  MOP: 2,
  TWD: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  SGD: 2,
  AUD: 2,
  CAD: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
};

export function currencyByCode(code: string): Currency | undefined {
  const minorDigits = minorDigitsByCode[code];
  return minorDigits === undefined ? undefined : { code, minorDigits };
}

export const CNY: Currency = { code: 'CNY', minorDigits: 2 };
