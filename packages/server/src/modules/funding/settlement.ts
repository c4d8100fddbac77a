import { CNY, formatMinor, splitComponents } from '@fenqi/core';
import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import * as ledger from '../ledger/service.ts';
import type { LoanShare } from './allocation.ts';
import { type Funder, funderById } from './funders.ts';

// Settlement (清分): a repayment's components split between a loan's funders, and each funder's
// daily statement read from the ledger by the funder dimension (every journal line of a loan
// carries the funder whose share it books).

export type FunderAmounts<K extends string> = {
  funderId: string;
  funderCode: string;
  amounts: Record<K, bigint>;
};

/**
 * Each component of a repayment split between the loan's funders, each exactly (largest
 * remainder, ties to the earlier share). The weights are what each funder funded; pass
 * `heldMinor` — each funder's principal still outstanding, from the ledger by funder — to split by
 * what they hold now: a final payoff of the whole outstanding principal then gives every funder
 * exactly its own outstanding principal, whatever earlier repayments were rounded.
 */
export function splitRepayment<K extends string>(
  shares: readonly LoanShare[],
  amounts: Readonly<Record<K, bigint>>,
  options: { heldMinor?: ReadonlyMap<string, bigint> } = {},
): FunderAmounts<K>[] {
  const held = shares.map((share) => options.heldMinor?.get(share.funderId) ?? share.principalMinor);
  const weights = held.some((weight) => weight > 0n) ? held : shares.map((share) => BigInt(share.shareBp));
  const parts = splitComponents(amounts, weights);
  return shares.map((share, index) => ({
    funderId: share.funderId,
    funderCode: share.funderCode,
    amounts: parts[index] ?? ({} as Record<K, bigint>),
  }));
}

/** The accounts a statement reads, and which column each feeds (docs/funding.md, "Statements"). */
const principalAccount = '1301';
const collected = {
  interest: ['1132', '6011'],
  fee: ['1133', '6021'],
  penalty: ['1134', '6031'],
} as const;
const statementAccounts = [principalAccount, ...Object.values(collected).flat()];

export type StatementFigures = {
  /** Principal the funder's share of the loan paid out (debits to 1301 on disbursements). */
  principalFundedMinor: bigint;
  /** Principal repaid to the funder's share (credits to 1301 on repayments). */
  principalRepaidMinor: bigint;
  /** Every other change to the funder's principal: refunds, write-offs, reversals (net credit to 1301). */
  principalOtherMinor: bigint;
  /** Interest, fees and penalty interest collected on repayments (credits to their receivable or income accounts). */
  interestMinor: bigint;
  feeMinor: bigint;
  penaltyMinor: bigint;
};

export type StatementRow = StatementFigures & { loanId: string | null };

export type FunderStatement = {
  funder: Pick<Funder, 'id' | 'code' | 'name' | 'kind'>;
  businessDate: DateString;
  rows: StatementRow[];
  totals: StatementFigures;
};

const zero = (): StatementFigures => ({
  principalFundedMinor: 0n,
  principalRepaidMinor: 0n,
  principalOtherMinor: 0n,
  interestMinor: 0n,
  feeMinor: 0n,
  penaltyMinor: 0n,
});

function add(figures: StatementFigures, movement: ledger.FunderMovement): void {
  const credit = movement.creditMinor - movement.debitMinor;
  if (movement.code === principalAccount) {
    if (movement.eventType === 'disbursement') figures.principalFundedMinor -= credit;
    else if (movement.eventType === 'repayment') figures.principalRepaidMinor += credit;
    else figures.principalOtherMinor += credit;
    return;
  }
  // Interest, fee and penalty count when collected: accruals, refunds and write-offs are not cash.
  if (movement.eventType !== 'repayment') return;
  if ((collected.interest as readonly string[]).includes(movement.code)) figures.interestMinor += credit;
  else if ((collected.fee as readonly string[]).includes(movement.code)) figures.feeMinor += credit;
  else if ((collected.penalty as readonly string[]).includes(movement.code)) figures.penaltyMinor += credit;
}

/**
 * A funder's statement of one business day: per loan, the principal it funded and was repaid, the
 * other principal changes, and the interest, fees and penalty interest collected for it — all read
 * from the ledger's lines carrying its funder id, so the statement is the ledger's own figures.
 */
export async function funderStatement(
  db: DB | Tx,
  funderId: string,
  businessDate: DateString,
): Promise<FunderStatement> {
  const funder = await funderById(db, funderId);
  const movements = await ledger.funderMovements(db, {
    funderId: funder.id,
    accounts: statementAccounts,
    from: businessDate,
    to: businessDate,
  });
  const byLoan = new Map<string | null, StatementFigures>();
  const totals = zero();
  for (const movement of movements) {
    let figures = byLoan.get(movement.loanId);
    if (!figures) {
      figures = zero();
      byLoan.set(movement.loanId, figures);
    }
    add(figures, movement);
    add(totals, movement);
  }
  const rows = [...byLoan.entries()]
    .map(([loanId, figures]) => ({ loanId, ...figures }))
    .filter((row) => Object.values(row).some((value) => typeof value === 'bigint' && value !== 0n));
  return {
    funder: { id: funder.id, code: funder.code, name: funder.name, kind: funder.kind },
    businessDate,
    rows,
    totals,
  };
}

export const statementCsvColumns = [
  'business_date',
  'funder_code',
  'loan_id',
  'principal_funded',
  'principal_repaid',
  'principal_other',
  'interest',
  'fee',
  'penalty',
] as const;

const yuan = (minor: bigint) => formatMinor(minor, CNY.minorDigits);

/**
 * The statement as CSV (RFC 4180: comma-separated, CRLF line ends, a header line): one line per
 * loan in loan-id order, amounts in yuan with two decimals, and a last line `TOTAL` in the loan
 * column. No field can hold a comma, quote or line break (dates, funder codes, uuids, amounts), so
 * none is quoted.
 */
export function funderStatementCsv(statement: FunderStatement): string {
  const line = (loan: string, figures: StatementFigures) =>
    [
      statement.businessDate,
      statement.funder.code,
      loan,
      yuan(figures.principalFundedMinor),
      yuan(figures.principalRepaidMinor),
      yuan(figures.principalOtherMinor),
      yuan(figures.interestMinor),
      yuan(figures.feeMinor),
      yuan(figures.penaltyMinor),
    ].join(',');
  return [
    statementCsvColumns.join(','),
    ...statement.rows.map((row) => line(row.loanId ?? '', row)),
    line('TOTAL', statement.totals),
  ]
    .map((text) => `${text}\r\n`)
    .join('');
}
