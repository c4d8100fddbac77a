// Checks on identity data at the edge. GB 11643-1999: an 18-character resident ID number is a
// 6-digit region, an 8-digit birth date, a 3-digit sequence and an ISO 7064 MOD 11-2 check
// character (0-9 or X). (The full KYC rules — age limits, region codes — belong to the core
// package's ID checks; this is the minimum that keeps garbage out of the store.)

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkCharacters = '10X98765432';

export function isResidentIdNumber(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1900 ||
    birth.getUTCFullYear() !== year ||
    birth.getUTCMonth() !== month - 1 ||
    birth.getUTCDate() !== day
  )
    return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * (weights[i] ?? 0);
  return checkCharacters[sum % 11] === value[17];
}

/** The check character for 17 digits (tests and demo data). */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (weights[i] ?? 0);
  return checkCharacters[sum % 11] ?? '';
}

/** UnionPay debit and credit cards: 16–19 digits (not all pass Luhn, so Luhn is not required). */
export function isBankCardNumber(value: string): boolean {
  return /^\d{16,19}$/.test(value);
}
