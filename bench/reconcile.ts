// Reconciliation benchmark: a statement of 1,000,000 rows against 1,000,000 payment orders, through
// the real reconcile() (parse and check the file, COPY its rows, classify, raise differences, post
// the fee, check the ledger), next to a raw-SQL floor measured in the same run: COPY both sides
// into temporary tables and classify them with one full outer join.
//
//   node bench/reconcile.ts                (DATABASE_URL's server if set, else an embedded PostgreSQL)
//   BENCH_ROWS=200000 node bench/reconcile.ts
//
// Aim: reconcile() within 2 × the floor. The floor is what any design must pay to move both sides
// into the database and compare them; everything above it is ours.
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { type JournalEntryInput, postJournalsBulk } from '../packages/server/src/modules/ledger/service.ts';
import { reconcile } from '../packages/server/src/modules/payments/reconcile.ts';
import { loadConfig } from '../packages/server/src/platform/config.ts';
import { copyRows } from '../packages/server/src/platform/copy.ts';
import { createDb, createPool } from '../packages/server/src/platform/db.ts';
import { createLogger } from '../packages/server/src/platform/logger.ts';
import { scratchDatabase } from './support/database.ts';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const date = '2026-11-30';
const merchantNo = 'M100001';
const orderNo = (i: number) => `FQ20261130${String(i).padStart(16, '0')}`;
const amountOf = (i: number) => 10_000 + (i % 9_000) * 7;
const finishedAt = (i: number) =>
  new Date(Date.parse('2026-11-30T00:00:00Z') + (i % 50_000) * 1000).toISOString();
// A few planted differences, as a real day has: amounts off by a fen, and rows only on one side.
const amountOff = new Set([17, 170_017, 700_017].filter((i) => i <= rows));
const oursOnly = new Set([23, 230_023].filter((i) => i <= rows));

function statementText(): string {
  const lines = [
    `# FQSIM STATEMENT v1,${merchantNo},${date}`,
    'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at',
  ];
  let gross = 0;
  let count = 0;
  for (let i = 1; i <= rows; i++) {
    if (oursOnly.has(i)) continue;
    const amount = amountOf(i) + (amountOff.has(i) ? 1 : 0);
    gross += amount;
    count += 1;
    lines.push(`T${i},${orderNo(i)},PAYOUT,SUCCEEDED,${amount},150,${finishedAt(i)}`);
  }
  lines.push(`TX1,FQ20261130X00000000000001,PAYOUT,SUCCEEDED,5000,150,${finishedAt(1)}`);
  gross += 5000;
  count += 1;
  const fee = count * 150;
  lines.push(
    `# SUMMARY,count=${count},gross_fen=${gross},fee_fen=${fee},refund_fen=0,net_fen=${gross - fee}`,
  );
  const body = lines.map((line) => `${line}\n`).join('');
  return `${body}# SHA256,${createHash('sha256').update(body).digest('hex')}\n`;
}

async function main(): Promise<void> {
  const scratch = await scratchDatabase('reconcile');
  const pool = createPool({ connectionString: scratch.url, max: 4 });
  const db = createDb(pool);
  try {
    process.stdout.write(`reconcile benchmark: ${rows.toLocaleString('en')} rows, ${scratch.server}\n`);
    const setupStart = performance.now();
    await sql`
      INSERT INTO payment_orders (order_no, channel, kind, purpose, state, amount_minor, currency, source_ref,
        account_name_enc, account_no_enc, channel_txn_id, finished_at, business_date)
      SELECT 'FQ20261130' || lpad(i::text, 16, '0'), 'simulated', 'payout', 'disbursement', 'processing',
             10000 + (i % 9000) * 7, 'CNY', 'loan:' || i || '/disbursement', 'fq1.x', 'fq1.x', 'T' || i,
             timestamptz '2026-11-30T00:00:00Z' + ((i % 50000) || ' seconds')::interval,
             (SELECT business_date FROM business_date)
      FROM generate_series(1, ${rows}) AS i`.execute(db);
    // Their settlement entries, as payments posts them, so the ledger check has something to check.
    const chunk = 50_000;
    for (let first = 1; first <= rows; first += chunk) {
      const entries: JournalEntryInput[] = [];
      for (let i = first; i < Math.min(first + chunk, rows + 1); i++) {
        const amountMinor = BigInt(amountOf(i));
        entries.push({
          idempotencyKey: `payment:${orderNo(i)}:settled`,
          eventType: 'payment_payout',
          sourceRef: `payment-order:${orderNo(i)}`,
          lines: [
            { account: '1012.01', side: 'credit' as const, amountMinor, currency: 'CNY' },
            { account: '2202', side: 'debit' as const, amountMinor, currency: 'CNY' },
          ],
        });
      }
      await db.transaction().execute((trx) => postJournalsBulk(trx, entries));
    }
    await sql`
      UPDATE payment_orders o SET state = 'succeeded', settled_entry_id = e.id
      FROM ledger_entries e WHERE e.idempotency_key = 'payment:' || o.order_no || ':settled'`.execute(db);
    await sql`VACUUM ANALYZE payment_orders`.execute(db);
    const text = statementText();
    process.stdout.write(`set-up: ${((performance.now() - setupStart) / 1000).toFixed(1)} s\n`);

    // The floor: the statement's rows and our orders COPYed into temporary tables, one full outer join.
    const statementLines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    statementLines.shift();
    const floorStart = performance.now();
    const joined = await db.transaction().execute(async (trx) => {
      await sql`CREATE TEMP TABLE s (order_no text, txn_id text, kind text, status text, amount bigint, fee bigint, finished_at timestamptz) ON COMMIT DROP`.execute(
        trx,
      );
      await sql`CREATE TEMP TABLE o (order_no text, kind text, state text, amount bigint) ON COMMIT DROP`.execute(
        trx,
      );
      await copyRows(
        trx,
        'COPY s FROM STDIN (FORMAT csv)',
        (function* () {
          for (const line of statementLines) {
            const [txn, no, kind, status, amount, fee, at] = line.split(',');
            yield `${no},${txn},${kind},${status},${amount},${fee},${at}\n`;
          }
        })(),
      );
      // Our side as a matcher outside the database would hold it: one CSV line per order.
      await copyRows(
        trx,
        'COPY o FROM STDIN (FORMAT csv)',
        (function* () {
          for (let i = 1; i <= rows; i++) yield `${orderNo(i)},payout,succeeded,${amountOf(i)}\n`;
        })(),
      );
      return (
        await sql<{ outcome: string; n: string }>`
          SELECT CASE WHEN o.order_no IS NULL THEN 'channel_only'
                      WHEN s.order_no IS NULL THEN 'ours_only'
                      WHEN s.amount <> o.amount OR lower(s.kind) <> o.kind THEN 'amount_mismatch'
                      WHEN lower(s.status) <> o.state THEN 'status_mismatch'
                      ELSE 'matched' END AS outcome, count(*) AS n
          FROM s FULL OUTER JOIN o ON o.order_no = s.order_no GROUP BY 1 ORDER BY 1`.execute(trx)
      ).rows;
    });
    const floorSeconds = (performance.now() - floorStart) / 1000;

    const config = loadConfig({
      DATABASE_URL: scratch.url,
      LOG_LEVEL: 'silent',
      SIM_MERCHANT_SECRET: 'bench-merchant-secret-0123456789',
    });
    const services = { config, db, logger: createLogger(config) };
    const load = loadavg()[0]?.toFixed(2);
    const start = performance.now();
    const report = await reconcile(services, { channel: 'simulated', date, text });
    const oursSeconds = (performance.now() - start) / 1000;
    const againStart = performance.now();
    const again = await reconcile(services, { channel: 'simulated', date, text });
    const againSeconds = (performance.now() - againStart) / 1000;

    const statementRows = statementLines.length;
    const floor = Object.fromEntries(joined.map((r) => [r.outcome, Number(r.n)]));
    process.stdout.write(
      [
        `floor (COPY both sides, one full outer join): ${floorSeconds.toFixed(2)} s, ${Math.round(statementRows / floorSeconds).toLocaleString('en')} rows/s  ${JSON.stringify(floor)}`,
        `reconcile():                                  ${oursSeconds.toFixed(2)} s, ${Math.round(statementRows / oursSeconds).toLocaleString('en')} rows/s  matched ${report.matched}, differences ${JSON.stringify(report.differences)}, ledger ok ${report.ledger.ok}`,
        `ratio reconcile ÷ floor: ${(oursSeconds / floorSeconds).toFixed(2)} × (aim ≤ 2)`,
        `re-import of the same file: ${againSeconds.toFixed(2)} s (alreadyImported ${again.alreadyImported})`,
        `load average at start: ${load}`,
        '',
      ].join('\n'),
    );
    if (
      report.differences.amount_mismatch !== amountOff.size ||
      report.differences.ours_only !== oursOnly.size
    )
      throw new Error('reconcile() did not find the planted differences');
  } finally {
    await pool.end();
    await scratch.drop();
  }
}

await main();
