import { sql } from 'kysely';
import { fenceLedgerForDayClose } from '../../src/modules/ledger/service.ts';
import { closeAccountsForDay } from '../../src/modules/servicing/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import type { DB } from '../../src/platform/db.ts';
import type { DateString } from '../../src/platform/tables.ts';
import { until } from '../loans/support.ts';

// Business dates moved as close of business moves them, without modules/cob: one transaction that
// fences the ledger, closes every open account for the open date and advances the date.

const everyLoan = { from: '00000000-0000-0000-0000-000000000000', to: null, key: 'test' } as const;

/** Closes the open business date for every account and opens the next; answers the new date. */
export async function closeDay(db: DB): Promise<DateString> {
  return db.transaction().execute(async (trx) => {
    const date = await getBusinessDate(trx);
    await fenceLedgerForDayClose(trx);
    await closeAccountsForDay(trx, date, everyLoan);
    return advanceBusinessDate(trx, date);
  });
}

/** Closes day after day until `last` is closed (the open date is then the day after it). */
export async function closeDaysThrough(db: DB, last: DateString): Promise<DateString> {
  let open = await getBusinessDate(db);
  while (open <= last) open = await closeDay(db);
  return open;
}

/** Waits for the servicing.open-account consumer (on loans.loan-disbursed) to open the account. */
export async function servicingAccountOpened(db: DB, loanId: string): Promise<void> {
  await until(async () => {
    const found = await sql<{ one: number }>`
      SELECT 1 AS one FROM servicing_accounts WHERE loan_id = ${loanId}::uuid`.execute(db);
    return found.rows.length > 0;
  });
}
