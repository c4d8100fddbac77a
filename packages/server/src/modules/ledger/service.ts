import type { z } from 'zod';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { JobDefinition } from '../../platform/jobs.ts';
import type { DateString } from '../../platform/tables.ts';
import { type JournalEntryInput, type PostedEntry, type PreparedEntry, prepareEntry } from './journal.ts';
import {
  type BusinessEvent,
  entryForEvent,
  type ProductPosting,
  productPostingSchema,
  ruleBookFor,
} from './posting-rules.ts';
import { manualJournalSchema } from './schemas.ts';
import * as store from './store.ts';
import type { AccountStatus, AccountType, Side } from './tables.ts';

// The ledger's public service: every module posts through these functions, inside its own
// transaction, and reads balances through them. Nothing else touches the ledger's tables.

export type { JournalEntryInput, JournalLineInput, LineDimensions, PostedEntry } from './journal.ts';
export type { BusinessEvent, PostingEventType, ProductPosting } from './posting-rules.ts';

/** Entries per postJournals call: one statement carries them all. */
export const batchEntriesMax = 5000;

// ---- Posting ----

/** A problem with a whole entry (no line, account or date involved). */
function entryProblem(kind: store.PostingProblem['kind'], entry: number): store.PostingProblem {
  return { kind, entry, line: null, account: null, currency: '', businessDate: null, openDate: '' };
}

function problemError(problem: store.PostingProblem, entries: readonly PreparedEntry[]): AppError {
  const entry = entries[problem.entry];
  const prefix = entries.length > 1 ? `Entry ${problem.entry + 1} (${entry?.idempotencyKey}): ` : '';
  const linePath = problem.line === null ? undefined : `lines.${problem.line - 1}.account`;
  switch (problem.kind) {
    case 'account_not_found':
      return new AppError(
        'account_not_found',
        `${prefix}Line ${problem.line} names account ${problem.account} in ${problem.currency}, which does not exist.`,
        linePath === undefined
          ? {}
          : { errors: [{ path: linePath, message: 'no such account in this currency' }] },
      );
    case 'account_closed':
      return new AppError(
        'account_closed',
        `${prefix}Line ${problem.line} names account ${problem.account} (${problem.currency}), which is closed.`,
        linePath === undefined ? {} : { errors: [{ path: linePath, message: 'the account is closed' }] },
      );
    case 'journal_business_date_not_open':
      return new AppError(
        'journal_business_date_not_open',
        `${prefix}The entry is dated ${problem.businessDate}; the open business day is ${problem.openDate}.`,
        { extensions: { businessDate: problem.businessDate, openBusinessDate: problem.openDate } },
      );
    case 'journal_idempotency_conflict':
      return new AppError(
        'journal_idempotency_conflict',
        `${prefix}Idempotency key ${entry?.idempotencyKey} was already posted with other content; a key names one entry.`,
      );
    case 'journal_already_reversed':
      return new AppError(
        'journal_already_reversed',
        `${prefix}Entry ${entry?.reversalOf} was already reversed.`,
      );
  }
}

async function post(trx: Tx, prepared: readonly PreparedEntry[]): Promise<PostedEntry[]> {
  if (prepared.length === 0) return [];
  if (prepared.length > batchEntriesMax)
    throw new Error(`postJournals takes at most ${batchEntriesMax} entries`);
  if (new Set(prepared.map((e) => e.idempotencyKey)).size !== prepared.length) {
    throw new Error('postJournals was given two entries with one idempotency key');
  }
  const outcome = await store.insertEntries(trx, prepared);
  const [problem] = outcome.problems;
  if (problem) throw problemError(problem, prepared);
  const stored = new Map<number, { header: Omit<store.StoredHeader, 'n'>; replayed: boolean }>();
  for (const header of outcome.inserted) stored.set(header.n, { header, replayed: false });
  for (const header of outcome.replayed) stored.set(header.n, { header, replayed: true });
  const missing = prepared.flatMap((entry, n) => (stored.has(n) ? [] : [{ entry, n }]));
  if (missing.length > 0) {
    // Lost a race: another transaction committed the same key (or a reversal of the same entry)
    // after this statement's snapshot. What was inserted for other entries of a batch stays in
    // the caller's transaction, which an error rolls back.
    const existing = await store.findHeadersByKey(
      trx,
      missing.map((m) => m.entry.idempotencyKey),
    );
    for (const { entry, n } of missing) {
      const found = existing.get(entry.idempotencyKey);
      if (found === undefined) {
        throw problemError(entryProblem('journal_already_reversed', n), prepared);
      }
      if (found.fingerprint !== entry.fingerprint) {
        throw problemError(entryProblem('journal_idempotency_conflict', n), prepared);
      }
      stored.set(n, { header: found, replayed: true });
    }
  }
  return prepared.map((entry, n) => {
    const found = stored.get(n);
    if (found === undefined) throw new Error(`entry ${n} was neither posted nor found`);
    return {
      id: found.header.id,
      businessDate: found.header.businessDate,
      postedAt: found.header.postedAt,
      idempotencyKey: entry.idempotencyKey,
      eventType: entry.eventType,
      currency: entry.currency,
      reversalOf: found.header.reversalOf,
      replayed: found.replayed,
    };
  });
}

/**
 * Posts one balanced journal entry in the caller's transaction, or throws a catalogue error and
 * writes nothing (the transaction stays usable). A repeated idempotency key with the same content
 * returns the first entry (`replayed: true`) and writes nothing; with other content it is a
 * `journal_idempotency_conflict`. Never waits on another posting's locks: balances are folded
 * later (docs/adr/0004-ledger-balances-folded-not-locked.md), so concurrent posters cannot
 * deadlock here.
 */
export async function postJournal(trx: Tx, entry: JournalEntryInput): Promise<PostedEntry> {
  const [posted] = await post(trx, [prepareEntry(entry)]);
  if (posted === undefined) throw new Error('postJournal posted nothing');
  return posted;
}

/**
 * Posts many entries with one statement (set-based; for close of business and imports). All are
 * checked first; if any breaks a rule, nothing is written and the first problem is thrown.
 */
export async function postJournals(trx: Tx, entries: readonly JournalEntryInput[]): Promise<PostedEntry[]> {
  return post(
    trx,
    entries.map((entry) => prepareEntry(entry)),
  );
}

export type ReversalOptions = { idempotencyKey: string; description?: string; businessDate?: DateString };

/**
 * Posts the mirror image of an entry (every line on the other side), linked to it. An entry is
 * reversed at most once (`journal_already_reversed`); the reversal is dated the open business
 * day, so a closed day's figures never change.
 */
export async function reverseJournal(
  trx: Tx,
  entryId: bigint,
  options: ReversalOptions,
): Promise<PostedEntry> {
  const original = await store.findEntry(trx, entryId);
  if (!original) throw new AppError('journal_entry_not_found', `There is no journal entry ${entryId}.`);
  const lines = await store.linesOf(trx, [entryId]);
  const description =
    options.description ??
    `Reversal of entry ${entryId}${original.description ? `: ${original.description}` : ''}`;
  const entry: JournalEntryInput = {
    idempotencyKey: options.idempotencyKey,
    eventType: 'reversal',
    businessDate: options.businessDate,
    sourceRef: `ledger-entry:${entryId}`,
    description: description.slice(0, 500),
    lines: lines.map((line) => ({
      account: line.account_code,
      side: line.side === 'debit' ? 'credit' : 'debit',
      amountMinor: line.amount_minor,
      currency: line.currency,
      loanId: line.loan_id ?? undefined,
      customerId: line.customer_id ?? undefined,
      productId: line.product_id ?? undefined,
      merchantId: line.merchant_id ?? undefined,
      funderId: line.funder_id ?? undefined,
    })),
  };
  const [posted] = await post(trx, [prepareEntry(entry, entryId)]);
  if (posted === undefined) throw new Error('reverseJournal posted nothing');
  return posted;
}

export type ReversalEvent = {
  type: 'reversal';
  idempotencyKey: string;
  entryId: bigint;
  description?: string;
  businessDate?: DateString;
};

/**
 * Posts a business event through the product's posting rules (or the default accrual map). Returns
 * null when the rules book nothing for the event (a cash-basis accrual). A `reversal` event
 * reverses the entry it names.
 */
export async function postEvent(trx: Tx, event: BusinessEvent | ReversalEvent): Promise<PostedEntry | null> {
  if (event.type === 'reversal') {
    return reverseJournal(trx, event.entryId, {
      idempotencyKey: event.idempotencyKey,
      ...(event.description === undefined ? {} : { description: event.description }),
      ...(event.businessDate === undefined ? {} : { businessDate: event.businessDate }),
    });
  }
  const configured =
    event.productId === undefined ? undefined : await store.findProductPosting(trx, event.productId);
  const posting =
    configured === undefined
      ? undefined
      : productPostingSchema.parse({ basis: configured.basis, ...(configured.overrides as object) });
  const entry = entryForEvent(event, ruleBookFor(posting));
  return entry === undefined ? null : postJournal(trx, entry);
}

/** Stores a product's posting basis and overrides; later events of the product post by them. */
export async function configureProductPosting(
  trx: Tx,
  productId: string,
  posting: ProductPosting,
): Promise<void> {
  const parsed = productPostingSchema.safeParse(posting);
  if (!parsed.success) {
    throw new AppError(
      'validation_failed',
      `The posting configuration of product ${productId} is not valid.`,
      {
        errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      },
    );
  }
  const { basis, ...overrides } = parsed.data;
  await store.upsertProductPosting(trx, productId, basis, overrides);
}

export type ManualJournal = z.output<typeof manualJournalSchema>;

/**
 * Posts a manual journal entry (an adjustment by finance) that a checker other than its maker
 * approved. Only the approval framework's action calls this: there is deliberately no HTTP route
 * that posts one directly. The approval id names the entry, so a re-run of an approval posts once.
 */
export async function postManualJournal(
  trx: Tx,
  journal: ManualJournal,
  approval: { approvalId: string; makerId: string; checkerId: string },
): Promise<PostedEntry> {
  if (approval.makerId === approval.checkerId)
    throw new Error('a manual journal needs a checker other than its maker');
  const parsed = manualJournalSchema.parse(journal);
  return postJournal(trx, {
    idempotencyKey: `manual:${approval.approvalId}`,
    eventType: 'manual',
    businessDate: parsed.businessDate,
    sourceRef: `approval:${approval.approvalId}`,
    description: parsed.description,
    lines: parsed.lines.map((line) => ({ ...line, amountMinor: BigInt(line.amountMinor) })),
  });
}

// ---- Accounts ----

export type Account = {
  code: string;
  currency: string;
  nameZh: string;
  nameEn: string;
  type: AccountType;
  normalSide: Side;
  parentCode: string | null;
  status: AccountStatus;
  createdAt: Date;
  closedAt: Date | null;
};

function toAccount(row: store.AccountRow, codeById: ReadonlyMap<number, string>): Account {
  return {
    code: row.code,
    currency: row.currency,
    nameZh: row.name_zh,
    nameEn: row.name_en,
    type: row.type,
    normalSide: row.normal_side,
    parentCode: row.parent_id === null ? null : (codeById.get(row.parent_id) ?? null),
    status: row.status,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}

export type AccountSpec = {
  code: string;
  currency: string;
  nameZh: string;
  nameEn: string;
  type: AccountType;
  /** Defaults to the type's side (debit for assets and expenses); set it for contra accounts. */
  normalSide?: Side;
  parentCode?: string;
};

const normalSideOf: Record<AccountType, Side> = {
  asset: 'debit',
  expense: 'debit',
  liability: 'credit',
  equity: 'credit',
  income: 'credit',
};

/** Opens an account (a channel's clearing account, a funder's payable, a new currency). */
export async function openAccount(trx: Tx, spec: AccountSpec): Promise<Account> {
  let parentId: number | null = null;
  if (spec.parentCode !== undefined) {
    const parent = await store.findAccount(trx, spec.parentCode, spec.currency);
    if (!parent)
      throw new AppError(
        'account_not_found',
        `There is no account ${spec.parentCode} in ${spec.currency} to be the parent.`,
      );
    parentId = parent.id;
  }
  const row = await store.insertAccount(trx, {
    code: spec.code,
    currency: spec.currency,
    name_zh: spec.nameZh,
    name_en: spec.nameEn,
    type: spec.type,
    normal_side: spec.normalSide ?? normalSideOf[spec.type],
    parent_id: parentId,
  });
  if (!row)
    throw new AppError('account_already_exists', `Account ${spec.code} in ${spec.currency} already exists.`);
  return toAccount(
    row,
    new Map(spec.parentCode === undefined || parentId === null ? [] : [[parentId, spec.parentCode]]),
  );
}

/** Closes an account whose balance is zero; later postings to it are refused (`account_closed`). */
export async function closeAccount(trx: Tx, code: string, currency: string): Promise<Account> {
  await store.fencePostings(trx);
  const row = await store.findAccount(trx, code, currency);
  if (!row) throw new AppError('account_not_found', `There is no account ${code} in ${currency}.`);
  const [totals] = await store.accountTotals(trx, [row.id]);
  const balance = (totals?.debit_minor ?? 0n) - (totals?.credit_minor ?? 0n);
  if (balance !== 0n) {
    throw new AppError(
      'account_not_empty',
      `Account ${code} (${currency}) has a balance of ${balance < 0n ? -balance : balance} minor units.`,
    );
  }
  const closed = row.status === 'closed' ? row : await store.markAccountClosed(trx, row.id);
  return (await listAccountsById(trx, [closed]))[0] ?? toAccount(closed, new Map());
}

async function listAccountsById(db: DB | Tx, rows: store.AccountRow[]): Promise<Account[]> {
  const all = await store.listAccounts(db);
  const codeById = new Map(all.map((a) => [a.id, a.code]));
  return rows.map((row) => toAccount(row, codeById));
}

// ---- Balances ----

export type Balance = {
  debitMinor: bigint;
  creditMinor: bigint;
  /** Debits less credits for a debit-normal account, credits less debits otherwise. */
  balanceMinor: bigint;
};

function balanceOf(normalSide: Side, debitMinor: bigint, creditMinor: bigint): Balance {
  return {
    debitMinor,
    creditMinor,
    balanceMinor: normalSide === 'debit' ? debitMinor - creditMinor : creditMinor - debitMinor,
  };
}

export type AccountWithBalance = Account & { balance: Balance };

/** The chart with each account's balance now, or at the end of business date `asOf`. */
export async function listAccountBalances(db: DB | Tx, asOf?: DateString): Promise<AccountWithBalance[]> {
  const [rows, totals] = await Promise.all([store.listAccounts(db), store.accountTotals(db, 'all', asOf)]);
  const byId = new Map(totals.map((t) => [t.account_id, t]));
  const codeById = new Map(rows.map((a) => [a.id, a.code]));
  return rows.map((row) => {
    const t = byId.get(row.id);
    return {
      ...toAccount(row, codeById),
      balance: balanceOf(row.normal_side, t?.debit_minor ?? 0n, t?.credit_minor ?? 0n),
    };
  });
}

async function requireAccount(db: DB | Tx, code: string, currency: string): Promise<store.AccountRow> {
  const row = await store.findAccount(db, code, currency);
  if (!row) throw new AppError('account_not_found', `There is no account ${code} in ${currency}.`);
  return row;
}

/** One account's balance now (including the caller's own uncommitted postings when given its trx), or as of a date. */
export async function getAccountBalance(
  db: DB | Tx,
  code: string,
  currency: string,
  asOf?: DateString,
): Promise<AccountWithBalance> {
  const row = await requireAccount(db, code, currency);
  const [[totals], accounts] = await Promise.all([
    store.accountTotals(db, [row.id], asOf),
    listAccountsById(db, [row]),
  ]);
  const account = accounts[0];
  if (!account) throw new Error('account vanished');
  return {
    ...account,
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
  const [totals, accounts] = await Promise.all([store.loanTotals(db, loanId, asOf), store.listAccounts(db)]);
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rows = totals.map((t) => {
    const account = byId.get(t.account_id);
    if (!account) throw new Error(`line on unknown account ${t.account_id}`);
    return {
      code: account.code,
      currency: account.currency,
      nameZh: account.name_zh,
      nameEn: account.name_en,
      normalSide: account.normal_side,
      balance: balanceOf(account.normal_side, t.debit_minor, t.credit_minor),
    };
  });
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

// ---- Statements and entries ----

export const statementLinesMax = 1000;

export type StatementCursor = { date: DateString; entryId: bigint; lineNo: number };

export function encodeStatementCursor(cursor: StatementCursor): string {
  return Buffer.from(`${cursor.date}|${cursor.entryId}|${cursor.lineNo}`).toString('base64url');
}

export function decodeStatementCursor(value: string): StatementCursor | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})\|(\d{1,19})\|(\d{1,5})$/.exec(
    Buffer.from(value, 'base64url').toString(),
  );
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { date: match[1], entryId: BigInt(match[2]), lineNo: Number(match[3]) };
}

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
  nextCursor: string | null;
};

function dayBefore(date: DateString): DateString {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
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
  const [[opening], [closing], [pageStart], lines, accounts] = await Promise.all([
    store.accountTotals(db, [row.id], dayBefore(request.from)),
    store.accountTotals(db, [row.id], request.to),
    cursor === undefined
      ? store.accountTotals(db, [row.id], dayBefore(request.from))
      : store.accountTotals(db, [row.id], dayBefore(cursor.date)),
    store.statementLines(db, row.id, { from: request.from, to: request.to }, cursor, request.limit + 1),
    listAccountsById(db, [row]),
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
  const account = accounts[0];
  if (!account) throw new Error('account vanished');
  return {
    account,
    from: request.from,
    to: request.to,
    openingBalanceMinor: net(opening),
    closingBalanceMinor: net(closing),
    lines: out,
    nextCursor:
      lines.length > request.limit && last
        ? encodeStatementCursor({ date: last.business_date, entryId: last.entry_id, lineNo: last.line_no })
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

// ---- Operations ----

/**
 * Folds posted lines into the balance tables (own transaction). Balances are exact without it;
 * folding keeps balance reads fast. Run by the worker every minute (`ledgerJobs`); any number of
 * workers may call it at once (only one folds at a time).
 */
export async function foldLedgerBalances(db: DB): Promise<store.FoldOutcome> {
  return db.transaction().execute((trx) => store.foldBalances(trx));
}

/**
 * Close of business calls this in the transaction that advances the business date: it waits for
 * postings in flight and holds new ones until the day switch commits, so no entry can be booked
 * onto a day after it closed.
 */
export async function fenceLedgerForDayClose(trx: Tx): Promise<void> {
  await store.fencePostings(trx);
}

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
