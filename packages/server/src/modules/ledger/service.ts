import type { DB, Tx } from '../../platform/db.ts';
import type { JobDefinition } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DateString } from '../../platform/tables.ts';
import { requireAccount } from './accounts.ts';
import { foldLedgerBalances } from './balances.ts';
import * as store from './store.ts';
import { describeDrift, verifyLedger } from './verify.ts';

// The ledger's public service: every module posts through these functions, inside its own
// transaction, and reads balances through them. Nothing else touches the ledger's tables.
// posting.ts posts, accounts.ts keeps the chart, balances.ts and statements.ts read, verify.ts
// recomputes the balances from the lines.

export { type Account, type AccountSpec, closeAccount, openAccount } from './accounts.ts';
export {
  type AccountWithBalance,
  type Balance,
  foldLedgerBalances,
  getAccountBalance,
  getLoanBalance,
  getTrialBalance,
  type LoanAccountBalance,
  listAccountBalances,
  movementOfEntries,
  type TrialBalance,
  type TrialBalanceRow,
} from './balances.ts';
export type { JournalEntryInput, JournalLineInput, LineDimensions, PostedEntry } from './journal.ts';
export { type LoanAccountBalanceRow, loanBalancesOnAccounts } from './loan-balances.ts';
export { type LoanLine, type LoanLinePosition, listLoanLines, loanLinesPageMax } from './loan-lines.ts';
/** Whether a manual journal would post, checked by posting it in a savepoint rolled back. */
export { checkPostable as checkManualJournalPostable } from './manual-journals.ts';
export {
  batchEntriesMax,
  configureProductPosting,
  fenceLedgerForDayClose,
  type ManualJournal,
  postEvent,
  postJournal,
  postJournals,
  postJournalsBulk,
  postJournalsStaged,
  postManualJournal,
  type ReversalEvent,
  type ReversalOptions,
  reverseJournal,
} from './posting.ts';
export type { BusinessEvent, PostingEventType, ProductPosting } from './posting-rules.ts';
export { manualJournalSchema } from './schemas.ts';
export {
  type EntryQuery,
  entriesPageMax,
  getJournalEntry,
  getStatement,
  type JournalEntry,
  listJournalEntries,
  type Statement,
  type StatementCursor,
  type StatementLine,
  statementLinesMax,
} from './statements.ts';

export {
  type Drift,
  type DriftKind,
  describeDrift,
  type LedgerVerification,
  verifyLedger,
} from './verify.ts';

export type FunderMovement = {
  loanId: string | null;
  eventType: string;
  /** The account code. */
  code: string;
  debitMinor: bigint;
  creditMinor: bigint;
};

/**
 * What the lines booked against one funder (the `funderId` dimension) put on the given accounts
 * over business dates `from`…`to` (from the first day when `from` is absent), per loan, event type
 * and account: a funder's statement and balances read from the ledger (docs/funding.md).
 */
export async function funderMovements(
  db: DB | Tx,
  input: {
    funderId: string;
    accounts: readonly string[];
    currency?: string;
    from?: DateString | undefined;
    to: DateString;
  },
): Promise<FunderMovement[]> {
  const currency = input.currency ?? 'CNY';
  const accounts = await Promise.all(input.accounts.map((code) => requireAccount(db, code, currency)));
  const rows = await store.funderMovements(db, {
    funderId: input.funderId,
    accountIds: accounts.map((account) => account.id),
    from: input.from ?? null,
    to: input.to,
  });
  return rows.map((row) => ({
    loanId: row.loan_id,
    eventType: row.event_type,
    code: row.code,
    debitMinor: row.debit_minor,
    creditMinor: row.credit_minor,
  }));
}

/**
 * Background jobs of the ledger (declared in ledger/module.ts, run by the worker): the fold every minute,
 * and once a day a verification of every balance against the lines, which logs an error naming
 * each drifted account or entry.
 */
export function ledgerJobs(db: DB, logger: Logger): JobDefinition[] {
  return [
    {
      name: 'ledger-fold-balances',
      cron: '* * * * *',
      run: async () => {
        const outcome = await foldLedgerBalances(db);
        return { folded: outcome.folded, accounts: outcome.accounts, lines: outcome.lines };
      },
    },
    {
      name: 'ledger-verify',
      // Daily, at 03:41 UTC (11:41 in Asia/Shanghai, away from close of business): it reads every line.
      cron: '41 3 * * *',
      run: async () => {
        const result = await verifyLedger(db);
        if (!result.ok) {
          logger.error(
            { job: 'ledger-verify', drift: result.drift.map(describeDrift) },
            `ledger drift: ${result.drift.length} problem(s): ${result.drift.map(describeDrift).join('; ')}`,
          );
        }
        return {
          ok: result.ok,
          drift: result.drift.length,
          accounts: result.accounts,
          lines: String(result.lines),
        };
      },
    },
  ];
}
