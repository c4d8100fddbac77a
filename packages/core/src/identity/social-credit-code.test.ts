import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  socialCreditCheckCharacter,
  socialCreditCodeCharacters,
  socialCreditCodeCheck,
} from './social-credit-code.ts';

/** The first 17 characters and their check character. */
function withCheck(first17: string): string {
  const check = socialCreditCheckCharacter(first17);
  if (check === undefined) throw new Error(`not the first 17 of a code: ${first17}`);
  return first17 + check;
}

const codeCharacter = fc.constantFrom(...socialCreditCodeCharacters);
const digit = fc.constantFrom(...'0123456789');
/** The first 17 characters of a code of the right form (any authority, category and region). */
const first17Arb = fc
  .tuple(
    fc.array(codeCharacter, { minLength: 2, maxLength: 2 }),
    fc.array(digit, { minLength: 6, maxLength: 6 }),
  )
  .chain(([head, region]) =>
    fc
      .array(codeCharacter, { minLength: 9, maxLength: 9 })
      .map((subject) => [...head, ...region, ...subject].join('')),
  );
/** A code that passes every check: an enterprise (91) registered in a Fujian city (3501xx). */
const validCodeArb = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.array(codeCharacter, { minLength: 9, maxLength: 9 }))
  .map(([county, subject]) => withCheck(`913501${String(county).padStart(2, '0')}${subject.join('')}`));

describe('the check character (GB 32100-2015, MOD 31-3)', () => {
  it('is 3 for the standard’s worked example 91350100M000100Y43', () => {
    expect(socialCreditCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(socialCreditCodeCheck('91350100M000100Y43')).toEqual({
      ok: true,
      authority: '9',
      category: '1',
      regionCode: '350100',
      subjectCode: 'M000100Y4',
    });
  });

  it('is K for a Beijing enterprise registered at the provincial level (91110000101623741K)', () => {
    expect(socialCreditCheckCharacter('91110000101623741')).toBe('K');
    expect(socialCreditCodeCheck('91110000101623741K')).toMatchObject({ ok: true, regionCode: '110000' });
  });

  it('writes a remainder of 0 as 0 (31 − 0 = 31 → 0), not as a 32nd character', () => {
    // Σ Ci × Wi of 00000000000000000 is 0; of 10000000000000000 it is 1, so C18 = 30 = Y.
    expect(socialCreditCheckCharacter('00000000000000000')).toBe('0');
    expect(socialCreditCheckCharacter('10000000000000000')).toBe('Y');
    // Y (30) at position 17 (W17 = 28) gives 840 = 27 × 31 + 3, so C18 = 28 = W.
    expect(socialCreditCheckCharacter('0000000000000000Y')).toBe('W');
  });

  it('uses the weights 3^(i−1) mod 31', () => {
    // One 1 at position i alone contributes Wi, so C18 = 31 − Wi.
    const weights = Array.from({ length: 17 }, (_, i) => {
      let w = 1;
      for (let k = 0; k < i; k += 1) w = (w * 3) % 31;
      return w;
    });
    expect(weights).toEqual([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
    weights.forEach((w, i) => {
      const first17 = `${'0'.repeat(i)}1${'0'.repeat(16 - i)}`;
      expect(socialCreditCheckCharacter(first17), `position ${i + 1}`).toBe(
        socialCreditCodeCharacters.charAt(31 - w),
      );
    });
  });

  it('gives every one of the 31 characters for some first 17', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 31; n += 1)
      seen.add(socialCreditCheckCharacter(`9135010000000000${socialCreditCodeCharacters.charAt(n)}`) ?? '');
    expect([...seen].sort().join('')).toBe([...socialCreditCodeCharacters].sort().join(''));
  });

  it('is undefined for anything but the first 17 of a code', () => {
    for (const text of [
      '',
      '91350100M000100Y',
      '91350100M000100Y43',
      '9135010OM000100Y4',
      '91350100I000100Y4',
      '91350100m000100Y4',
      '91A50100M000100Y4',
    ])
      expect(socialCreditCheckCharacter(text), text).toBeUndefined();
  });
});

describe('socialCreditCodeCheck', () => {
  it.each([
    ['', 'format'],
    ['91350100M000100Y4', 'format'],
    ['91350100M000100Y433', 'format'],
    ['91350100m000100y43', 'format'],
    [' 91350100M000100Y43', 'format'],
    ['９１350100M000100Y43', 'format'],
    // I, O, S, V and Z are not in the character set.
    ['91350100M000100O43', 'format'],
    ['91350100M000100Y4S', 'format'],
    // Positions 3–8 are digits.
    ['9135010AM000100Y43', 'format'],
  ])('refuses %j: %s', (code, reason) => {
    expect(socialCreditCodeCheck(code)).toEqual({ ok: false, reason });
  });

  it('names the check character the first 17 call for', () => {
    expect(socialCreditCodeCheck('91350100M000100Y44')).toEqual({
      ok: false,
      reason: 'check_character',
      expected: '3',
    });
  });

  it.each([
    ['0', 'authority_unknown'],
    ['B', 'authority_unknown'],
    ['X', 'authority_unknown'],
  ])('refuses the registration authority %s', (authority, reason) => {
    expect(socialCreditCodeCheck(withCheck(`${authority}1350100M000100Y4`))).toEqual({ ok: false, reason });
  });

  it('accepts each authority with its own categories and refuses the others', () => {
    const categories: Record<string, string> = {
      '1': '1239',
      '2': '19',
      '3': '123459',
      '4': '19',
      '5': '1239',
      '6': '129',
      '7': '129',
      '8': '19',
      '9': '123',
      A: '19',
      N: '1239',
      Y: '1',
    };
    for (const [authority, allowed] of Object.entries(categories)) {
      for (const category of socialCreditCodeCharacters) {
        const result = socialCreditCodeCheck(withCheck(`${authority}${category}350100M000100Y4`));
        const want = allowed.includes(category) ? { ok: true } : { ok: false, reason: 'category_unknown' };
        expect(result, `${authority}${category}`).toMatchObject(want);
      }
    }
  });

  it.each([
    ['000000', false],
    ['990000', false],
    ['160100', false],
    ['720000', false],
    ['100001', false],
    ['100000', true],
    ['110000', true],
    ['440305', true],
    ['820000', true],
  ])('reads %s as a region: %s', (region, ok) => {
    const result = socialCreditCodeCheck(withCheck(`91${region}M000100Y4`));
    expect(result).toMatchObject(
      ok ? { ok: true, regionCode: region } : { ok: false, reason: 'region_unknown' },
    );
  });

  it('property: a code completed with its check character passes the check character', () => {
    fc.assert(
      fc.property(first17Arb, (first17) => {
        const result = socialCreditCodeCheck(withCheck(first17));
        return result.ok || result.reason !== 'check_character';
      }),
    );
  });

  it('property: every single mistyped character is caught', () => {
    fc.assert(
      fc.property(
        validCodeArb,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 30 }),
        (code, position, shift) => {
          const value = socialCreditCodeCharacters.indexOf(code.charAt(position));
          const typed = socialCreditCodeCharacters.charAt((value + shift) % 31);
          const mistyped = code.slice(0, position) + typed + code.slice(position + 1);
          expect(socialCreditCodeCheck(code).ok).toBe(true);
          return !socialCreditCodeCheck(mistyped).ok;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: every swap of two different neighbours is caught', () => {
    fc.assert(
      fc.property(validCodeArb, fc.integer({ min: 0, max: 16 }), (code, position) => {
        const a = code.charAt(position);
        const b = code.charAt(position + 1);
        fc.pre(a !== b);
        const swapped = code.slice(0, position) + b + a + code.slice(position + 2);
        return !socialCreditCodeCheck(swapped).ok;
      }),
      { numRuns: 2000 },
    );
  });
});
