import type { DB, Tx } from '../../platform/db.ts';
import { unpaidOf } from './allocation.ts';
import type { AccountStatus, ServicingTx } from './tables.ts';

// What collections needs of an overdue loan to open, route and close its case: its state, days
// past due, bucket, product and how much is overdue — every installment past its due date, unpaid
// principal, interest, charged fees and penalty, as of the last closed day.

export type OverdueFigures = {
  loanId: string;
  loanNo: string;
  customerId: string;
  productCode: string;
  status: AccountStatus;
  dpd: number;
  bucket: string;
  overdueMinor: bigint;
};

export async function overdueFiguresOf(db: DB | Tx, loanId: string): Promise<OverdueFigures | undefined> {
  const t = db as unknown as ServicingTx;
  const account = await t
    .selectFrom('servicing_accounts')
    .select(['loan_id', 'loan_no', 'customer_id', 'product_code', 'status', 'dpd', 'bucket'])
    .where('loan_id', '=', loanId)
    .executeTakeFirst();
  if (account === undefined) return undefined;
  const rows = await t
    .selectFrom('servicing_installments')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('status', '=', 'due')
    .execute();
  const overdueMinor = rows.reduce((sum, row) => {
    const unpaid = unpaidOf(row);
    return sum + unpaid.principal + unpaid.interest + (row.fee_charged ? unpaid.fee : 0n) + unpaid.penalty;
  }, 0n);
  return {
    loanId: account.loan_id,
    loanNo: account.loan_no,
    customerId: account.customer_id,
    productCode: account.product_code,
    status: account.status,
    dpd: account.dpd,
    bucket: account.bucket,
    overdueMinor,
  };
}
