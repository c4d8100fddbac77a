import { sql } from 'kysely';
import { copyField, copyRows } from '../../platform/copy.ts';
import type { DateString } from '../../platform/tables.ts';
import type { Statement } from './channel.ts';
import type { PaymentsTx } from './tables.ts';

// Reconciliation's set-based SQL: the statement's rows are COPYed into a temporary table, then one
// statement joins them with our orders and classifies every row (and every order of ours the
// statement should list but does not) into another temporary table that the rest of the run reads.
// Only the rows that did not simply match are kept; the file itself is archived whole. The run's
// transaction raises work_mem (reconcile.ts) so that its hash joins of a million rows stay in memory.

export type StatementRecord = {
  id: bigint;
  digest: string;
  row_count: number;
  matched: number;
  resolved: number;
  differences: number;
  fee_minor: string;
  fee_entry_id: bigint | null;
  ledger_expected_minor: string | null;
  ledger_posted_minor: string | null;
};

export async function lockStatement(
  trx: PaymentsTx,
  channel: string,
  date: DateString,
): Promise<StatementRecord | undefined> {
  // A transaction-scoped advisory lock serialises imports of one channel and date before the row exists.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`payments.statement:${channel}:${date}`}, 0))`.execute(
    trx,
  );
  const found = await sql<StatementRecord>`
    SELECT id, digest, row_count, matched, resolved, differences, fee_minor::text AS fee_minor, fee_entry_id,
           ledger_expected_minor::text AS ledger_expected_minor, ledger_posted_minor::text AS ledger_posted_minor
    FROM payment_statements WHERE channel = ${channel} AND statement_date = ${date}`.execute(trx);
  return found.rows[0];
}

export async function insertStatement(
  trx: PaymentsTx,
  channel: string,
  statement: Statement,
  fileGzip: Buffer,
  businessDate: DateString,
): Promise<bigint> {
  const { summary } = statement;
  const inserted = await sql<{ id: bigint }>`
    INSERT INTO payment_statements (channel, statement_date, digest, file_gzip, row_count, gross_minor, fee_minor,
      refund_minor, net_minor, business_date)
    VALUES (${channel}, ${statement.date}, ${statement.digest}, ${fileGzip}, ${summary.count}, ${String(summary.grossMinor)}::numeric,
      ${String(summary.feeMinor)}::numeric, ${String(summary.refundMinor)}::numeric, ${String(summary.netMinor)}::numeric,
      ${businessDate})
    RETURNING id`.execute(trx);
  const row = inserted.rows[0];
  if (!row) throw new Error('the statement was not recorded');
  return row.id;
}

/**
 * Streams the statement's rows into a temporary table with COPY, parsing them as they go (the
 * parser's checks throw mid-stream; the caller's transaction then rolls back). Ids are COPY-escaped
 * whatever the adapter allowed in them.
 */
export async function copyStatementRows(trx: PaymentsTx, statement: Statement): Promise<void> {
  await sql`DROP TABLE IF EXISTS payment_recon_rows`.execute(trx);
  await sql`
    CREATE TEMPORARY TABLE payment_recon_rows (LIKE payment_statement_rows INCLUDING DEFAULTS) ON COMMIT DROP`.execute(
    trx,
  );
  await sql`ALTER TABLE payment_recon_rows DROP COLUMN statement_id`.execute(trx);
  function* lines() {
    for (const row of statement.rows()) {
      yield `${row.lineNo}\t${copyField(row.txnId)}\t${copyField(row.orderNo)}\t${row.kind}\t${row.status}\t${row.amountMinor}\t${row.feeMinor}\t${copyField(row.finishedAt)}\n`;
    }
  }
  await copyRows(
    trx,
    'COPY payment_recon_rows (line_no, txn_id, order_no, kind, status, amount_minor, fee_minor, finished_at) FROM STDIN',
    lines(),
  );
  // Indexed and analysed, so no plan (whatever it guesses of payment_orders, whose statistics may
  // lag a busy day) looks for an order's row by scanning them all.
  await sql`CREATE INDEX ON payment_recon_rows (order_no)`.execute(trx);
  await sql`ANALYZE payment_recon_rows`.execute(trx);
}

/**
 * Classifies every statement row against our order of the same number, and adds every order of
 * ours that money moved for on the statement's day (in the channel's time zone) and that the
 * statement does not list. Outcomes: matched; resolve (ours was unclear, the statement decides);
 * channel_only; ours_only; amount_mismatch (amount or kind differ); status_mismatch; bounced_payout
 * (the statement has a bounce Fenqi had not seen).
 *
 * Every row gets a narrow item (outcome, order, the entry that booked a matched row, and the
 * clearing-account movement the row implies); only the few that did not simply match are copied
 * whole into payment_recon_differences, which the rest of the run reads.
 */
export async function classify(
  trx: PaymentsTx,
  input: { channel: string; date: DateString; timeZone: string },
): Promise<void> {
  await sql`DROP TABLE IF EXISTS payment_recon_items`.execute(trx);
  await sql`
    CREATE TEMPORARY TABLE payment_recon_items ON COMMIT DROP AS
    SELECT r.line_no, o.id AS order_id, c.outcome,
           CASE WHEN c.outcome = 'matched' THEN
             CASE WHEN r.status = 'bounced' THEN o.bounced_entry_id ELSE o.settled_entry_id END
           END AS entry_id,
           -- Collections and bounces bring money into the clearing account; payouts and refunds take it out.
           CASE WHEN r.status = 'bounced' OR (r.status = 'succeeded' AND r.kind = 'collect') THEN r.amount_minor
                WHEN r.status = 'succeeded' THEN -r.amount_minor
                ELSE 0 END AS clearing_minor
    FROM payment_recon_rows r
    LEFT JOIN payment_orders o ON o.order_no = r.order_no AND o.channel = ${input.channel}
    CROSS JOIN LATERAL (SELECT CASE
             WHEN o.id IS NULL THEN 'channel_only'
             WHEN o.kind <> r.kind OR o.amount_minor <> r.amount_minor THEN 'amount_mismatch'
             WHEN r.status = 'succeeded' AND o.state IN ('succeeded', 'bounced') THEN 'matched'
             WHEN r.status = 'failed' AND o.state = 'failed' THEN 'matched'
             WHEN r.status = 'bounced' AND o.state = 'bounced' THEN 'matched'
             WHEN r.status = 'bounced' AND o.state IN ('succeeded', 'submitted', 'processing', 'unknown') THEN 'bounced_payout'
             WHEN o.state IN ('submitted', 'processing', 'unknown') THEN 'resolve'
             ELSE 'status_mismatch'
           END AS outcome) c`.execute(trx);
  await sql`
    INSERT INTO payment_recon_items (line_no, order_id, outcome, entry_id, clearing_minor)
    SELECT NULL, o.id, 'ours_only', NULL, 0
    FROM payment_orders o
    WHERE o.channel = ${input.channel} AND o.state IN ('succeeded', 'bounced')
      AND o.finished_at >= (${input.date}::date)::timestamp AT TIME ZONE ${input.timeZone}
      AND o.finished_at < (${input.date}::date + 1)::timestamp AT TIME ZONE ${input.timeZone}
      AND NOT EXISTS (
        SELECT 1 FROM payment_recon_rows r WHERE r.order_no = o.order_no)`.execute(trx);
  // Analysed too: the planner must know that few items did not match before it joins them back.
  await sql`ANALYZE payment_recon_items`.execute(trx);
  await sql`DROP TABLE IF EXISTS payment_recon_differences`.execute(trx);
  await sql`
    CREATE TEMPORARY TABLE payment_recon_differences ON COMMIT DROP AS
    SELECT i.line_no, i.outcome, coalesce(r.order_no, o.order_no) AS order_no, coalesce(r.txn_id, o.channel_txn_id) AS txn_id,
           r.kind AS row_kind, r.status AS row_status, r.amount_minor AS row_amount, r.fee_minor AS row_fee,
           r.finished_at AS row_finished_at, o.id AS order_id, o.kind AS our_kind, o.state AS our_state,
           o.amount_minor AS our_amount
    FROM payment_recon_items i
    LEFT JOIN payment_recon_rows r ON r.line_no = i.line_no
    LEFT JOIN payment_orders o ON o.id = i.order_id
    WHERE i.outcome <> 'matched'`.execute(trx);
}

/** Keeps the statement's rows that did not simply match (the file has the rest). */
export async function keepUnmatchedRows(trx: PaymentsTx, statementId: bigint): Promise<void> {
  await sql`
    INSERT INTO payment_statement_rows (statement_id, line_no, txn_id, order_no, kind, status, amount_minor, fee_minor,
      finished_at)
    SELECT ${statementId}, d.line_no, d.txn_id, d.order_no, d.row_kind, d.row_status, d.row_amount, d.row_fee,
           d.row_finished_at
    FROM payment_recon_differences d WHERE d.line_no IS NOT NULL`.execute(trx);
}

export type Outcome =
  | 'matched'
  | 'resolve'
  | 'channel_only'
  | 'ours_only'
  | 'amount_mismatch'
  | 'status_mismatch'
  | 'bounced_payout';

export async function outcomeCounts(trx: PaymentsTx): Promise<Record<Outcome, number>> {
  const result = await sql<{ outcome: Outcome; n: number }>`
    SELECT outcome, count(*)::int AS n FROM payment_recon_items GROUP BY outcome`.execute(trx);
  const counts: Record<Outcome, number> = {
    matched: 0,
    resolve: 0,
    channel_only: 0,
    ours_only: 0,
    amount_mismatch: 0,
    status_mismatch: 0,
    bounced_payout: 0,
  };
  for (const row of result.rows) counts[row.outcome] = row.n;
  return counts;
}

/** Every difference becomes an exception item, set-based; a key per statement line (or order). */
export async function raiseDifferences(
  trx: PaymentsTx,
  input: { statementId: bigint; channel: string; date: DateString; businessDate: DateString },
): Promise<void> {
  await sql`
    INSERT INTO payment_exceptions (kind, dedupe_key, channel, order_id, order_no, statement_id, our_amount_minor,
      channel_amount_minor, our_state, channel_status, detail, business_date)
    SELECT d.outcome,
           d.outcome || ':' || ${input.channel} || ':' || ${input.date} || ':' || coalesce(d.line_no::text, d.order_no),
           ${input.channel}, d.order_id, left(d.order_no, 64), ${input.statementId}, d.our_amount, d.row_amount,
           d.our_state, d.row_status,
           CASE d.outcome
             WHEN 'channel_only' THEN 'the statement lists order ' || left(d.order_no, 64) || ', which Fenqi has not sent on this channel'
             WHEN 'ours_only' THEN 'Fenqi holds this order as ' || d.our_state || ' on ' || ${input.date} || '; the statement does not list it'
             WHEN 'amount_mismatch' THEN 'the statement has ' || d.row_kind || ' ' || d.row_amount || ' fen; ours is ' || d.our_kind || ' ' || d.our_amount || ' fen'
             WHEN 'status_mismatch' THEN 'the statement says ' || d.row_status || '; Fenqi holds the order as ' || d.our_state
             ELSE 'the statement has a bounce of this payout (Fenqi held it as ' || d.our_state || '); the bounce is now booked'
           END,
           ${input.businessDate}::date
    FROM payment_recon_differences d
    WHERE d.outcome IN ('channel_only', 'ours_only', 'amount_mismatch', 'status_mismatch', 'bounced_payout')
    ON CONFLICT (dedupe_key) DO NOTHING`.execute(trx);
}

export type ToResolve = {
  order_no: string;
  row_status: 'succeeded' | 'failed' | 'bounced';
  txn_id: string;
  row_finished_at: Date;
};

/** Rows whose statement status settles an order Fenqi held as unclear (or a bounce it had not seen). */
export async function rowsToResolve(trx: PaymentsTx): Promise<ToResolve[]> {
  const result = await sql<ToResolve>`
    SELECT order_no, row_status, txn_id, row_finished_at FROM payment_recon_differences
    WHERE outcome IN ('resolve', 'bounced_payout') ORDER BY line_no`.execute(trx);
  return result.rows;
}

/**
 * What the matched and resolved rows should have moved on the channel's clearing account, and the
 * table of the journal entries that booked them (payment_recon_items.entry_id, which the ledger reads).
 */
export async function clearingExpectation(
  trx: PaymentsTx,
): Promise<{ expectedMinor: bigint; entryTable: string }> {
  // Matched rows carry their entry from classification; the few orders the statement just settled
  // or bounced have theirs only now.
  await sql`
    UPDATE payment_recon_items i
    SET entry_id = CASE WHEN d.row_status = 'bounced' THEN o.bounced_entry_id ELSE o.settled_entry_id END
    FROM payment_recon_differences d JOIN payment_orders o ON o.id = d.order_id
    WHERE d.outcome IN ('resolve', 'bounced_payout') AND i.line_no = d.line_no
      AND d.row_status IN ('succeeded', 'bounced')`.execute(trx);
  const totals = await sql<{ expected: string }>`
    SELECT coalesce(sum(clearing_minor), 0)::text AS expected
    FROM payment_recon_items WHERE outcome IN ('matched', 'resolve', 'bounced_payout')`.execute(trx);
  return { expectedMinor: BigInt(totals.rows[0]?.expected ?? '0'), entryTable: 'payment_recon_items' };
}

export async function recordOutcome(
  trx: PaymentsTx,
  statementId: bigint,
  outcome: {
    matched: number;
    resolved: number;
    differences: number;
    feeEntryId: bigint | null;
    ledgerExpectedMinor: bigint;
    ledgerPostedMinor: bigint;
  },
): Promise<void> {
  await sql`
    UPDATE payment_statements
    SET matched = ${outcome.matched}, resolved = ${outcome.resolved}, differences = ${outcome.differences},
        fee_entry_id = ${outcome.feeEntryId}, ledger_expected_minor = ${String(outcome.ledgerExpectedMinor)}::numeric,
        ledger_posted_minor = ${String(outcome.ledgerPostedMinor)}::numeric
    WHERE id = ${statementId}`.execute(trx);
}

/** The exception items a statement raised, by kind (for the report of a re-import). */
export async function differencesOf(trx: PaymentsTx, statementId: bigint): Promise<Record<string, number>> {
  const result = await sql<{ kind: string; n: number }>`
    SELECT kind, count(*)::int AS n FROM payment_exceptions WHERE statement_id = ${statementId} GROUP BY kind`.execute(
    trx,
  );
  return Object.fromEntries(result.rows.map((row) => [row.kind, row.n]));
}
