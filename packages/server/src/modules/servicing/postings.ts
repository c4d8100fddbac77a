import { splitComponents } from '@fenqi/core';
import type { Tx } from '../../platform/db.ts';
import { type JournalLineInput, postJournal } from '../ledger/service.ts';
import type { AccountRow, Components } from './allocation.ts';
import { funderShares } from './repayment-store.ts';
import type { ServicingTx } from './tables.ts';

// The journal of a repayment (docs/servicing.md, "Accounting"). The money comes from where it
// arrived — 2242 for what the channel collected (payments booked Dr clearing Cr 2242 when the
// collection succeeded), 1002.01 for a transfer into the bank, 2241 for a credit balance applied —
// and goes to the receivables by component:
//   accrual basis   principal 1301, interest 1132, fee 1133, penalty 1134;
//   cash basis      principal 1301, interest 6011, fee 6021, penalty 6031 (income when cash comes);
//   non-accrual     interest and penalty are off balance (7001/7002 against 7099): paying them is
//                   income, Cr 6011 (6031), and takes them off the memorandum, Dr 7099 Cr 7001 (7002);
//   always          prepayment fee 6021, overpayment 2241 (the borrower's credit balance).
// One entry per transaction, its lines split between the loan's funders exactly (core
// splitComponents: every component by the shares, largest remainder), each line carrying the
// funder, the loan, the customer and the product version — one entry, so the transaction records
// it and a reversal reverses it whole.

export type Money = Components & { prepaymentFee: bigint; overpayment: bigint };

export type MoneySource = '2242' | '1002.01' | '2241';

export type Share = { funderId: string; shareBp: number };

export async function sharesOf(trx: Tx, account: AccountRow): Promise<Share[]> {
  if (account.funder_id !== null) return [{ funderId: account.funder_id, shareBp: 10_000 }];
  const shares = await funderShares(trx as unknown as ServicingTx, account.loan_id);
  if (shares.length === 0) throw new Error(`loan ${account.loan_no} has neither a funder nor shares`);
  return shares;
}

function offBalance(account: AccountRow): boolean {
  return account.posting_basis === 'accrual' && account.non_accrual_since !== null;
}

export type Pair = { debit: string; credit: string; amount: bigint };

/** The pairs of a repayment by component, before the split between funders. */
export function repaymentPairs(account: AccountRow, source: MoneySource, money: Money): Pair[] {
  const cash = account.posting_basis === 'cash';
  const off = offBalance(account);
  const pairs: Pair[] = [
    { debit: source, credit: '1301', amount: money.principal },
    { debit: source, credit: cash || off ? '6011' : '1132', amount: money.interest },
    { debit: source, credit: cash ? '6021' : '1133', amount: money.fee },
    { debit: source, credit: cash || off ? '6031' : '1134', amount: money.penalty },
    { debit: source, credit: '6021', amount: money.prepaymentFee },
    { debit: source, credit: '2241', amount: money.overpayment },
  ];
  if (off) {
    pairs.push({ debit: '7099', credit: '7001', amount: money.interest });
    pairs.push({ debit: '7099', credit: '7002', amount: money.penalty });
  }
  return pairs;
}

/** Accrual (interest, penalty) and a period fee charged outside close of business. */
export type Accrued = { interest: bigint; penalty: bigint; fee: bigint };

export function accrualPairs(account: AccountRow, accrued: Accrued): Pair[] {
  if (account.posting_basis === 'cash') return [];
  const off = offBalance(account);
  return [
    { debit: off ? '7001' : '1132', credit: off ? '7099' : '6011', amount: accrued.interest },
    { debit: off ? '7002' : '1134', credit: off ? '7099' : '6031', amount: accrued.penalty },
    { debit: '1133', credit: '6021', amount: accrued.fee },
  ];
}

async function post(
  trx: Tx,
  account: AccountRow,
  input: { key: string; eventType: string; sourceRef: string; description: string; pairs: Pair[] },
): Promise<bigint | null> {
  const pairs = input.pairs.filter((pair) => pair.amount > 0n);
  if (pairs.length === 0) return null;
  const shares = await sharesOf(trx, account);
  const amounts = Object.fromEntries(pairs.map((pair, index) => [String(index), pair.amount]));
  const parts = splitComponents(
    amounts,
    shares.map((share) => BigInt(share.shareBp)),
  );
  const lines: JournalLineInput[] = [];
  const dimensions = {
    loanId: account.loan_id,
    customerId: account.customer_id,
    productId: account.product_version_id,
  };
  for (const [index, share] of shares.entries()) {
    const part = parts[index] ?? {};
    for (const [p, pair] of pairs.entries()) {
      const amount = part[String(p)] ?? 0n;
      if (amount === 0n) continue;
      const line = { amountMinor: amount, currency: 'CNY', ...dimensions, funderId: share.funderId };
      lines.push(
        { ...line, account: pair.debit, side: 'debit' },
        { ...line, account: pair.credit, side: 'credit' },
      );
    }
  }
  const entry = await postJournal(trx, {
    idempotencyKey: input.key,
    eventType: input.eventType,
    sourceRef: input.sourceRef,
    description: input.description.slice(0, 500),
    lines,
  });
  return entry.id;
}

export function postRepayment(
  trx: Tx,
  account: AccountRow,
  input: { transactionId: string; kind: string; source: MoneySource; money: Money; sourceRef: string },
): Promise<bigint | null> {
  return post(trx, account, {
    key: `servicing:${input.transactionId}`,
    eventType: input.kind === 'credit_applied' ? 'credit_applied' : 'repayment',
    sourceRef: input.sourceRef,
    description: `loan ${account.loan_no} ${input.kind.replace(/_/g, ' ')} ${input.sourceRef}`,
    pairs: repaymentPairs(account, input.source, input.money),
  });
}

/**
 * What close of business would have booked by now but has not: the interest and penalty of a
 * payoff day, a period fee charged with the payoff, interest paid ahead recognised at closure.
 */
export function postAccrued(
  trx: Tx,
  account: AccountRow,
  input: { key: string; sourceRef: string; accrued: Accrued; why: string },
): Promise<bigint | null> {
  return post(trx, account, {
    key: input.key,
    eventType: 'accrual',
    sourceRef: input.sourceRef,
    description: `loan ${account.loan_no} ${input.why}`,
    pairs: accrualPairs(account, input.accrued),
  });
}

/** What a waiver forgives, by component. */
export type Waived = { interest: bigint; fee: bigint; penalty: bigint };

/**
 * A waiver takes back income that was recognised and never will be paid: Dr income Cr receivable
 * (6011/1132, 6021/1133, 6031/1134). On a non-accrual loan the interest and penalty are held off
 * balance, so the memorandum is released instead (Dr 7099 Cr 7001/7002); on cash basis nothing was
 * booked for them, nor for a period fee, so a waiver books nothing.
 */
export function waiverPairs(account: AccountRow, waived: Waived): Pair[] {
  if (account.posting_basis === 'cash') return [];
  const off = offBalance(account);
  return [
    off
      ? { debit: '7099', credit: '7001', amount: waived.interest }
      : { debit: '6011', credit: '1132', amount: waived.interest },
    { debit: '6021', credit: '1133', amount: waived.fee },
    off
      ? { debit: '7099', credit: '7002', amount: waived.penalty }
      : { debit: '6031', credit: '1134', amount: waived.penalty },
  ];
}

export function postWaiver(
  trx: Tx,
  account: AccountRow,
  input: { transactionId: string; sourceRef: string; waived: Waived },
): Promise<bigint | null> {
  return post(trx, account, {
    key: `servicing:${input.transactionId}`,
    eventType: 'waiver',
    sourceRef: input.sourceRef,
    description: `loan ${account.loan_no} waiver ${input.sourceRef}`,
    pairs: waiverPairs(account, input.waived),
  });
}
