import { createHash } from 'node:crypto';
import type { SimContext } from './context.ts';

// The statement file of one settlement date (docs/payments.md, "The statement file"): every order
// finished that day, and a BOUNCED row for each payout that came back that day. Rows are read
// through a cursor from one ordered query and written as they come, so a day of 100k+ orders
// is never held in memory; the summary and the digest are accumulated on the way.

const fetchSize = 5_000;

const rowsQuery = `
  SELECT txn_id, order_no, kind, status, amount_fen, fee_fen, at FROM (
    SELECT txn_id, order_no, kind,
           CASE WHEN status = 'BOUNCED' THEN 'SUCCEEDED' ELSE status END AS status,
           amount_fen, fee_fen, finished_at AS at
      FROM channel_sim.orders
     WHERE settlement_date = $1 AND finished_at IS NOT NULL
    UNION ALL
    SELECT txn_id, order_no, kind, 'BOUNCED', amount_fen, 0, bounced_at
      FROM channel_sim.orders
     WHERE bounce_settlement_date = $1 AND bounced_at IS NOT NULL
  ) AS rows
  ORDER BY at, txn_id, status DESC`;

type Row = {
  txn_id: string;
  order_no: string;
  kind: string;
  status: string;
  amount_fen: string;
  fee_fen: string;
  at: Date;
};

export async function* statementLines(context: SimContext, date: string): AsyncGenerator<string> {
  const digest = createHash('sha256');
  const emit = (line: string) => {
    const text = `${line}\n`;
    digest.update(text);
    return text;
  };
  let count = 0;
  let gross = 0n;
  let fees = 0n;
  let refunds = 0n;
  const client = await context.pool.connect();
  let committed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE statement_rows NO SCROLL CURSOR FOR ${rowsQuery}`, [date]);
    yield emit(`# FQSIM STATEMENT v1,${context.merchantNo},${date}`);
    yield emit('txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at');
    for (;;) {
      const { rows } = await client.query<Row>(`FETCH ${fetchSize} FROM statement_rows`);
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) {
        const amount = BigInt(row.amount_fen);
        const fee = BigInt(row.fee_fen);
        count++;
        fees += fee;
        if (row.status === 'BOUNCED' || (row.status === 'SUCCEEDED' && row.kind === 'REFUND'))
          refunds += amount;
        else if (row.status === 'SUCCEEDED') gross += amount;
        chunk += emit(
          [row.txn_id, row.order_no, row.kind, row.status, amount, fee, row.at.toISOString()].join(','),
        );
      }
      yield chunk;
    }
    await client.query('COMMIT');
    committed = true;
  } finally {
    // Also when the reader went away mid-file: the client must not go back to the pool in a transaction.
    if (!committed) await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
  yield emit(
    `# SUMMARY,count=${count},gross_fen=${gross},fee_fen=${fees},refund_fen=${refunds},net_fen=${gross - fees - refunds}`,
  );
  yield `# SHA256,${digest.digest('hex')}\n`;
}
