import type { RoundingMode } from '../money/rounding.ts';
import { divideRounded } from '../money/rounding.ts';
import type { RemainderPolicy } from './amounts.ts';

// 等本等息 (credit-card style 分期手续费): principal P/n and the same fee P·i every period, i a rate on
// the original principal however much has been repaid — which is why its APR is about twice i × 12
// (PBOC 2021 No. 3 worked example: 0.5 % a month is 13.58 % IRR).
// With last_principal the last principal takes the rounding remainder; with last_interest every
// payment is the same amount and the last fee is that payment minus the remaining principal (a
// loan without a fee has no fee to absorb the remainder, so its last principal does).

export interface FlatFeeAmounts {
  readonly paymentMinor: bigint;
  readonly principalMinor: readonly bigint[];
  readonly feeMinor: readonly bigint[];
}

export function flatFee(
  principal: bigint,
  periods: number,
  feePerPeriod: bigint,
  mode: RoundingMode,
  remainder: RemainderPolicy,
): FlatFeeAmounts | null {
  const count = BigInt(periods);
  const part = divideRounded(principal, count, mode);
  const last = principal - part * (count - 1n);
  if (last < 0n) return null;
  const payment = part + feePerPeriod;
  const levelFee = payment - last;
  const level = remainder === 'last_interest' && feePerPeriod > 0n && levelFee >= 0n;
  const lastFee = level ? levelFee : feePerPeriod;
  const principalParts: bigint[] = [];
  const fees: bigint[] = [];
  for (let k = 1; k <= periods; k += 1) {
    principalParts.push(k === periods ? last : part);
    fees.push(k === periods ? lastFee : feePerPeriod);
  }
  return { paymentMinor: payment, principalMinor: principalParts, feeMinor: fees };
}
