import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  type JournalEntryInput,
  type JournalLineInput,
  postJournal,
} from '../../src/modules/ledger/service.ts';
import type { DB } from '../../src/platform/db.ts';

// Helpers for the ledger tests: entries in one line each, and counters that prove "nothing written".

export function line(
  account: string,
  side: 'debit' | 'credit',
  amountMinor: bigint,
  extra: Partial<JournalLineInput> = {},
): JournalLineInput {
  return { account, side, amountMinor, currency: 'CNY', ...extra };
}

export function entry(lines: JournalLineInput[], extra: Partial<JournalEntryInput> = {}): JournalEntryInput {
  return { idempotencyKey: randomUUID(), eventType: 'test', lines, ...extra };
}

/** A two-line entry moving `amountMinor` from `credit` to `debit`. */
export function transfer(
  debit: string,
  credit: string,
  amountMinor: bigint,
  extra: Partial<JournalEntryInput> = {},
): JournalEntryInput {
  return entry([line(debit, 'debit', amountMinor), line(credit, 'credit', amountMinor)], extra);
}

export function post(db: DB, input: JournalEntryInput) {
  return db.transaction().execute((trx) => postJournal(trx, input));
}

export async function rowCounts(db: DB): Promise<{ entries: number; lines: number }> {
  const result = await sql<{ entries: number; lines: number }>`
    SELECT (SELECT count(*) FROM ledger_entries)::int4 AS entries, (SELECT count(*) FROM ledger_lines)::int4 AS lines`.execute(
    db,
  );
  const row = result.rows[0];
  if (!row) throw new Error('no counts');
  return row;
}

/** An account's debits less credits, summed straight from its lines (the oracle for balances). */
export async function sumOfLines(db: DB, code: string, currency = 'CNY', asOf?: string): Promise<bigint> {
  // numeric, read as text: an account's lines can sum beyond int8 (limits.test.ts does that).
  const result = await sql<{ net: string }>`
    SELECT coalesce(sum(CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END), 0)::text AS net
    FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
    WHERE a.code = ${code} AND a.currency = ${currency} ${asOf === undefined ? sql`` : sql`AND l.business_date <= ${asOf}::date`}`.execute(
    db,
  );
  return BigInt(result.rows[0]?.net ?? '0');
}

export { type Failure, failure } from '../support/failure.ts';
