import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import { type Account, requireAccount, toAccount } from './accounts.ts';
import * as store from './store.ts';
import type { AccountType, Side } from './tables.ts';

// Balances: per account (now or as of a business date), per loan, the trial balance, and the fold
// that keeps them fast (docs/adr/0004-ledger-balances-folded-not-locked.md).

export type Balance = {
  debitMinor: bigint;
  creditMinor: bigint;
  /** Debits less credits for a debit-normal account, credits less debits otherwise. */
  balanceMinor: bigint;
};

export function balanceOf(normalSide: Side, debitMinor: bigint, creditMinor: bigint): Balance {
  return {
    debitMinor,
    creditMinor,
    balanceMinor: normalSide === 'debit' ? debitMinor - creditMinor : creditMinor - debitMinor,
  };
}

export type AccountWithBalance = Account & { balance: Balance };

/**
 * What the given entries put on one account: the debits and credits of their lines on it. For a
 * module that books its own movements and must check them against a third party's figures
 * (reconciliation against a channel's statement holds the entry ids it posted).
 */
export async function movementOfEntries(
  db: DB | Tx,
  input: { account: string; currency: string; entryIds: readonly bigint[] | { table: string } },
): Promise<{ debitMinor: bigint; creditMinor: bigint; lines: number }> {
  const account = await requireAccount(db, input.account, input.currency);
  return store.movementOfEntries(db, account.id, input.entryIds);
}

/** The chart with each account's balance now, or at the end of business date `asOf`. */
export async function listAccountBalances(db: DB | Tx, asOf?: DateString): Promise<AccountWithBalance[]> {
  const [rows, totals] = await Promise.all([store.listAccounts(db), store.accountTotals(db, 'all', asOf)]);
  const byId = new Map(totals.map((t) => [t.account_id, t]));
  return rows.map((row) => {
    const t = byId.get(row.id);
    return {
      ...toAccount(row),
      balance: balanceOf(row.normal_side, t?.debit_minor ?? 0n, t?.credit_minor ?? 0n),
    };
  });
}

/** One account's balance now (including the caller's own uncommitted postings when given its trx), or as of a date. */
export async function getAccountBalance(
  db: DB | Tx,
  code: string,
  currency: string,
  asOf?: DateString,
): Promise<AccountWithBalance> {
  const row = await requireAccount(db, code, currency);
  const [totals] = await store.accountTotals(db, [row.id], asOf);
  return {
    ...toAccount(row),
    balance: balanceOf(row.normal_side, totals?.debit_minor ?? 0n, totals?.credit_minor ?? 0n),
  };
}

export type LoanAccountBalance = {
  code: string;
  currency: string;
  nameZh: string;
  nameEn: string;
  normalSide: Side;
  balance: Balance;
};

/** A loan's balance on every account it touched (principal, interest receivable, …). */
export async function getLoanBalance(
  db: DB | Tx,
  loanId: string,
  asOf?: DateString,
): Promise<LoanAccountBalance[]> {
  const totals = await store.loanTotals(db, loanId, asOf);
  const rows = totals.map((t) => ({
    code: t.code,
    currency: t.currency,
    nameZh: t.name_zh,
    nameEn: t.name_en,
    normalSide: t.normal_side,
    balance: balanceOf(t.normal_side, t.debit_minor, t.credit_minor),
  }));
  return rows.sort((a, b) => a.currency.localeCompare(b.currency) || a.code.localeCompare(b.code));
}

export type TrialBalanceRow = {
  code: string;
  nameZh: string;
  nameEn: string;
  type: AccountType;
  debitMinor: bigint;
  creditMinor: bigint;
  /** The net balance on the side where it falls: one of the two is zero. */
  debitBalanceMinor: bigint;
  creditBalanceMinor: bigint;
};

export type TrialBalance = {
  businessDate: DateString;
  currencies: {
    currency: string;
    accounts: TrialBalanceRow[];
    totalDebitMinor: bigint;
    totalCreditMinor: bigint;
    /** Total debit balances less total credit balances: zero for a balanced ledger. */
    differenceMinor: bigint;
  }[];
};

/** Every account with activity up to the end of `businessDate`, per currency; the totals agree. */
export async function getTrialBalance(db: DB | Tx, businessDate: DateString): Promise<TrialBalance> {
  const [accounts, totals] = await Promise.all([
    store.listAccounts(db),
    store.accountTotals(db, 'all', businessDate),
  ]);
  const byId = new Map(totals.map((t) => [t.account_id, t]));
  const currencies = new Map<string, TrialBalance['currencies'][number]>();
  for (const account of accounts) {
    const t = byId.get(account.id);
    if (!t || (t.debit_minor === 0n && t.credit_minor === 0n)) continue;
    let group = currencies.get(account.currency);
    if (!group) {
      group = {
        currency: account.currency,
        accounts: [],
        totalDebitMinor: 0n,
        totalCreditMinor: 0n,
        differenceMinor: 0n,
      };
      currencies.set(account.currency, group);
    }
    const net = t.debit_minor - t.credit_minor;
    const row: TrialBalanceRow = {
      code: account.code,
      nameZh: account.name_zh,
      nameEn: account.name_en,
      type: account.type,
      debitMinor: t.debit_minor,
      creditMinor: t.credit_minor,
      debitBalanceMinor: net > 0n ? net : 0n,
      creditBalanceMinor: net < 0n ? -net : 0n,
    };
    group.accounts.push(row);
    group.totalDebitMinor += row.debitBalanceMinor;
    group.totalCreditMinor += row.creditBalanceMinor;
  }
  for (const group of currencies.values())
    group.differenceMinor = group.totalDebitMinor - group.totalCreditMinor;
  return {
    businessDate,
    currencies: [...currencies.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

/**
 * Folds posted lines into the balance tables (own transaction). Balances are exact without it;
 * folding keeps balance reads fast. Run by the worker every minute (`ledgerJobs`); any number of
 * workers may call it at once (only one folds at a time).
 */
export async function foldLedgerBalances(db: DB): Promise<store.FoldOutcome> {
  return db.transaction().execute((trx) => store.foldBalances(trx));
}
