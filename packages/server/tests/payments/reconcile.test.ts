import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJournalsBulk } from '../../src/modules/ledger/service.ts';
import { reconcile } from '../../src/modules/payments/reconcile.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Services } from '../../src/platform/services.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';

// Reconciliation over a statement of 100,000 rows with planted differences of every kind: each is
// found, exactly, with no false difference; the statement settles orders Fenqi held as unclear;
// fees are posted once; a re-run changes nothing. The statement is written here from the format
// in docs/payments.md, as a channel would write it.

const merchantNo = 'M100001';
const date = '2026-11-30';
const channel = 'simulated';
const clearing = '1012.01';

let database: TestDatabase;
let services: Services;

type Row = {
  txnId: string;
  orderNo: string;
  kind: string;
  status: string;
  amountFen: bigint;
  feeFen: bigint;
  at: string;
};

/** The statement file: header, columns, rows, summary, digest (every line ends in \n). */
function statementText(rows: readonly Row[]): string {
  let gross = 0n;
  let fee = 0n;
  let refund = 0n;
  for (const row of rows) {
    fee += row.feeFen;
    if (row.status === 'BOUNCED' || (row.status === 'SUCCEEDED' && row.kind === 'REFUND'))
      refund += row.amountFen;
    else if (row.status === 'SUCCEEDED') gross += row.amountFen;
  }
  const lines = [
    `# FQSIM STATEMENT v1,${merchantNo},${date}`,
    'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at',
    ...rows.map((r) => [r.txnId, r.orderNo, r.kind, r.status, r.amountFen, r.feeFen, r.at].join(',')),
    `# SUMMARY,count=${rows.length},gross_fen=${gross},fee_fen=${fee},refund_fen=${refund},net_fen=${gross - fee - refund}`,
  ];
  const body = lines.map((line) => `${line}\n`).join('');
  return `${body}# SHA256,${createHash('sha256').update(body).digest('hex')}\n`;
}

const total = 100_000;
const orderNo = (i: number) => `FQ20261130${String(i).padStart(16, '0')}`;
const amountOf = (i: number) => BigInt(10_000 + (i % 9_000) * 7);
// 08:00 in Shanghai on the statement date, plus a second per order: well inside the day.
const finishedAt = (i: number) =>
  new Date(Date.parse('2026-11-30T00:00:00Z') + (i % 50_000) * 1000).toISOString();

// Planted differences (order indexes; every other order matches).
const planted = {
  oursOnly: [11, 12, 13],
  amountMismatch: [21, 22],
  statusMismatch: [31],
  bouncedPayout: [41, 42],
  resolvedUnknown: [51, 52, 53, 54],
  resolvedFailed: [61],
  channelOnly: ['FQ20261130X00000000000001', 'FQ20261130X00000000000002'],
};
const special = new Set([
  ...planted.oursOnly,
  ...planted.amountMismatch,
  ...planted.statusMismatch,
  ...planted.bouncedPayout,
  ...planted.resolvedUnknown,
  ...planted.resolvedFailed,
]);

function statementRows(): Row[] {
  const rows: Row[] = [];
  for (let i = 1; i <= total; i++) {
    if (planted.oursOnly.includes(i)) continue;
    const base = { txnId: `T${i}`, orderNo: orderNo(i), kind: 'PAYOUT', feeFen: 150n, at: finishedAt(i) };
    if (planted.amountMismatch.includes(i))
      rows.push({ ...base, status: 'SUCCEEDED', amountFen: amountOf(i) + 1n });
    else if (planted.statusMismatch.includes(i))
      rows.push({ ...base, status: 'FAILED', amountFen: amountOf(i), feeFen: 0n });
    else if (planted.bouncedPayout.includes(i))
      rows.push({ ...base, status: 'BOUNCED', amountFen: amountOf(i), feeFen: 0n });
    else if (planted.resolvedFailed.includes(i))
      rows.push({ ...base, status: 'FAILED', amountFen: amountOf(i), feeFen: 0n });
    else rows.push({ ...base, status: 'SUCCEEDED', amountFen: amountOf(i) });
  }
  for (const [n, no] of planted.channelOnly.entries())
    rows.push({
      txnId: `TX${n}`,
      orderNo: no,
      kind: 'PAYOUT',
      status: 'SUCCEEDED',
      amountFen: 5_000n,
      feeFen: 150n,
      at: finishedAt(n),
    });
  return rows;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...testKeys });
  services = { config, db: database.db, logger: createLogger(config) };
  // 100,000 payout orders: the unknown and failed ones as planted, the rest paid on the date.
  await sql`
    INSERT INTO payment_orders (order_no, channel, kind, purpose, state, amount_minor, currency, source_ref,
      account_name_enc, account_no_enc, account_no_masked, channel_txn_id, finished_at, failure_code, business_date, next_action_at)
    SELECT 'FQ20261130' || lpad(i::text, 16, '0'), 'simulated', 'payout', 'disbursement',
           CASE WHEN i = ANY(${planted.resolvedUnknown}::int[]) THEN 'unknown'
                ELSE 'processing' END,
           10000 + (i % 9000) * 7, 'CNY', 'loan:' || i || '/disbursement', 'fq1.x', 'fq1.x', '6222****0000', 'T' || i,
           CASE WHEN i = ANY(${[...planted.resolvedUnknown, ...planted.resolvedFailed]}::int[]) THEN NULL
                ELSE timestamptz '2026-11-30T00:00:00Z' + ((i % 50000) || ' seconds')::interval END,
           NULL, (SELECT business_date FROM business_date), NULL
    FROM generate_series(1, ${total}) AS i`.execute(database.db);
  // Their settlement entries, as payments posts them (clearing credited, merchant payable debited);
  // an order is succeeded only with its entry (a constraint of payment_orders).
  const paid = await sql<{ order_no: string; amount_minor: bigint }>`
    SELECT order_no, amount_minor FROM payment_orders WHERE finished_at IS NOT NULL ORDER BY id`.execute(
    database.db,
  );
  await database.db.transaction().execute((trx) =>
    postJournalsBulk(
      trx,
      paid.rows.map((o) => ({
        idempotencyKey: `payment:${o.order_no}:settled`,
        eventType: 'payment_payout',
        sourceRef: `payment-order:${o.order_no}`,
        lines: [
          { account: clearing, side: 'credit' as const, amountMinor: o.amount_minor, currency: 'CNY' },
          { account: '2202', side: 'debit' as const, amountMinor: o.amount_minor, currency: 'CNY' },
        ],
      })),
    ),
  );
  await sql`
    UPDATE payment_orders o SET state = 'succeeded', settled_entry_id = e.id
    FROM ledger_entries e WHERE e.idempotency_key = 'payment:' || o.order_no || ':settled'`.execute(
    database.db,
  );
}, 600_000);

afterAll(async () => {
  await database?.drop();
});

const exceptionsByKind = async () => {
  const rows = await sql<{ kind: string; order_no: string }>`
    SELECT kind, order_no FROM payment_exceptions ORDER BY kind, order_no`.execute(database.db);
  const byKind: Record<string, string[]> = {};
  for (const row of rows.rows) byKind[row.kind] = [...(byKind[row.kind] ?? []), row.order_no];
  return byKind;
};

const fingerprint = async () =>
  (
    await sql<{ orders: string; entries: string; exceptions: string; transitions: string }>`
      SELECT (SELECT md5(string_agg(order_no || state || coalesce(settled_entry_id::text, '') || coalesce(bounced_entry_id::text, ''), ',' ORDER BY id)) FROM payment_orders) AS orders,
             (SELECT count(*)::text FROM ledger_entries) AS entries,
             (SELECT count(*)::text FROM payment_exceptions) AS exceptions,
             (SELECT count(*)::text FROM payment_order_transitions) AS transitions`.execute(database.db)
  ).rows[0];

describe('reconciliation of a 100,000-row statement', () => {
  const text = statementText(statementRows());

  it('a statement whose digest or summary does not check is refused, and nothing is written', async () => {
    const tampered = text.replace(`,${amountOf(500)},150,`, `,${amountOf(500) + 100n},150,`);
    await expect(reconcile(services, { channel, date, text: tampered })).rejects.toMatchObject({
      code: 'statement_invalid',
    });
    const truncated = text.slice(0, text.length - 200);
    await expect(reconcile(services, { channel, date, text: truncated })).rejects.toMatchObject({
      code: 'statement_invalid',
    });
    const statements = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payment_statements`.execute(
      database.db,
    );
    expect(statements.rows[0]?.n).toBe(0);
  });

  it('finds every planted difference, exactly, settles the unclear orders, and posts the fees', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ledger_entries`.execute(
      database.db,
    );
    const report = await reconcile(services, { channel, date, text });
    expect(report.rows).toBe(total - planted.oursOnly.length + planted.channelOnly.length);
    expect(report.alreadyImported).toBe(false);
    expect(report.differences).toEqual({
      channel_only: 2,
      ours_only: 3,
      amount_mismatch: 2,
      status_mismatch: 1,
      bounced_payout: 2,
      ledger_mismatch: 0,
    });
    expect(report.resolved).toBe(planted.resolvedUnknown.length + planted.resolvedFailed.length);
    expect(report.matched).toBe(total - special.size);
    expect(report.ledger.ok).toBe(true);

    const exceptions = await exceptionsByKind();
    expect(exceptions).toEqual({
      channel_only: planted.channelOnly,
      ours_only: planted.oursOnly.map(orderNo),
      amount_mismatch: planted.amountMismatch.map(orderNo),
      status_mismatch: planted.statusMismatch.map(orderNo),
      bounced_payout: planted.bouncedPayout.map(orderNo),
    });

    // The statement settled the unclear orders and booked the bounces it reported.
    const states = await sql<{ order_no: string; state: string }>`
      SELECT order_no, state FROM payment_orders WHERE order_no = ANY(${[...planted.resolvedUnknown, ...planted.resolvedFailed, ...planted.bouncedPayout].map(orderNo)})
      ORDER BY order_no`.execute(database.db);
    expect(Object.fromEntries(states.rows.map((r) => [r.order_no, r.state]))).toEqual({
      ...Object.fromEntries(planted.resolvedUnknown.map((i) => [orderNo(i), 'succeeded'])),
      ...Object.fromEntries(planted.resolvedFailed.map((i) => [orderNo(i), 'failed'])),
      ...Object.fromEntries(planted.bouncedPayout.map((i) => [orderNo(i), 'bounced'])),
    });

    // Fees: one entry, the statement's total, debiting 6602 against the clearing account.
    const rows = statementRows();
    const fees = rows.reduce((sum, r) => sum + r.feeFen, 0n);
    expect(report.feeMinor).toBe(fees);
    const fee = await sql<{ account: string; side: string; amount_minor: bigint }>`
      SELECT a.code AS account, l.side, l.amount_minor FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
      WHERE l.entry_id = ${report.feeEntryId} ORDER BY l.side`.execute(database.db);
    expect(fee.rows).toEqual([
      { account: clearing, side: 'credit', amount_minor: fees },
      { account: '6602', side: 'debit', amount_minor: fees },
    ]);
    // New entries: the fee, 4 settlements of unknown orders, 2 bounces.
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ledger_entries`.execute(
      database.db,
    );
    expect((after.rows[0]?.n ?? 0) - (before.rows[0]?.n ?? 0)).toBe(1 + 4 + 2);

    // The file is archived whole (gzipped); of its rows only those that did not simply match are kept.
    const archive = await sql<{ file_gzip: Buffer; digest: string; kept: number }>`
      SELECT s.file_gzip, s.digest,
             (SELECT count(*)::int FROM payment_statement_rows r WHERE r.statement_id = s.id) AS kept
      FROM payment_statements s WHERE s.channel = ${channel} AND s.statement_date = ${date}`.execute(
      database.db,
    );
    const archived = archive.rows[0];
    expect(gunzipSync(archived?.file_gzip ?? Buffer.alloc(0)).toString('utf8')).toBe(text);
    expect(archived?.digest).toBe(report.digest);
    expect(archived?.kept).toBe(report.rows - report.matched);
  }, 300_000);

  it('running it again changes nothing, and reports the first run', async () => {
    const before = await fingerprint();
    const report = await reconcile(services, { channel, date, text });
    expect(report.alreadyImported).toBe(true);
    expect(report.differences).toMatchObject({
      channel_only: 2,
      ours_only: 3,
      amount_mismatch: 2,
      status_mismatch: 1,
      bounced_payout: 2,
    });
    expect(await fingerprint()).toEqual(before);
  }, 300_000);

  it('a different file for a date already reconciled is refused', async () => {
    const other = statementText(statementRows().slice(1));
    await expect(reconcile(services, { channel, date, text: other })).rejects.toMatchObject({
      code: 'statement_changed',
    });
  });

  it('a ledger that booked other amounts than the statement moved is a ledger_mismatch', async () => {
    // Another day: one order paid on it, whose settlement entry booked 1 fen less than it paid.
    const day = '2026-11-29';
    const no = 'FQ20261129000000000000000001';
    await sql`
      INSERT INTO payment_orders (order_no, channel, kind, purpose, state, amount_minor, currency, source_ref,
        account_name_enc, account_no_enc, channel_txn_id, finished_at, business_date)
      VALUES (${no}, 'simulated', 'payout', 'disbursement', 'processing', 20000, 'CNY', 'loan:x/disbursement',
        'fq1.x', 'fq1.x', 'TY1', '2026-11-29T03:00:00Z', (SELECT business_date FROM business_date))`.execute(
      database.db,
    );
    const [entry] = await database.db.transaction().execute((trx) =>
      postJournalsBulk(trx, [
        {
          idempotencyKey: `payment:${no}:settled`,
          eventType: 'payment_payout',
          lines: [
            { account: clearing, side: 'credit', amountMinor: 19_999n, currency: 'CNY' },
            { account: '2202', side: 'debit', amountMinor: 19_999n, currency: 'CNY' },
          ],
        },
      ]),
    );
    await sql`UPDATE payment_orders SET state = 'succeeded', settled_entry_id = ${entry?.id} WHERE order_no = ${no}`.execute(
      database.db,
    );
    const lines = [
      `# FQSIM STATEMENT v1,${merchantNo},${day}`,
      'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at',
      `TY1,${no},PAYOUT,SUCCEEDED,20000,150,2026-11-29T03:00:00.000Z`,
      '# SUMMARY,count=1,gross_fen=20000,fee_fen=150,refund_fen=0,net_fen=19850',
    ];
    const body = lines.map((line) => `${line}\n`).join('');
    const file = `${body}# SHA256,${createHash('sha256').update(body).digest('hex')}\n`;
    const report = await reconcile(services, { channel, date: day, text: file });
    expect(report.matched).toBe(1);
    expect(report.ledger).toEqual({ expectedMinor: -20_000n, postedMinor: -19_999n, ok: false });
    expect(report.differences.ledger_mismatch).toBe(1);
  });
});
