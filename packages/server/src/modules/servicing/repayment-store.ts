import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import type { AccountRow, InstallmentRow } from './allocation.ts';
import type {
  ServicingAccountTable,
  ServicingDb,
  ServicingInstallmentTable,
  ServicingTransactionTable,
  ServicingTx,
} from './tables.ts';

// The SQL of repayments over servicing's own tables. A locking read takes a transaction only.

export type TransactionRow = Selectable<ServicingTransactionTable>;

const tx = (trx: Tx) => trx as unknown as ServicingTx;

/** The account row under its lock (the first lock of every change to an account). */
export async function lockAccount(trx: Tx, loanId: string): Promise<AccountRow | undefined> {
  return tx(trx)
    .selectFrom('servicing_accounts')
    .selectAll()
    .where('loan_id', '=', loanId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findAccount(db: ServicingDb, loanId: string): Promise<AccountRow | undefined> {
  return db.selectFrom('servicing_accounts').selectAll().where('loan_id', '=', loanId).executeTakeFirst();
}

export async function installmentsOf(db: ServicingDb, loanId: string): Promise<InstallmentRow[]> {
  return db
    .selectFrom('servicing_installments')
    .selectAll()
    .where('loan_id', '=', loanId)
    .orderBy('number')
    .execute();
}

export async function updateAccount(
  trx: Tx,
  loanId: string,
  patch: Updateable<ServicingAccountTable>,
): Promise<AccountRow> {
  return tx(trx)
    .updateTable('servicing_accounts')
    .set({ ...patch, updated_at: new Date() })
    .where('loan_id', '=', loanId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateInstallment(
  trx: Tx,
  loanId: string,
  number: number,
  patch: Updateable<ServicingInstallmentTable>,
): Promise<void> {
  await tx(trx)
    .updateTable('servicing_installments')
    .set(patch)
    .where('loan_id', '=', loanId)
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
}

/** A new schedule version replaces the installments after `number` (none of them is settled). */
export async function replaceInstallmentsAfter(
  trx: Tx,
  loanId: string,
  number: number,
  rows: Insertable<ServicingInstallmentTable>[],
): Promise<void> {
  await tx(trx)
    .deleteFrom('servicing_installments')
    .where('loan_id', '=', loanId)
    .where('number', '>', number)
    .execute();
  if (rows.length > 0) await tx(trx).insertInto('servicing_installments').values(rows).execute();
}

export async function funderShares(
  db: ServicingDb,
  loanId: string,
): Promise<{ funderId: string; shareBp: number }[]> {
  const rows = await db
    .selectFrom('servicing_funder_shares')
    .select(['funder_id', 'share_bp'])
    .where('loan_id', '=', loanId)
    .orderBy('ordinal')
    .execute();
  return rows.map((row) => ({ funderId: row.funder_id, shareBp: row.share_bp }));
}

export async function transactionBySource(
  db: ServicingDb,
  sourceRef: string,
): Promise<TransactionRow | undefined> {
  return db
    .selectFrom('servicing_transactions')
    .selectAll()
    .where('source_ref', '=', sourceRef)
    .executeTakeFirst();
}

export async function findTransaction(db: ServicingDb, id: string): Promise<TransactionRow | undefined> {
  return db.selectFrom('servicing_transactions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertTransaction(
  trx: Tx,
  row: Insertable<ServicingTransactionTable>,
): Promise<TransactionRow> {
  // clock_timestamp, not now(): transactions of one account are ordered by when they took its lock.
  return tx(trx)
    .insertInto('servicing_transactions')
    .values({ ...row, created_at: sql<Date>`clock_timestamp()` as unknown as Date })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markReversed(trx: Tx, id: string, reversedBy: string): Promise<void> {
  await tx(trx)
    .updateTable('servicing_transactions')
    .set({ reversed_by: reversedBy })
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** The loan's money transactions after `after` that still stand (not reversed, not reversals). */
export async function laterTransactions(trx: Tx, loanId: string, after: Date, id: string): Promise<number> {
  const row = await tx(trx)
    .selectFrom('servicing_transactions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('loan_id', '=', loanId)
    .where('id', '<>', id)
    .where('kind', '<>', 'reversal')
    .where('reversed_by', 'is', null)
    .where('created_at', '>', after)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertHistory(
  trx: Tx,
  row: {
    loanId: string;
    businessDate: DateString;
    dpd: number;
    from: string;
    to: string;
    cause: 'repayment' | 'reversal' | 'waiver';
  },
): Promise<void> {
  await tx(trx)
    .insertInto('servicing_delinquency_history')
    .values({
      loan_id: row.loanId,
      business_date: row.businessDate,
      dpd: row.dpd,
      bucket_from: row.from,
      bucket_to: row.to,
      cause: row.cause,
    })
    .execute();
}

/** Accounts among `loanIds` (all when null) that hold a credit balance and owe something due. */
export async function creditAccountsOwing(trx: Tx, loanIds: readonly string[] | null): Promise<string[]> {
  let query = tx(trx)
    .selectFrom('servicing_accounts')
    .select('loan_id')
    .where('credit_balance', '>', 0n)
    .where('status', 'in', ['active', 'overdue'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('servicing_installments as i')
          .select('i.number')
          .whereRef('i.loan_id', '=', 'servicing_accounts.loan_id')
          .where('i.status', '=', 'due'),
      ),
    )
    .orderBy('loan_id');
  if (loanIds !== null) {
    if (loanIds.length === 0) return [];
    query = query.where('loan_id', 'in', [...loanIds]);
  }
  return (await query.execute()).map((row) => row.loan_id);
}
