import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bankCardCheck, luhnValid } from './bank-card.ts';

/** Appends the Luhn check digit to a payload of digits. */
function withLuhn(payload: string): string {
  for (let digit = 0; digit <= 9; digit += 1)
    if (luhnValid(`${payload}${digit}`)) return `${payload}${digit}`;
  throw new Error('no Luhn digit: impossible');
}

describe('luhnValid', () => {
  it('accepts the published examples', () => {
    expect(luhnValid('79927398713')).toBe(true); // ISO/IEC 7812 worked example
    expect(luhnValid('4111111111111111')).toBe(true); // the common Visa test number
    expect(luhnValid('0')).toBe(true);
  });

  it('refuses a wrong check digit and anything that is not digits', () => {
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('4111111111111112')).toBe(false);
    for (const text of ['', ' 79927398713', '7992739871a', '79927398713\n', '-79927398713'])
      expect(luhnValid(text)).toBe(false);
  });

  it('detects every single-digit error (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{15,18}$/),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (payload, at, shift) => {
          const valid = withLuhn(payload);
          const position = at % valid.length;
          const digit = (valid.charCodeAt(position) - 48 + shift) % 10;
          expect(luhnValid(valid.slice(0, position) + digit + valid.slice(position + 1))).toBe(false);
        },
      ),
    );
  });

  it('detects every adjacent transposition of two different digits except 09 ↔ 90 (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{15,18}$/), fc.nat(), (payload, at) => {
        const valid = withLuhn(payload);
        const position = at % (valid.length - 1);
        const a = valid[position] ?? '';
        const b = valid[position + 1] ?? '';
        const swapped = valid.slice(0, position) + b + a + valid.slice(position + 2);
        const pair = a + b;
        if (a === b) expect(luhnValid(swapped)).toBe(true);
        else expect(luhnValid(swapped)).toBe(pair === '09' || pair === '90');
      }),
    );
  });

  it('misses 09 ↔ 90, as the algorithm is known to', () => {
    const valid = withLuhn('62226000000009');
    expect(valid.slice(12, 14)).toBe('09');
    expect(luhnValid(`${valid.slice(0, 12)}90${valid.slice(14)}`)).toBe(true);
  });
});

describe('bankCardCheck', () => {
  it('accepts 16 to 19 digits that pass Luhn', () => {
    for (const length of [16, 17, 18, 19]) {
      const card = withLuhn('6'.padEnd(length - 1, '2'));
      expect(bankCardCheck(card)).toEqual({ ok: true, digits: card });
    }
  });

  it('refuses other lengths, separators and other characters as format', () => {
    for (const value of [
      withLuhn('62226002600010'),
      withLuhn('6222600260001072444'),
      '6222 6002 6000 1072',
      '622260026000107a',
      '',
    ])
      expect(bankCardCheck(value)).toEqual({ ok: false, reason: 'format' });
  });

  it('refuses a mistyped digit as luhn', () => {
    expect(bankCardCheck('4111111111111112')).toEqual({ ok: false, reason: 'luhn' });
  });
});
