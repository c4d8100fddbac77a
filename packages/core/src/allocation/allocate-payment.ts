import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';

// Splitting a repayment over what is due (还款冲账顺序). Installments are always served oldest
// first; within that, the product chooses the order of components and whether a payment clears one
// installment completely before touching the next (installment_by_installment) or clears one
// component across every installment before the next component (component_across_installments).
// Whatever the order, nothing is allocated beyond what is due or beyond what was paid; the rest is
// reported as unallocated (an overpayment for the caller to hold or refund).

export const allocationComponents = ['penalty', 'fee', 'interest', 'principal'] as const;
export type AllocationComponent = (typeof allocationComponents)[number];

export const allocationSequences = ['installment_by_installment', 'component_across_installments'] as const;
export type AllocationSequence = (typeof allocationSequences)[number];

export interface AllocationOrder {
  readonly components: readonly AllocationComponent[];
  readonly sequence: AllocationSequence;
}

/** Penalty first, then fee, interest and principal, one installment at a time. */
export const allocationOrderDefault: AllocationOrder = {
  components: ['penalty', 'fee', 'interest', 'principal'],
  sequence: 'installment_by_installment',
};

export interface DueInstallment {
  readonly number: number;
  readonly penaltyMinor: bigint;
  readonly feeMinor: bigint;
  readonly interestMinor: bigint;
  readonly principalMinor: bigint;
}

export interface AllocationLine {
  readonly number: number;
  readonly component: AllocationComponent;
  readonly amountMinor: bigint;
}

export interface Allocation {
  /** Non-zero parts only, in the order they were applied. */
  readonly lines: readonly AllocationLine[];
  readonly allocatedMinor: bigint;
  readonly unallocatedMinor: bigint;
}

function componentAmount(due: DueInstallment, component: AllocationComponent): bigint {
  switch (component) {
    case 'penalty':
      return due.penaltyMinor;
    case 'fee':
      return due.feeMinor;
    case 'interest':
      return due.interestMinor;
    case 'principal':
      return due.principalMinor;
  }
}

/** Math.min does not take bigint. */
function smaller(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

function orderIssues(order: AllocationOrder): Issue[] {
  const seen = new Set(order.components);
  const complete =
    order.components.length === allocationComponents.length && seen.size === allocationComponents.length;
  return complete
    ? []
    : [
        issue(
          'allocation_order_invalid',
          'order.components',
          'list penalty, fee, interest and principal once each',
        ),
      ];
}

export function allocatePayment(
  amountMinor: bigint,
  due: readonly DueInstallment[],
  order: AllocationOrder = allocationOrderDefault,
): Result<Allocation> {
  const issues = orderIssues(order);
  if (amountMinor < 0n) issues.push(issue('amount_negative', 'amount', 'a payment must not be negative'));
  for (const [index, installment] of due.entries()) {
    for (const component of allocationComponents) {
      if (componentAmount(installment, component) < 0n) {
        issues.push(
          issue('amount_negative', `due[${index}].${component}`, 'an amount due must not be negative'),
        );
      }
    }
  }
  if (issues.length > 0) return failed(issues);
  const oldestFirst = [...due].sort((a, b) => a.number - b.number);
  const slots: { number: number; component: AllocationComponent; dueMinor: bigint }[] = [];
  if (order.sequence === 'installment_by_installment') {
    for (const installment of oldestFirst) {
      for (const component of order.components) {
        slots.push({
          number: installment.number,
          component,
          dueMinor: componentAmount(installment, component),
        });
      }
    }
  } else {
    for (const component of order.components) {
      for (const installment of oldestFirst) {
        slots.push({
          number: installment.number,
          component,
          dueMinor: componentAmount(installment, component),
        });
      }
    }
  }
  let left = amountMinor;
  const lines: AllocationLine[] = [];
  for (const slot of slots) {
    if (left === 0n) break;
    const applied = smaller(slot.dueMinor, left);
    if (applied === 0n) continue;
    lines.push({ number: slot.number, component: slot.component, amountMinor: applied });
    left -= applied;
  }
  return ok({ lines, allocatedMinor: amountMinor - left, unallocatedMinor: left });
}
