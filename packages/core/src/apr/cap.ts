import { Decimal } from 'decimal.js';
import type { AnnualizedRates } from './annualized.ts';

// A product whose all-in annualized cost exceeds the cap cannot be published (default
// 24 % IRR, the line Chinese courts and regulators draw for consumer credit). The check compares
// the compound (IRR) figure and says by how much it is over.

export const aprCapDefault = new Decimal('0.24');

export interface AprCapCheck {
  readonly withinCap: boolean;
  readonly cap: Decimal;
  /** irr − cap when above the cap, otherwise 0. */
  readonly excess: Decimal;
}

export function checkAprCap(rates: AnnualizedRates, cap: Decimal = aprCapDefault): AprCapCheck {
  const excess = rates.irr.minus(cap);
  return excess.greaterThan(0)
    ? { withinCap: false, cap, excess }
    : { withinCap: true, cap, excess: new Decimal(0) };
}
