import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AllocationComponent, AllocationOrder, DueInstallment } from './allocate-payment.ts';
import { allocatePayment, allocationComponents } from './allocate-payment.ts';

const due: DueInstallment[] = [
  { number: 2, penaltyMinor: 0n, feeMinor: 500n, interestMinor: 8_000n, principalMinor: 40_000n },
  { number: 1, penaltyMinor: 300n, feeMinor: 500n, interestMinor: 12_000n, principalMinor: 39_600n },
];

function split(amount: bigint, order?: AllocationOrder) {
  const result = allocatePayment(amount, due, order);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

const line = (number: number, component: AllocationComponent, amountMinor: bigint) => ({
  number,
  component,
  amountMinor,
});

describe('allocatePayment', () => {
  it('clears the oldest installment first, penalty → fee → interest → principal by default', () => {
    expect(split(60_000n)).toEqual({
      lines: [
        line(1, 'penalty', 300n),
        line(1, 'fee', 500n),
        line(1, 'interest', 12_000n),
        line(1, 'principal', 39_600n),
        line(2, 'fee', 500n),
        line(2, 'interest', 7_100n),
      ],
      allocatedMinor: 60_000n,
      unallocatedMinor: 0n,
    });
  });

  it('can clear one component across all installments before the next', () => {
    const result = split(25_000n, {
      components: ['interest', 'penalty', 'fee', 'principal'],
      sequence: 'component_across_installments',
    });
    expect(result.lines).toEqual([
      line(1, 'interest', 12_000n),
      line(2, 'interest', 8_000n),
      line(1, 'penalty', 300n),
      line(1, 'fee', 500n),
      line(2, 'fee', 500n),
      line(1, 'principal', 3_700n),
    ]);
  });

  it('reports an overpayment as unallocated', () => {
    const result = split(110_000n);
    expect(result.allocatedMinor).toBe(100_900n);
    expect(result.unallocatedMinor).toBe(9_100n);
  });

  it('refuses an order that is not a permutation of the four components, and negative amounts', () => {
    const bad = allocatePayment(1n, due, {
      components: ['interest', 'interest', 'fee', 'principal'],
      sequence: 'installment_by_installment',
    });
    expect(bad.ok ? [] : bad.issues.map((i) => i.code)).toEqual(['allocation_order_invalid']);
    const negative = allocatePayment(-1n, due);
    expect(negative.ok ? [] : negative.issues.map((i) => i.code)).toEqual(['amount_negative']);
  });
});

describe('allocatePayment properties', () => {
  const dueArb = fc.array(
    fc.record({
      number: fc.integer({ min: 1, max: 60 }),
      penaltyMinor: fc.bigInt({ min: 0n, max: 10_000n }),
      feeMinor: fc.bigInt({ min: 0n, max: 10_000n }),
      interestMinor: fc.bigInt({ min: 0n, max: 100_000n }),
      principalMinor: fc.bigInt({ min: 0n, max: 1_000_000n }),
    }),
    { maxLength: 12 },
  );
  const orderArb = fc.record({
    components: fc.shuffledSubarray([...allocationComponents], { minLength: 4, maxLength: 4 }),
    sequence: fc.constantFrom('installment_by_installment', 'component_across_installments' as const),
  });

  it('never allocates more than paid nor more than due, and accounts for every fen', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 5_000_000n }), dueArb, orderArb, (amount, items, order) => {
        const numbered = items.map((item, index) => ({ ...item, number: index + 1 }));
        const result = allocatePayment(amount, numbered, order);
        if (!result.ok) throw new Error('refused');
        const { lines, allocatedMinor, unallocatedMinor } = result.value;
        const totalDue = numbered.reduce(
          (s, i) => s + i.penaltyMinor + i.feeMinor + i.interestMinor + i.principalMinor,
          0n,
        );
        expect(allocatedMinor + unallocatedMinor).toBe(amount);
        expect(allocatedMinor).toBe([amount, totalDue].sort((a, b) => (a < b ? -1 : 1))[0]);
        expect(lines.reduce((s, l) => s + l.amountMinor, 0n)).toBe(allocatedMinor);
        for (const l of lines) {
          const item = numbered[l.number - 1];
          if (item === undefined) throw new Error('unknown installment');
          const owed = {
            penalty: item.penaltyMinor,
            fee: item.feeMinor,
            interest: item.interestMinor,
            principal: item.principalMinor,
          }[l.component];
          expect(l.amountMinor > 0n && l.amountMinor <= owed).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
