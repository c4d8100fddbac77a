import { sql } from 'kysely';
import type { DB } from '../../platform/db.ts';
import { loanBalancesOnAccounts } from '../ledger/service.ts';
import type { ServicingDb } from './tables.ts';

// Servicing against the ledger, for every loan at once (docs/servicing.md, "Accounting"): what
// each loan's accounts must hold by servicing's own figures, compared with the ledger's per-loan
// balances in one repeatable-read snapshot. The figures are those the repayment tests check after
// every scenario (tests/servicing/support.ts, expectLedgerMatchesServicing), set-based:
//
//   1301  principal outstanding (0 once written off)
//   1132  interest accrued through the closed-through date (a due installment in full, the current
//         period by its accrual formula — fenqi_accrued_interest, the SQL mirror of core
//         accruedInterestTo) less paid and waived; on a non-accrual loan that is held on 7001 and
//         1132 is 0; nothing on cash basis or once written off
//   1133  period fees charged less waived, less paid (a fee paid ahead is a negative receivable)
//   1134  penalty accrued less paid and waived; on 7002 for a non-accrual loan
//   2241  the credit balance

export type LedgerDifference = {
  loanId: string;
  account: string;
  servicingMinor: bigint;
  ledgerMinor: bigint;
};

export type LedgerCheck = { loans: number; differences: LedgerDifference[] };

const accounts = ['1301', '1132', '1133', '1134', '2241', '7001', '7002'] as const;

/** Every servicing account's expected ledger balances against the ledger's; the differences found. */
export async function servicingLedgerCheck(db: DB): Promise<LedgerCheck> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const expected = await sql<{
        loan_id: string;
        status: string;
        basis: string;
        non_accrual: boolean;
        principal: string;
        credit: string;
        interest: string;
        fee: string;
        penalty: string;
      }>`
        SELECT a.loan_id, a.status, a.posting_basis AS basis, a.non_accrual_since IS NOT NULL AS non_accrual,
               a.principal_outstanding::text AS principal, a.credit_balance::text AS credit,
               sum(CASE WHEN a.status = 'paid_off' OR i.due_date <= a.closed_through THEN i.interest_due
                        WHEN i.period_start < a.closed_through THEN
                          fenqi_accrued_interest(i.acc_num, i.acc_den, i.acc_days, i.interest_due,
                                                 fenqi_accrual_days(i.period_start, a.closed_through, a.day_count),
                                                 a.rounding)
                        ELSE 0 END
                   - i.interest_paid - i.interest_waived)::text AS interest,
               sum(CASE WHEN i.fee_charged THEN i.fee_due - i.fee_waived ELSE 0 END - i.fee_paid)::text AS fee,
               sum(i.penalty_accrued - i.penalty_paid - i.penalty_waived)::text AS penalty
        FROM servicing_accounts a
        JOIN servicing_installments i ON i.loan_id = a.loan_id
        GROUP BY a.loan_id
        ORDER BY a.loan_id`.execute(trx as unknown as ServicingDb);
      const ledger = new Map<string, bigint>();
      for (const row of await loanBalancesOnAccounts(trx, accounts))
        ledger.set(`${row.loanId}/${row.code}`, row.balanceMinor);
      const differences: LedgerDifference[] = [];
      for (const row of expected.rows) {
        const writtenOff = row.status === 'written_off';
        const accrual = row.basis === 'accrual' && !writtenOff;
        const interest = BigInt(row.interest);
        const penalty = BigInt(row.penalty);
        const figures: [string, bigint | null][] = [
          ['1301', writtenOff ? 0n : BigInt(row.principal)],
          ['1132', accrual && !row.non_accrual ? interest : 0n],
          ['1133', accrual ? BigInt(row.fee) : 0n],
          ['1134', accrual && !row.non_accrual ? penalty : 0n],
          ['2241', BigInt(row.credit)],
          // What a written-off loan kept off balance is its memorandum, not servicing's figure.
          ['7001', writtenOff ? null : accrual && row.non_accrual ? interest : 0n],
          ['7002', writtenOff ? null : accrual && row.non_accrual ? penalty : 0n],
        ];
        for (const [account, servicingMinor] of figures) {
          if (servicingMinor === null) continue;
          const ledgerMinor = ledger.get(`${row.loan_id}/${account}`) ?? 0n;
          if (ledgerMinor !== servicingMinor)
            differences.push({ loanId: row.loan_id, account, servicingMinor, ledgerMinor });
        }
      }
      return { loans: expected.rows.length, differences };
    });
}
