import { addDays, localDate } from '@fenqi/core';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { type Account, requireAccount, toAccount } from './accounts.ts';
import { balanceOf } from './balances.ts';
import * as store from './store.ts';
import type { Side } from './tables.ts';

// Reading the journal: an account's statement with its running balance, and entries with their
// lines. Pages continue from a position (a statement line, an entry id); how a position travels
// over HTTP is the routes' business (cursor.ts).

export const statementLinesMax = 1000;

/** Where a statement page ended: the last line shown. */
export type StatementCursor = { date: DateString; entryId: bigint; lineNo: number };

export type StatementLine = {
  entryId: bigint;
  lineNo: number;
  businessDate: DateString;
  postedAt: Date;
  eventType: string;
  sourceRef: string | null;
  description: string;
  side: Side;
  amountMinor: bigint;
  loanId: string | null;
  customerId: string | null;
  /** The account's balance after this line, on its normal side. */
  balanceMinor: bigint;
};

export type Statement = {
  account: Account;
  from: DateString;
  to: DateString;
  /** Balance at the end of the day before `from`. */
  openingBalanceMinor: bigint;
  /** Balance at the end of `to`. */
  closingBalanceMinor: bigint;
  lines: StatementLine[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: StatementCursor | null;
};

// The core's first LocalDate: no business date can lie before it, so nothing is booked "the day
// before" it.
const firstLocalDate = localDate('1900-01-01');

/** Totals at the end of the day before `date` (none before the first representable date). */
async function totalsBefore(db: DB | Tx, accountId: number, date: DateString) {
  const day = localDate(date);
  if (day <= firstLocalDate) return { account_id: accountId, debit_minor: 0n, credit_minor: 0n };
  const [totals] = await store.accountTotals(db, [accountId], addDays(day, -1));
  return totals;
}

/** An account's lines between two business dates with the running balance, a page at a time. */
export async function getStatement(
  db: DB | Tx,
  request: {
    code: string;
    currency: string;
    from: DateString;
    to: DateString;
    limit: number;
    cursor?: StatementCursor | undefined;
  },
): Promise<Statement> {
  const row = await requireAccount(db, request.code, request.currency);
  const side = row.normal_side;
  const signed = (s: Side, amount: bigint) => (s === side ? amount : -amount);
  const net = (t: { debit_minor: bigint; credit_minor: bigint } | undefined) =>
    balanceOf(side, t?.debit_minor ?? 0n, t?.credit_minor ?? 0n).balanceMinor;
  const { cursor } = request;
  const [opening, [closing], pageStart, lines] = await Promise.all([
    totalsBefore(db, row.id, request.from),
    store.accountTotals(db, [row.id], request.to),
    cursor === undefined ? undefined : totalsBefore(db, row.id, cursor.date),
    store.statementLines(db, row.id, { from: request.from, to: request.to }, cursor, request.limit + 1),
  ]);
  let running = net(cursor === undefined ? opening : pageStart);
  if (cursor !== undefined) {
    const day = await store.dayTotalsThrough(db, row.id, cursor.date, cursor);
    running += net(day);
  }
  const page = lines.slice(0, request.limit);
  const out: StatementLine[] = page.map((line) => {
    running += signed(line.side, line.amount_minor);
    return {
      entryId: line.entry_id,
      lineNo: line.line_no,
      businessDate: line.business_date,
      postedAt: line.posted_at,
      eventType: line.event_type,
      sourceRef: line.source_ref,
      description: line.description,
      side: line.side,
      amountMinor: line.amount_minor,
      loanId: line.loan_id,
      customerId: line.customer_id,
      balanceMinor: running,
    };
  });
  const last = page.at(-1);
  return {
    account: toAccount(row),
    from: request.from,
    to: request.to,
    openingBalanceMinor: net(opening),
    closingBalanceMinor: net(closing),
    lines: out,
    nextCursor:
      lines.length > request.limit && last
        ? { date: last.business_date, entryId: last.entry_id, lineNo: last.line_no }
        : null,
  };
}

export type JournalEntry = {
  id: bigint;
  businessDate: DateString;
  postedAt: Date;
  eventType: string;
  sourceRef: string | null;
  idempotencyKey: string;
  description: string;
  currency: string;
  reversalOf: bigint | null;
  reversedBy: bigint | null;
  lines: {
    lineNo: number;
    account: string;
    side: Side;
    amountMinor: bigint;
    currency: string;
    loanId: string | null;
    customerId: string | null;
    productId: string | null;
    merchantId: string | null;
    funderId: string | null;
  }[];
};

async function withLines(db: DB | Tx, rows: store.EntryRow[]): Promise<JournalEntry[]> {
  const lines = await store.linesOf(
    db,
    rows.map((r) => r.id),
  );
  const byEntry = new Map<bigint, JournalEntry['lines']>();
  for (const line of lines) {
    const list = byEntry.get(line.entry_id) ?? [];
    list.push({
      lineNo: line.line_no,
      account: line.account_code,
      side: line.side,
      amountMinor: line.amount_minor,
      currency: line.currency,
      loanId: line.loan_id,
      customerId: line.customer_id,
      productId: line.product_id,
      merchantId: line.merchant_id,
      funderId: line.funder_id,
    });
    byEntry.set(line.entry_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    businessDate: r.business_date,
    postedAt: r.posted_at,
    eventType: r.event_type,
    sourceRef: r.source_ref,
    idempotencyKey: r.idempotency_key,
    description: r.description,
    currency: r.currency,
    reversalOf: r.reversal_of,
    reversedBy: r.reversed_by,
    lines: byEntry.get(r.id) ?? [],
  }));
}

export async function getJournalEntry(db: DB | Tx, id: bigint): Promise<JournalEntry> {
  const row = await store.findEntry(db, id);
  if (!row) throw new AppError('journal_entry_not_found', `There is no journal entry ${id}.`);
  const [entry] = await withLines(db, [row]);
  if (!entry) throw new Error('entry vanished');
  return entry;
}

export const entriesPageMax = 500;

export type EntryQuery = {
  from?: DateString | undefined;
  to?: DateString | undefined;
  account?: { code: string; currency: string } | undefined;
  loanId?: string | undefined;
  eventType?: string | undefined;
  afterId?: bigint | undefined;
  limit: number;
};

/** Entries in id order with their lines; `nextAfterId` continues the listing. */
export async function listJournalEntries(
  db: DB | Tx,
  query: EntryQuery,
): Promise<{ entries: JournalEntry[]; nextAfterId: bigint | null }> {
  const accountId =
    query.account === undefined
      ? undefined
      : (await requireAccount(db, query.account.code, query.account.currency)).id;
  const rows = await store.listEntries(db, {
    from: query.from,
    to: query.to,
    accountId,
    loanId: query.loanId,
    eventType: query.eventType,
    afterId: query.afterId,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    entries: await withLines(db, page),
    nextAfterId: rows.length > query.limit && last ? last.id : null,
  };
}
