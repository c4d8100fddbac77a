import { sql } from 'kysely';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { listExceptions } from './exceptions.ts';
import { type DifferenceKind, differenceKinds } from './reconcile.ts';
import type { CallbackOutcome, PaymentsDb } from './tables.ts';

// Reading what the channels told us, for operations (the console): the callbacks as received, with
// what each did, and the reconciliations — one per channel statement — with their differences.
// Filtered and paged in SQL, newest first.

export const callbacksPageMax = 500;
export const reconciliationsPageMax = 200;
/** A reconciliation's detail lists its newest exception items; the queue pages through the rest. */
export const reconciliationExceptionsMax = 500;

export type CallbackView = {
  channel: string;
  txnId: string;
  status: string;
  orderNo: string;
  amountMinor: bigint;
  outcome: CallbackOutcome;
  receivedAt: Date;
  repeats: number;
};

export type CallbackFilter = {
  orderNo?: string | undefined;
  channel?: string | undefined;
  outcome?: CallbackOutcome | undefined;
  before?: string | undefined;
  limit: number;
};

/** A callback is named by (channel, txnId, status): the cursor carries the three, base64url JSON. */
function encodeCallbackCursor(row: { channel: string; txn_id: string; status: string }): string {
  return Buffer.from(JSON.stringify([row.channel, row.txn_id, row.status])).toString('base64url');
}

function decodeCallbackCursor(cursor: string): [string, string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value.every((part) => typeof part === 'string'))
      return value as [string, string, string];
  } catch {
    // Not JSON: refused below like any other cursor this API did not hand out.
  }
  throw new AppError('validation_failed', 'The cursor is not one this API returned.', {
    errors: [{ in: 'query', path: 'before', message: 'is not valid' }],
  });
}

export async function listCallbacks(
  db: DB,
  filter: CallbackFilter,
): Promise<{ callbacks: CallbackView[]; next: string | null }> {
  const p = db as PaymentsDb;
  const limit = Math.min(Math.max(filter.limit, 1), callbacksPageMax);
  let query = p.selectFrom('payment_callbacks').selectAll();
  if (filter.orderNo !== undefined) query = query.where('order_no', '=', filter.orderNo);
  if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
  if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
  if (filter.before !== undefined) {
    const [channel, txnId, status] = decodeCallbackCursor(filter.before);
    // Row comparison in SQL: received_at has microseconds, which a JavaScript Date would drop.
    query = query.where(
      sql<boolean>`(received_at, channel, txn_id, status) < (
        SELECT c.received_at, c.channel, c.txn_id, c.status FROM payment_callbacks c
        WHERE c.channel = ${channel} AND c.txn_id = ${txnId} AND c.status = ${status})`,
    );
  }
  const rows = await query
    .orderBy('received_at', 'desc')
    .orderBy('channel', 'desc')
    .orderBy('txn_id', 'desc')
    .orderBy('status', 'desc')
    .limit(limit)
    .execute();
  const last = rows.length === limit ? rows.at(-1) : undefined;
  return {
    callbacks: rows.map((row) => ({
      channel: row.channel,
      txnId: row.txn_id,
      status: row.status,
      orderNo: row.order_no,
      amountMinor: row.amount_minor,
      outcome: row.outcome,
      receivedAt: row.received_at,
      repeats: row.repeats,
    })),
    next: last === undefined ? null : encodeCallbackCursor(last),
  };
}

export type ReconciliationView = {
  id: bigint;
  channel: string;
  statementDate: DateString;
  digest: string;
  rows: number;
  grossMinor: bigint;
  feeMinor: bigint;
  refundMinor: bigint;
  netMinor: bigint;
  matched: number;
  resolved: number;
  differences: number;
  ledger: { expectedMinor: bigint; postedMinor: bigint; ok: boolean };
  feeEntryId: bigint | null;
  importedAt: Date;
  businessDate: DateString;
};

type StatementRow = {
  id: string;
  channel: string;
  statement_date: DateString;
  digest: string;
  row_count: number;
  gross_minor: string;
  fee_minor: string;
  refund_minor: string;
  net_minor: string;
  matched: number;
  resolved: number;
  differences: number;
  ledger_expected_minor: string | null;
  ledger_posted_minor: string | null;
  fee_entry_id: string | null;
  imported_at: Date;
  business_date: DateString;
};

// The statement's file (gzipped, up to a million rows) is never read here.
const statementColumns = sql`
  id::text, channel, statement_date::text, digest, row_count, gross_minor::text, fee_minor::text,
  refund_minor::text, net_minor::text, matched, resolved, differences, ledger_expected_minor::text,
  ledger_posted_minor::text, fee_entry_id::text, imported_at, business_date::text`;

function toReconciliation(row: StatementRow): ReconciliationView {
  const expectedMinor = BigInt(row.ledger_expected_minor ?? '0');
  const postedMinor = BigInt(row.ledger_posted_minor ?? '0');
  return {
    id: BigInt(row.id),
    channel: row.channel,
    statementDate: row.statement_date,
    digest: row.digest,
    rows: row.row_count,
    grossMinor: BigInt(row.gross_minor),
    feeMinor: BigInt(row.fee_minor),
    refundMinor: BigInt(row.refund_minor),
    netMinor: BigInt(row.net_minor),
    matched: row.matched,
    resolved: row.resolved,
    differences: row.differences,
    ledger: { expectedMinor, postedMinor, ok: expectedMinor === postedMinor },
    feeEntryId: row.fee_entry_id === null ? null : BigInt(row.fee_entry_id),
    importedAt: row.imported_at,
    businessDate: row.business_date,
  };
}

export type ReconciliationFilter = {
  channel?: string | undefined;
  from?: DateString | undefined;
  to?: DateString | undefined;
  /** The id of the last reconciliation of the previous page. */
  before?: bigint | undefined;
  limit: number;
};

/** Reconciliations, the latest statement date first. */
export async function listReconciliations(
  db: DB,
  filter: ReconciliationFilter,
): Promise<{ reconciliations: ReconciliationView[]; next: bigint | null }> {
  const limit = Math.min(Math.max(filter.limit, 1), reconciliationsPageMax);
  const where = [sql`true`];
  if (filter.channel !== undefined) where.push(sql`channel = ${filter.channel}`);
  if (filter.from !== undefined) where.push(sql`statement_date >= ${filter.from}::date`);
  if (filter.to !== undefined) where.push(sql`statement_date <= ${filter.to}::date`);
  if (filter.before !== undefined) {
    const before = filter.before;
    const anchor = await sql<{
      id: string;
    }>`SELECT id::text FROM payment_statements WHERE id = ${before}`.execute(db);
    if (anchor.rows.length === 0)
      throw new AppError('validation_failed', `There is no reconciliation ${before}.`, {
        errors: [{ in: 'query', path: 'before', message: 'is not a reconciliation' }],
      });
    where.push(
      sql`(statement_date, id) < (SELECT s.statement_date, s.id FROM payment_statements s WHERE s.id = ${before})`,
    );
  }
  const rows = await sql<StatementRow>`
    SELECT ${statementColumns} FROM payment_statements
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY statement_date DESC, id DESC
    LIMIT ${limit}`.execute(db);
  const last = rows.rows.length === limit ? rows.rows.at(-1) : undefined;
  return {
    reconciliations: rows.rows.map(toReconciliation),
    next: last === undefined ? null : BigInt(last.id),
  };
}

/** One reconciliation with its differences by kind and its newest exception items. */
export async function reconciliationDetail(db: DB, id: bigint) {
  const found =
    await sql<StatementRow>`SELECT ${statementColumns} FROM payment_statements WHERE id = ${id}`.execute(db);
  const row = found.rows[0];
  if (row === undefined) throw new AppError('not_found', `There is no reconciliation ${id}.`);
  const counts = await sql<{ kind: string; n: number }>`
    SELECT kind, count(*)::int AS n FROM payment_exceptions WHERE statement_id = ${id} GROUP BY kind`.execute(
    db,
  );
  const byKind = Object.fromEntries(differenceKinds.map((kind) => [kind, 0])) as Record<
    DifferenceKind,
    number
  >;
  for (const count of counts.rows) if (count.kind in byKind) byKind[count.kind as DifferenceKind] = count.n;
  return {
    ...toReconciliation(row),
    differencesByKind: byKind,
    exceptions: await listExceptions(db, { statementId: id, limit: reconciliationExceptionsMax }),
  };
}
