import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, parseAmount } from './amount.ts';
import { CNY, currencyByCode } from './currency.ts';

describe('parseAmount', () => {
  it('reads major units into minor units without rounding', () => {
    expect(parseAmount('40000.00', CNY)).toEqual({ ok: true, minor: 4_000_000n });
    expect(parseAmount('1204.2', CNY)).toEqual({ ok: true, minor: 120_420n });
    expect(parseAmount('7', CNY)).toEqual({ ok: true, minor: 700n });
    expect(parseAmount('-0.01', CNY)).toEqual({ ok: true, minor: -1n });
    expect(parseAmount('0.5000', CNY)).toEqual({ ok: true, minor: 50n });
  });

  it('rejects a third decimal place of a fen instead of dropping it', () => {
    expect(parseAmount('0.015', CNY)).toEqual({ ok: false, reason: 'amount_precision_exceeded' });
  });

  it('rejects anything but a plain decimal', () => {
    for (const text of ['1e5', '', '.5', '5.', '+5', ' 5', '5,000.00', 'NaN', '0x10']) {
      expect(parseAmount(text, CNY)).toEqual({ ok: false, reason: 'decimal_invalid' });
    }
  });

  it('uses the currency minor unit: JPY has none', () => {
    const yen = currencyByCode('JPY');
    expect(yen).toEqual({ code: 'JPY', minorDigits: 0 });
    if (yen === undefined) return;
    expect(parseAmount('1200', yen)).toEqual({ ok: true, minor: 1200n });
    expect(parseAmount('1200.5', yen)).toEqual({ ok: false, reason: 'amount_precision_exceeded' });
  });
});

describe('formatMinor', () => {
  it('writes exactly the currency places', () => {
    expect(formatMinor(120_423n, 2)).toBe('1204.23');
    expect(formatMinor(0n, 2)).toBe('0.00');
    expect(formatMinor(5n, 2)).toBe('0.05');
    expect(formatMinor(-5n, 2)).toBe('-0.05');
    expect(formatMinor(1200n, 0)).toBe('1200');
    expect(formatMinor(1n, 3)).toBe('0.001');
  });

  it('round-trips with parseAmount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.constantFrom(0, 2, 3),
        (minor, minorDigits) => {
          expect(parseAmount(formatMinor(minor, minorDigits), { code: 'T', minorDigits })).toEqual({
            ok: true,
            minor,
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
