import type { DB } from '../../platform/db.ts';
import type { JobDefinition } from '../../platform/jobs.ts';
import { foldLedgerBalances } from './balances.ts';

// The ledger's public service: every module posts through these functions, inside its own
// transaction, and reads balances through them. Nothing else touches the ledger's tables.
// posting.ts posts, accounts.ts keeps the chart, balances.ts and statements.ts read.

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
  type TrialBalance,
  type TrialBalanceRow,
} from './balances.ts';
export type { JournalEntryInput, JournalLineInput, LineDimensions, PostedEntry } from './journal.ts';
export {
  batchEntriesMax,
  configureProductPosting,
  fenceLedgerForDayClose,
  type ManualJournal,
  postEvent,
  postJournal,
  postJournals,
  postManualJournal,
  type ReversalEvent,
  type ReversalOptions,
  reverseJournal,
} from './posting.ts';
export type { BusinessEvent, PostingEventType, ProductPosting } from './posting-rules.ts';
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

/** Background jobs of the ledger (modules/jobs.ts runs them in the worker). */
export function ledgerJobs(db: DB): JobDefinition[] {
  return [
    {
      name: 'ledger-fold-balances',
      cron: '* * * * *',
      run: async () => {
        const outcome = await foldLedgerBalances(db);
        return { folded: outcome.folded, accounts: outcome.accounts, lines: outcome.lines };
      },
    },
  ];
}
