// Masked forms shown in every response unless the caller holds `customers:unmask`
// (JR/T 0171-2020: C2 data masked on screen). Lengths are kept so a masked value still reads as
// what it is; never more than the named leading and trailing characters are shown.

function mask(value: string, head: number, tail: number): string {
  if (value.length <= head + tail) return '*'.repeat(value.length);
  return `${value.slice(0, head)}${'*'.repeat(value.length - head - tail)}${value.slice(value.length - tail)}`;
}

/** Resident ID number, 3 + 4: `110***********123X`. */
export function maskIdNumber(idNumber: string): string {
  return mask(idNumber, 3, 4);
}

/** Mobile phone, 3 + 4: `138****5678`. */
export function maskPhone(phone: string): string {
  return mask(phone, 3, 4);
}

/** Bank card number, 6 + 4: `622202******1234`. */
export function maskCardNumber(cardNumber: string): string {
  return mask(cardNumber, 6, 4);
}

/** A person's name: the family name's first character only, `张**`. */
export function maskName(name: string): string {
  const characters = [...name];
  return characters.length <= 1 ? '*' : `${characters[0]}${'*'.repeat(characters.length - 1)}`;
}
