import { createHash } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSimStatement } from '../../src/modules/payments/channels/simulated-statement.ts';
import { bindCard, eventually, merchantNo, orderNo, useSim } from './support.ts';

// The statement file: exact rows, fees and summary for a day built on purpose (the settlement
// date is overridden so the day is fixed), its digest, and a day of 100k orders.

const sim = useSim();
const paidDay = '2031-03-15';
const bounceDay = '2031-03-16';

type Expected = { orderNo: string; kind: string; status: string; amountFen: number; feeFen: number };
const expected: Expected[] = [];
const bounced: Expected[] = [];

async function setDate(date: string | null) {
  expect((await sim.client.admin('PUT', '/admin/settlement-date', { date })).status).toBe(200);
}

async function payout(amount: string) {
  const number = orderNo('PO');
  await sim.client.post('/v1/payouts', {
    orderNo: number,
    amount,
    accountName: 'Zhang San',
    accountNo: '6222020000000001',
    notifyUrl: sim.receiver.notifyUrl,
  });
  await eventually(async () => expect((await sim.client.order(number)).status).toBe('SUCCEEDED'));
  return number;
}

async function collect(agreementNo: string, amountFen: number) {
  const number = orderNo('CO');
  await sim.client.post('/v1/collections', {
    orderNo: number,
    agreementNo,
    amountFen,
    notifyUrl: sim.receiver.notifyUrl,
  });
  return number;
}

async function fetchStatement(date: string) {
  const answer = await sim.client.get(`/v1/statements/${date}`);
  expect(answer.status).toBe(200);
  return answer.text;
}

beforeAll(async () => {
  const agreementNo = await bindCard(sim.client, '6222020000006666');
  await setDate(paidDay);
  const p1 = await payout('1000.00');
  expected.push({ orderNo: p1, kind: 'PAYOUT', status: 'SUCCEEDED', amountFen: 100_000, feeFen: 150 });
  const p2 = await payout('2000.00');
  expected.push({ orderNo: p2, kind: 'PAYOUT', status: 'SUCCEEDED', amountFen: 200_000, feeFen: 150 });
  // 0.25 % rounded half-up, at least 100 fen.
  const c1 = await collect(agreementNo, 100_200); // 250.5 → 251
  expected.push({ orderNo: c1, kind: 'COLLECT', status: 'SUCCEEDED', amountFen: 100_200, feeFen: 251 });
  const c2 = await collect(agreementNo, 100_180); // 250.45 → 250
  expected.push({ orderNo: c2, kind: 'COLLECT', status: 'SUCCEEDED', amountFen: 100_180, feeFen: 250 });
  const c3 = await collect(agreementNo, 10_000); // 25 → the minimum
  expected.push({ orderNo: c3, kind: 'COLLECT', status: 'SUCCEEDED', amountFen: 10_000, feeFen: 100 });
  const c4 = await collect('AG-VOID', 5_000);
  expected.push({ orderNo: c4, kind: 'COLLECT', status: 'FAILED', amountFen: 5_000, feeFen: 0 });
  const r1 = orderNo('RF');
  await sim.client.post('/v1/refunds', {
    orderNo: r1,
    originalOrderNo: c1,
    amountFen: 5_000,
    notifyUrl: sim.receiver.notifyUrl,
  });
  expected.push({ orderNo: r1, kind: 'REFUND', status: 'SUCCEEDED', amountFen: 5_000, feeFen: 0 });
  await setDate(bounceDay);
  await sim.client.admin('POST', `/admin/orders/${p2}/bounce`);
  bounced.push({ orderNo: p2, kind: 'PAYOUT', status: 'BOUNCED', amountFen: 200_000, feeFen: 0 });
  await setDate(null);
});

async function expectedLines(rows: Expected[], date: string): Promise<string[]> {
  const lines: { at: string; txnId: string; line: string }[] = [];
  for (const row of rows) {
    const order = (await sim.client.admin('GET', `/admin/orders/${row.orderNo}`)).json as {
      txnId: string;
      finishedAt: string;
      bouncedAt: string | null;
    };
    const at = row.status === 'BOUNCED' ? (order.bouncedAt ?? '') : order.finishedAt;
    lines.push({
      at,
      txnId: order.txnId,
      line: [order.txnId, row.orderNo, row.kind, row.status, row.amountFen, row.feeFen, at].join(','),
    });
  }
  lines.sort((a, b) => a.at.localeCompare(b.at) || a.txnId.localeCompare(b.txnId));
  return [
    `# FQSIM STATEMENT v1,${merchantNo},${date}`,
    'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at',
    ...lines.map((entry) => entry.line),
  ];
}

function withTrailer(lines: string[], summary: string): string {
  const body = [...lines, summary].map((line) => `${line}\n`).join('');
  return `${body}# SHA256,${createHash('sha256').update(body).digest('hex')}\n`;
}

describe('the statement file', () => {
  it('lists the day exactly: rows, fees, summary and digest', async () => {
    const text = await fetchStatement(paidDay);
    const lines = await expectedLines(expected, paidDay);
    // gross = 100000 + 200000 + 100200 + 100180 + 10000; fees = 150 + 150 + 251 + 250 + 100.
    const summary = '# SUMMARY,count=7,gross_fen=510380,fee_fen=901,refund_fen=5000,net_fen=504479';
    expect(text).toBe(withTrailer(lines, summary));
    const parsed = parseSimStatement(text, paidDay, merchantNo);
    expect(parsed.summary).toEqual({
      count: 7,
      grossMinor: 510_380n,
      feeMinor: 901n,
      refundMinor: 5_000n,
      netMinor: 504_479n,
    });
    // Reading the rows proves the summary against them (it throws otherwise).
    expect([...parsed.rows()]).toHaveLength(7);
  });

  it('a bounced payout appears again on the day it came back', async () => {
    const text = await fetchStatement(bounceDay);
    const summary = '# SUMMARY,count=1,gross_fen=0,fee_fen=0,refund_fen=200000,net_fen=-200000';
    expect(text).toBe(withTrailer(await expectedLines(bounced, bounceDay), summary));
    expect([...parseSimStatement(text, bounceDay, merchantNo).rows()][0]).toMatchObject({
      status: 'bounced',
    });
    // Its success still stands on the day it was paid.
    expect(await fetchStatement(paidDay)).toContain(`,${bounced[0]?.orderNo},PAYOUT,SUCCEEDED,200000,150,`);
  });

  it('an empty day is a valid file', async () => {
    const text = await fetchStatement('2031-01-01');
    expect(text).toBe(
      withTrailer(
        await expectedLines([], '2031-01-01'),
        '# SUMMARY,count=0,gross_fen=0,fee_fen=0,refund_fen=0,net_fen=0',
      ),
    );
    expect([...parseSimStatement(text, '2031-01-01', merchantNo).rows()]).toEqual([]);
  });

  it('settles by default on the Asia/Shanghai date of the finish', async () => {
    expect((await sim.client.admin('GET', '/admin/settlement-date')).json).toEqual({ date: null });
    const number = await payout('3.00');
    const finishedAt = (await sim.client.order(number)).finishedAt as string;
    const date = new Date(Date.parse(finishedAt) + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(await fetchStatement(date)).toContain(`,${number},PAYOUT,SUCCEEDED,300,150,${finishedAt}\n`);
  });

  it('refuses a malformed date and a bad override', async () => {
    expect((await sim.client.get('/v1/statements/2031-13-01')).status).toBe(400);
    expect((await sim.client.get('/v1/statements/yesterday')).status).toBe(400);
    expect((await sim.client.admin('PUT', '/admin/settlement-date', { date: '2031-02-30' })).status).toBe(
      400,
    );
    expect((await sim.client.admin('PUT', '/admin/settlement-date', { date: 20310101 })).status).toBe(400);
  });

  it('streams a day of 100 000 orders that the parser accepts', async () => {
    const day = '2031-06-01';
    const client = new pg.Client({ connectionString: sim.databaseUrl });
    await client.connect();
    try {
      // Written straight into the channel's table: what is tested is the file, not 100k requests.
      await client.query(
        `INSERT INTO channel_sim.orders
           (order_no, txn_id, kind, status, amount_fen, fee_fen, notify_url, behaviour, planned_status,
            created_at, finished_at, settlement_date)
         SELECT 'BULK' || n, 'TB' || lpad(n::text, 10, '0'), 'PAYOUT', 'SUCCEEDED', 10000 + n, 150,
                'http://127.0.0.1:1/none', '{}', 'SUCCEEDED',
                timestamptz '2031-06-01 01:00:00+08' + n * interval '1 ms',
                timestamptz '2031-06-01 01:00:00+08' + n * interval '1 ms', $1
           FROM generate_series(1, 100000) AS n`,
        [day],
      );
    } finally {
      await client.end();
    }
    const text = await fetchStatement(day);
    const parsed = parseSimStatement(text, day, merchantNo);
    const rows = [...parsed.rows()];
    expect(rows).toHaveLength(100_000);
    // Σ (10000 + n) for n = 1..100000.
    const gross = 100_000n * 10_000n + (100_000n * 100_001n) / 2n;
    expect(parsed.summary).toEqual({
      count: 100_000,
      grossMinor: gross,
      feeMinor: 15_000_000n,
      refundMinor: 0n,
      netMinor: gross - 15_000_000n,
    });
    expect(rows[0]?.orderNo).toBe('BULK1');
    expect(rows[99_999]?.orderNo).toBe('BULK100000');
  });
});
