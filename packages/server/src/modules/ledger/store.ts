import { type Selectable, sql } from 'kysely';
import { copyField, copyRows } from '../../platform/copy.ts';
import type { DateString } from '../../platform/tables.ts';
import type { PreparedEntry } from './journal.ts';
import type {
  LedgerAccountTable,
  LedgerDb,
  LedgerEntryTable,
  LedgerLineTable,
  LedgerTx,
  Side,
} from './tables.ts';

// The ledger's SQL; nothing else touches its tables. Posting is one set-based statement per call
// (any number of entries), so an entry costs one round trip inside the caller's transaction.

/** An account with its parent's code (a join, so no caller loads the chart to name one parent). */
export type AccountRow = Selectable<LedgerAccountTable> & { parent_code: string | null };

/** A reason the posting statement refused a batch; nothing was written. */
export type PostingProblem = {
  kind:
    | 'account_not_found'
    | 'account_closed'
    | 'account_is_group'
    | 'journal_business_date_not_open'
    | 'journal_idempotency_conflict'
    | 'journal_already_reversed';
  entry: number;
  line: number | null;
  account: string | null;
  currency: string;
  businessDate: DateString | null;
  openDate: DateString;
};

export type StoredHeader = {
  n: number;
  id: bigint;
  businessDate: DateString;
  postedAt: Date;
  fingerprint: string;
  reversalOf: bigint | null;
};

type HeaderJson = {
  n: number;
  id: string;
  business_date: string;
  posted_at: string;
  fingerprint: string;
  reversal_of: string | null;
};

function header(json: HeaderJson): StoredHeader {
  return {
    n: json.n,
    id: BigInt(json.id),
    businessDate: json.business_date,
    postedAt: new Date(json.posted_at),
    fingerprint: json.fingerprint,
    reversalOf: json.reversal_of === null ? null : BigInt(json.reversal_of),
  };
}

export type InsertOutcome = {
  problems: PostingProblem[];
  inserted: StoredHeader[];
  replayed: StoredHeader[];
};

type Inserted = { n: number[]; id: string[]; business_date: string; posted_at: string } | null;
type RawOutcome = { problems: PostingProblem[]; inserted: Inserted; replayed: HeaderJson[] };

/** One entry: header as scalars, lines as one JSON array (ledger_post_entry, 0007_ledger_tamper_guards.sql). */
async function postOne(trx: LedgerTx, entry: PreparedEntry): Promise<RawOutcome | undefined> {
  const lines = JSON.stringify(
    entry.lines.map((line) => ({
      account: line.account,
      side: line.side,
      amount: String(line.amountMinor),
      loan: line.loanId ?? null,
      customer: line.customerId ?? null,
      product: line.productId ?? null,
      merchant: line.merchantId ?? null,
      funder: line.funderId ?? null,
    })),
  );
  const result = await sql<{ result: RawOutcome }>`
    SELECT ledger_post_entry(${entry.idempotencyKey}, ${entry.fingerprint}, ${entry.eventType}, ${entry.sourceRef},
      ${entry.description}, ${entry.currency}, ${entry.businessDate}::date, ${entry.reversalOf}::int8, ${lines}::jsonb) AS result`.execute(
    trx,
  );
  return result.rows[0]?.result;
}

/** Any number of entries, set-based over parallel arrays (ledger_post_entries, 0002_ledger.sql). */
async function postMany(trx: LedgerTx, entries: readonly PreparedEntry[]): Promise<RawOutcome | undefined> {
  const e = {
    n: [] as number[],
    key: [] as string[],
    fp: [] as string[],
    type: [] as string[],
    ref: [] as (string | null)[],
  };
  const e2 = {
    desc: [] as string[],
    cur: [] as string[],
    date: [] as (string | null)[],
    rev: [] as (bigint | null)[],
  };
  const l = {
    n: [] as number[],
    no: [] as number[],
    code: [] as string[],
    side: [] as Side[],
    amount: [] as bigint[],
    loan: [] as (string | null)[],
    customer: [] as (string | null)[],
    product: [] as (string | null)[],
    merchant: [] as (string | null)[],
    funder: [] as (string | null)[],
  };
  entries.forEach((entry, index) => {
    e.n.push(index);
    e.key.push(entry.idempotencyKey);
    e.fp.push(entry.fingerprint);
    e.type.push(entry.eventType);
    e.ref.push(entry.sourceRef);
    e2.desc.push(entry.description);
    e2.cur.push(entry.currency);
    e2.date.push(entry.businessDate);
    e2.rev.push(entry.reversalOf);
    entry.lines.forEach((line, lineIndex) => {
      l.n.push(index);
      l.no.push(lineIndex + 1);
      l.code.push(line.account);
      l.side.push(line.side);
      l.amount.push(line.amountMinor);
      l.loan.push(line.loanId ?? null);
      l.customer.push(line.customerId ?? null);
      l.product.push(line.productId ?? null);
      l.merchant.push(line.merchantId ?? null);
      l.funder.push(line.funderId ?? null);
    });
  });
  const result = await sql<{ result: RawOutcome }>`
    SELECT ledger_post_entries(
      ${e.n}::int4[], ${e.key}::text[], ${e.fp}::text[], ${e.type}::text[], ${e.ref}::text[], ${e2.desc}::text[],
      ${e2.cur}::text[], ${e2.date}::date[], ${e2.rev}::int8[],
      ${l.n}::int4[], ${l.no}::int4[], ${l.code}::text[], ${l.side}::text[], ${l.amount}::int8[],
      ${l.loan}::text[], ${l.customer}::text[], ${l.product}::text[], ${l.merchant}::text[], ${l.funder}::text[]
    ) AS result`.execute(trx);
  return result.rows[0]?.result;
}

/**
 * Inserts entries and their lines with one call of a posting function (ledger_post_entry for one entry,
 * ledger_post_entries for more), or nothing at all when any entry breaks a
 * rule that needs the database (the problems are returned, and the caller's transaction stays
 * usable). Entries whose idempotency key was already posted with the same content are not
 * inserted again and come back as `replayed`.
 */
export async function insertEntries(
  trx: LedgerTx,
  entries: readonly PreparedEntry[],
): Promise<InsertOutcome> {
  const [only] = entries;
  const row =
    entries.length === 1 && only !== undefined ? await postOne(trx, only) : await postMany(trx, entries);
  return outcomeOf(row, entries);
}

function outcomeOf(row: RawOutcome | undefined, entries: readonly PreparedEntry[]): InsertOutcome {
  if (!row) throw new Error('the posting function returned no row');
  const inserted: StoredHeader[] = [];
  if (row.inserted !== null) {
    const { n: ns, id: ids, business_date: businessDate, posted_at } = row.inserted;
    const postedAt = new Date(posted_at);
    ns.forEach((n, i) => {
      const entry = entries[n];
      const id = ids[i];
      if (entry === undefined || id === undefined)
        throw new Error(`the posting function returned an unknown entry ${n}`);
      inserted.push({
        n,
        id: BigInt(id),
        businessDate,
        postedAt,
        fingerprint: entry.fingerprint,
        reversalOf: entry.reversalOf,
      });
    });
  }
  return { problems: row.problems, inserted, replayed: row.replayed.map(header) };
}

// ---- Bulk posting (COPY into staging tables, one set-based function) ----

function* entryRows(entries: readonly PreparedEntry[]): Iterable<string> {
  for (const [n, e] of entries.entries()) {
    yield `${n}\t${copyField(e.idempotencyKey)}\t${copyField(e.fingerprint)}\t${copyField(e.eventType)}\t${copyField(e.sourceRef)}\t${copyField(e.description)}\t${e.currency}\t${e.businessDate ?? '\\N'}\t${e.reversalOf ?? '\\N'}\n`;
  }
}

function* lineRows(entries: readonly PreparedEntry[]): Iterable<string> {
  for (const [n, e] of entries.entries()) {
    for (const [i, l] of e.lines.entries()) {
      yield `${n}\t${i + 1}\t${copyField(l.account)}\t${l.side}\t${l.amountMinor}\t${copyField(l.loanId)}\t${copyField(l.customerId)}\t${copyField(l.productId)}\t${copyField(l.merchantId)}\t${copyField(l.funderId)}\n`;
    }
  }
}

/**
 * Any number of entries: COPY into two temporary tables, then one call of ledger_post_staged
 * (0009_ledger_bulk_posting.sql), which checks and posts them set-based. Same outcome as
 * insertEntries; the staging tables are dropped again, so the transaction may call it again.
 */
export async function insertEntriesBulk(
  trx: LedgerTx,
  entries: readonly PreparedEntry[],
): Promise<InsertOutcome> {
  await createStaging(trx);
  await copyRows(trx, 'COPY ledger_bulk_entries FROM STDIN', entryRows(entries));
  await copyRows(trx, 'COPY ledger_bulk_lines FROM STDIN', lineRows(entries));
  // No ANALYZE: the planner sizes a fresh table from its pages, which is enough to choose hash
  // joins between the staging tables, and ANALYZE cost 150–260 ms per 100,000 lines (measured)
  // without changing the function's time.
  const result = await sql<{ result: RawOutcome }>`SELECT ledger_post_staged() AS result`.execute(trx);
  await sql`DROP TABLE ledger_bulk_entries, ledger_bulk_lines`.execute(trx);
  return outcomeOf(result.rows[0]?.result, entries);
}

/** The staging tables ledger_post_staged reads, empty, for this transaction. */
export async function createStaging(trx: LedgerTx): Promise<void> {
  // Temporary tables: never WAL-logged, private to this session, gone at commit or rollback.
  await sql`
    CREATE TEMPORARY TABLE ledger_bulk_entries (
      n int4 NOT NULL, key text COLLATE "C" NOT NULL, fingerprint text NOT NULL, event_type text NOT NULL,
      source_ref text, description text NOT NULL, currency text NOT NULL, business_date date, reversal_of int8
    ) ON COMMIT DROP`.execute(trx);
  await sql`
    CREATE TEMPORARY TABLE ledger_bulk_lines (
      n int4 NOT NULL, line_no int2 NOT NULL, code text NOT NULL, side text NOT NULL, amount int8 NOT NULL,
      loan_id text, customer_id text, product_id text, merchant_id text, funder_id text
    ) ON COMMIT DROP`.execute(trx);
}

export type StagedOutcome = { problems: PostingProblem[]; entries: number; replayed: number };

/**
 * Posts what the caller staged with SQL (close of business: INSERT … SELECT straight from its own
 * tables, no round trip through Node) and drops the staging tables.
 */
export async function postStaged(trx: LedgerTx): Promise<StagedOutcome> {
  const result = await sql<{ result: RawOutcome }>`SELECT ledger_post_staged() AS result`.execute(trx);
  await sql`DROP TABLE ledger_bulk_entries, ledger_bulk_lines`.execute(trx);
  const row = result.rows[0]?.result;
  if (!row) throw new Error('the posting function returned no row');
  return { problems: row.problems, entries: row.inserted?.n.length ?? 0, replayed: row.replayed.length };
}

/** Entries by idempotency key (after a concurrent first post won the race for the key). */
export async function findHeadersByKey(
  trx: LedgerTx,
  keys: readonly string[],
): Promise<Map<string, Omit<StoredHeader, 'n'>>> {
  const rows = await trx
    .selectFrom('ledger_entries')
    .select(['id', 'idempotency_key', 'business_date', 'posted_at', 'fingerprint', 'reversal_of'])
    .where('idempotency_key', 'in', keys)
    .execute();
  return new Map(
    rows.map((r) => [
      r.idempotency_key,
      {
        id: r.id,
        businessDate: r.business_date,
        postedAt: r.posted_at,
        fingerprint: r.fingerprint,
        reversalOf: r.reversal_of,
      },
    ]),
  );
}

// ---- Entries and lines (reads) ----

type Entry = Selectable<LedgerEntryTable>;
type Line = Selectable<LedgerLineTable>;

export type EntryRow = Omit<Entry, 'fingerprint' | 'xid'> & { reversed_by: Entry['id'] | null };

export type LineRow = Omit<Line, 'business_date' | 'account_id'> & { account_code: string };

function entriesQuery(db: LedgerDb) {
  return db
    .selectFrom('ledger_entries as e')
    .leftJoin('ledger_entries as r', 'r.reversal_of', 'e.id')
    .select([
      'e.id',
      'e.business_date',
      'e.posted_at',
      'e.event_type',
      'e.source_ref',
      'e.idempotency_key',
      'e.description',
      'e.currency',
      'e.reversal_of',
      'r.id as reversed_by',
    ]);
}

export async function findEntry(db: LedgerDb, id: bigint): Promise<EntryRow | undefined> {
  return entriesQuery(db).where('e.id', '=', id).executeTakeFirst();
}

export type EntryFilter = {
  from?: DateString | undefined;
  to?: DateString | undefined;
  accountId?: number | undefined;
  loanId?: string | undefined;
  eventType?: string | undefined;
  afterId?: bigint | undefined;
  limit: number;
};

/** Entries in id order; filters narrow through the lines' indexes when an account or loan is named. */
export async function listEntries(db: LedgerDb, filter: EntryFilter): Promise<EntryRow[]> {
  let query = entriesQuery(db);
  if (filter.from !== undefined) query = query.where('e.business_date', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('e.business_date', '<=', filter.to);
  if (filter.eventType !== undefined) query = query.where('e.event_type', '=', filter.eventType);
  if (filter.afterId !== undefined) query = query.where('e.id', '>', filter.afterId);
  const { accountId, loanId, from, to } = filter;
  if (accountId !== undefined) {
    query = query.where('e.id', 'in', (qb) => {
      let lines = qb.selectFrom('ledger_lines').select('entry_id').where('account_id', '=', accountId);
      if (from !== undefined) lines = lines.where('business_date', '>=', from);
      if (to !== undefined) lines = lines.where('business_date', '<=', to);
      return lines;
    });
  }
  if (loanId !== undefined) {
    query = query.where('e.id', 'in', (qb) =>
      qb.selectFrom('ledger_lines').select('entry_id').where('loan_id', '=', loanId),
    );
  }
  return query.orderBy('e.id').limit(filter.limit).execute();
}

export async function linesOf(db: LedgerDb, entryIds: readonly bigint[]): Promise<LineRow[]> {
  if (entryIds.length === 0) return [];
  return db
    .selectFrom('ledger_lines as l')
    .innerJoin('ledger_accounts as a', 'a.id', 'l.account_id')
    .select([
      'l.entry_id',
      'l.line_no',
      'a.code as account_code',
      'l.side',
      'l.amount_minor',
      'l.currency',
      'l.loan_id',
      'l.customer_id',
      'l.product_id',
      'l.merchant_id',
      'l.funder_id',
    ])
    .where('l.entry_id', 'in', entryIds)
    .orderBy('l.entry_id')
    .orderBy('l.line_no')
    .execute();
}

// ---- Accounts ----

function accountsQuery(db: LedgerDb) {
  return db
    .selectFrom('ledger_accounts as a')
    .leftJoin('ledger_accounts as p', 'p.id', 'a.parent_id')
    .selectAll('a')
    .select('p.code as parent_code');
}

export async function findAccount(
  db: LedgerDb,
  code: string,
  currency: string,
): Promise<AccountRow | undefined> {
  return accountsQuery(db).where('a.code', '=', code).where('a.currency', '=', currency).executeTakeFirst();
}

export async function listAccounts(db: LedgerDb): Promise<AccountRow[]> {
  return accountsQuery(db).orderBy('a.currency').orderBy('a.code').execute();
}

export async function insertAccount(
  trx: LedgerTx,
  account: Omit<Selectable<LedgerAccountTable>, 'id' | 'status' | 'created_at' | 'closed_at' | 'is_group'>,
): Promise<Selectable<LedgerAccountTable> | undefined> {
  return trx
    .insertInto('ledger_accounts')
    .values(account)
    .onConflict((oc) => oc.columns(['code', 'currency']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * Waits for every transaction that is posting lines to finish and keeps new postings out until
 * this transaction ends. Closing an account (and the day switch) need that: a posting checks the
 * account's status in its statement, so without the fence one could read "open" just before the
 * close commits and then book onto a closed account.
 */
export async function fencePostings(trx: LedgerTx): Promise<void> {
  await sql`LOCK TABLE ledger_lines IN SHARE MODE`.execute(trx);
}

/** Whether an account has any line of its own (ledger_lines_account_date: one index probe). */
export async function accountHasLines(db: LedgerDb, accountId: number): Promise<boolean> {
  const row = await db
    .selectFrom('ledger_lines')
    .select(sql<number>`1`.as('one'))
    .where('account_id', '=', accountId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function markAccountClosed(trx: LedgerTx, id: number): Promise<Selectable<LedgerAccountTable>> {
  return trx
    .updateTable('ledger_accounts')
    .set({ status: 'closed', closed_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- Balances ----

export type BalanceRow = { account_id: number; debit_minor: bigint; credit_minor: bigint };

/**
 * Totals are numeric in the database (they outgrow int8: 0006_ledger_guards.sql); pg hands numeric
 * over as a decimal string, which becomes a bigint exactly. The columns are numeric(38,0), so the
 * text is always an integer.
 */
type Totals = { debit_minor: string; credit_minor: string };

function minor(text: string): bigint {
  return BigInt(text);
}

/**
 * Debit and credit totals per account: the folded totals plus the deltas not folded yet, read in
 * one statement (one snapshot), so a fold committing meanwhile can neither hide nor double a line.
 * With `asOf`, only days up to that business date count. (ledger_account_totals, 0006_ledger_guards.sql.)
 */
export async function accountTotals(
  db: LedgerDb,
  accountIds: readonly number[] | 'all',
  asOf?: DateString,
): Promise<BalanceRow[]> {
  const ids = accountIds === 'all' ? null : (accountIds as number[]);
  const result = await sql<{ account_id: number; debit_minor: string; credit_minor: string }>`
    SELECT account_id, debit_minor::text, credit_minor::text
    FROM ledger_account_totals(${ids}::int4[], ${asOf ?? null}::date)`.execute(db);
  return result.rows.map((r) => ({
    account_id: r.account_id,
    debit_minor: minor(r.debit_minor),
    credit_minor: minor(r.credit_minor),
  }));
}

export type LoanBalanceRow = Pick<
  Selectable<LedgerAccountTable>,
  'code' | 'currency' | 'name_zh' | 'name_en' | 'normal_side'
> & { debit_minor: bigint; credit_minor: bigint };

/** A loan's totals per account with the account, summed from its own lines (a loan has a bounded number). */
export async function loanTotals(db: LedgerDb, loanId: string, asOf?: DateString): Promise<LoanBalanceRow[]> {
  const date = asOf === undefined ? sql`` : sql`AND l.business_date <= ${asOf}::date`;
  const result = await sql<Omit<LoanBalanceRow, 'debit_minor' | 'credit_minor'> & Totals>`
    SELECT a.code, a.currency, a.name_zh, a.name_en, a.normal_side, t.debit_minor::text, t.credit_minor::text
    FROM (
      SELECT l.account_id,
             coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'debit'), 0) AS debit_minor,
             coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'credit'), 0) AS credit_minor
      FROM ledger_lines l
      WHERE l.loan_id = ${loanId} ${date}
      GROUP BY l.account_id
    ) t
    JOIN ledger_accounts a ON a.id = t.account_id
    ORDER BY a.id`.execute(db);
  return result.rows.map((r) => ({
    ...r,
    debit_minor: minor(r.debit_minor),
    credit_minor: minor(r.credit_minor),
  }));
}

/** The sum of one account's lines on one day up to and including a position (for statement pages). */
export async function dayTotalsThrough(
  db: LedgerDb,
  accountId: number,
  date: DateString,
  through: { entryId: bigint; lineNo: number },
): Promise<{ debit_minor: bigint; credit_minor: bigint }> {
  const result = await sql<Totals>`
    SELECT debit_minor::text, credit_minor::text
    FROM ledger_day_totals_through(${accountId}::int4, ${date}::date, ${through.entryId}::int8, ${through.lineNo}::int2)`.execute(
    db,
  );
  const row = result.rows[0];
  return row === undefined
    ? { debit_minor: 0n, credit_minor: 0n }
    : { debit_minor: minor(row.debit_minor), credit_minor: minor(row.credit_minor) };
}

export type StatementLineRow = Pick<
  Line,
  'entry_id' | 'line_no' | 'business_date' | 'side' | 'amount_minor' | 'loan_id' | 'customer_id'
> &
  Pick<Entry, 'posted_at' | 'event_type' | 'source_ref' | 'description'>;

export async function statementLines(
  db: LedgerDb,
  accountId: number,
  range: { from: DateString; to: DateString },
  after: { date: DateString; entryId: bigint; lineNo: number } | undefined,
  limit: number,
): Promise<StatementLineRow[]> {
  const position =
    after === undefined
      ? sql`true`
      : sql`(l.business_date, l.entry_id, l.line_no) > (${after.date}::date, ${after.entryId}::int8, ${after.lineNo}::int2)`;
  const result = await sql<StatementLineRow>`
    SELECT l.entry_id, l.line_no, l.business_date, e.posted_at, e.event_type, e.source_ref, e.description,
           l.side, l.amount_minor, l.loan_id, l.customer_id
    FROM ledger_lines l
    JOIN ledger_entries e ON e.id = l.entry_id
    WHERE l.account_id = ${accountId} AND l.business_date BETWEEN ${range.from}::date AND ${range.to}::date AND ${position}
    ORDER BY l.business_date, l.entry_id, l.line_no
    LIMIT ${limit}`.execute(db);
  return result.rows;
}

export type FunderMovementRow = {
  loan_id: string | null;
  event_type: string;
  code: string;
  debit_minor: bigint;
  credit_minor: bigint;
};

/**
 * The lines booked against one funder (dimension funder_id) on the given accounts and business
 * days, summed per loan, event type and account in one statement. It reads through the
 * (account_id, business_date) index — the accounts name the index's leading column, so the cost is
 * the days' lines on those accounts, not the journal — and filters the funder on them.
 */
export async function funderMovements(
  db: LedgerDb,
  input: { funderId: string; accountIds: readonly number[]; from: DateString | null; to: DateString },
): Promise<FunderMovementRow[]> {
  const result = await sql<Omit<FunderMovementRow, 'debit_minor' | 'credit_minor'> & Totals>`
    SELECT l.loan_id, e.event_type, a.code,
           coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'debit'), 0)::text AS debit_minor,
           coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'credit'), 0)::text AS credit_minor
    FROM ledger_lines l
    JOIN ledger_entries e ON e.id = l.entry_id
    JOIN ledger_accounts a ON a.id = l.account_id
    WHERE l.account_id = ANY(${input.accountIds as number[]}::int4[])
      AND l.business_date BETWEEN coalesce(${input.from}::date, '-infinity'::date) AND ${input.to}::date
      AND l.funder_id = ${input.funderId}
    GROUP BY l.loan_id, e.event_type, a.code
    ORDER BY l.loan_id NULLS FIRST, a.code, e.event_type`.execute(db);
  return result.rows.map((r) => ({
    ...r,
    debit_minor: minor(r.debit_minor),
    credit_minor: minor(r.credit_minor),
  }));
}

// ---- Folding ----

export type FoldOutcome = { folded: boolean; accounts: number; lines: number };

/**
 * Moves the committed balance deltas into the totals, in the caller's own transaction (which must
 * be its own: it locks the fold row). ledger_fold_balances (0007_ledger_tamper_guards.sql) takes
 * exactly the deltas this snapshot sees with DELETE … RETURNING; deltas of transactions still
 * running stay for the next fold. Returns folded=false when another fold holds the row (it is
 * doing the same work).
 */
export async function foldBalances(trx: LedgerTx): Promise<FoldOutcome> {
  const result = await sql<{ folded: boolean; accounts: number; lines: bigint }>`
    SELECT folded, accounts, lines FROM ledger_fold_balances()`.execute(trx);
  const row = result.rows[0] ?? { folded: false, accounts: 0, lines: 0n };
  return { folded: row.folded, accounts: row.accounts, lines: Number(row.lines) };
}

// ---- Verification ----

export type DriftRow = {
  kind: string;
  entry_id: bigint | null;
  account_code: string | null;
  currency: string | null;
  business_date: DateString | null;
  expected_debit_minor: bigint | null;
  expected_credit_minor: bigint | null;
  found_debit_minor: bigint | null;
  found_credit_minor: bigint | null;
};

type DriftText = Omit<
  DriftRow,
  'expected_debit_minor' | 'expected_credit_minor' | 'found_debit_minor' | 'found_credit_minor'
> & {
  expected_debit_minor: string | null;
  expected_credit_minor: string | null;
  found_debit_minor: string | null;
  found_credit_minor: string | null;
};

const minorOrNull = (text: string | null) => (text === null ? null : minor(text));

/** Everything derived from the lines that differs from them (ledger_verify, 0007_ledger_tamper_guards.sql). */
export async function verifyBalances(db: LedgerDb): Promise<DriftRow[]> {
  const result = await sql<DriftText>`
    SELECT kind, entry_id, account_code, currency, business_date,
           expected_debit_minor::text, expected_credit_minor::text, found_debit_minor::text, found_credit_minor::text
    FROM ledger_verify()`.execute(db);
  return result.rows.map((r) => ({
    ...r,
    expected_debit_minor: minorOrNull(r.expected_debit_minor),
    expected_credit_minor: minorOrNull(r.expected_credit_minor),
    found_debit_minor: minorOrNull(r.found_debit_minor),
    found_credit_minor: minorOrNull(r.found_credit_minor),
  }));
}

/** What verification read: the size of the journal it checked. */
export async function journalSize(
  db: LedgerDb,
): Promise<{ accounts: number; entries: bigint; lines: bigint }> {
  const result = await sql<{ accounts: number; entries: bigint; lines: bigint }>`
    SELECT (SELECT count(*) FROM ledger_accounts)::int4 AS accounts,
           (SELECT count(*) FROM ledger_entries) AS entries,
           (SELECT count(*) FROM ledger_lines) AS lines`.execute(db);
  return result.rows[0] ?? { accounts: 0, entries: 0n, lines: 0n };
}

// ---- Posting configuration per product ----

export async function findProductPosting(
  db: LedgerDb,
  productId: string,
): Promise<{ basis: 'accrual' | 'cash'; overrides: unknown } | undefined> {
  return db
    .selectFrom('ledger_product_posting')
    .select(['basis', 'overrides'])
    .where('product_id', '=', productId)
    .executeTakeFirst();
}

export async function upsertProductPosting(
  trx: LedgerTx,
  productId: string,
  basis: 'accrual' | 'cash',
  overrides: unknown,
): Promise<void> {
  const json = JSON.stringify(overrides);
  await trx
    .insertInto('ledger_product_posting')
    .values({ product_id: productId, basis, overrides: json })
    .onConflict((oc) =>
      oc.column('product_id').doUpdateSet({ basis, overrides: json, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export async function movementOfEntries(
  db: LedgerDb,
  accountId: number,
  entries: readonly bigint[] | { table: string },
): Promise<{ debitMinor: bigint; creditMinor: bigint; lines: number }> {
  // A caller with a million entries names its own temporary table of them (column entry_id)
  // rather than sending them here and back.
  if (!Array.isArray(entries) && !/^[a-z_][a-z0-9_]{0,62}$/.test((entries as { table: string }).table))
    throw new Error('an entry table must be a plain identifier');
  const selected = Array.isArray(entries)
    ? sql`entry_id = ANY(${entries as bigint[]}::int8[])`
    : sql`entry_id IN (SELECT entry_id FROM ${sql.table((entries as { table: string }).table)})`;
  // Totals are numeric in SQL (no int8 overflow however many lines), exact as text.
  const result = await sql<{ debit: string; credit: string; lines: string }>`
    SELECT coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0)::text AS debit,
           coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0)::text AS credit,
           count(*)::text AS lines
    FROM ledger_lines
    WHERE account_id = ${accountId} AND ${selected}`.execute(db);
  const row = result.rows[0];
  return {
    debitMinor: BigInt(row?.debit ?? '0'),
    creditMinor: BigInt(row?.credit ?? '0'),
    lines: Number(row?.lines ?? '0'),
  };
}
