import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSimStatement } from '../../src/modules/payments/channels/simulated-statement.ts';

// The simulated channel's statement parser on its own: every way a file can be wrong is refused
// with the line and what is wrong with it, and the totals it checks the summary against are exact
// beyond 2^53 fen.

const date = '2026-11-30';
const merchant = 'M100001';

function file(rows: string[], summary?: string): string {
  const totals = { count: 0, gross: 0n, fee: 0n, refund: 0n };
  for (const row of rows) {
    // The summary of a file with a bad row is whatever its good fields add up to.
    const fen = (text: string | undefined) => (/^\d+$/.test(text ?? '') ? BigInt(text ?? '0') : 0n);
    const [, , kind, status, amountText, feeText] = row.split(',');
    const amount = fen(amountText);
    const fee = fen(feeText);
    totals.count += 1;
    totals.fee += fee;
    if (status === 'BOUNCED' || (status === 'SUCCEEDED' && kind === 'REFUND')) totals.refund += amount;
    else if (status === 'SUCCEEDED') totals.gross += amount;
  }
  const net = totals.gross - totals.fee - totals.refund;
  const body = [
    `# FQSIM STATEMENT v1,${merchant},${date}`,
    'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at',
    ...rows,
    summary ??
      `# SUMMARY,count=${totals.count},gross_fen=${totals.gross},fee_fen=${totals.fee},refund_fen=${totals.refund},net_fen=${net}`,
  ]
    .map((line) => `${line}\n`)
    .join('');
  return `${body}# SHA256,${createHash('sha256').update(body).digest('hex')}\n`;
}

const good = [
  'T1,FQ1,PAYOUT,SUCCEEDED,10000,150,2026-11-30T01:00:00Z',
  'T2,FQ2,COLLECT,FAILED,2500,0,2026-11-30T02:00:00.123Z',
  'T3,FQ3,PAYOUT,BOUNCED,7000,150,2026-11-30T23:59:59Z',
  'T4,FQ4,REFUND,SUCCEEDED,300,0,2026-11-30T12:00:00Z',
];

/** Parses the file and reads every row, as reconciliation does. */
const readAll = (text: string, on = date) => {
  const statement = parseSimStatement(text, on, merchant);
  return { ...statement, rows: [...statement.rows()] };
};

const refusal = (text: string) => {
  try {
    readAll(text);
  } catch (error) {
    return (error as { code?: string; message: string }).code === 'statement_invalid'
      ? (error as Error).message
      : `not statement_invalid: ${(error as Error).message}`;
  }
  return 'accepted';
};

describe('the simulated statement parser', () => {
  it('reads every row as the file states it, and the summary', () => {
    const parsed = readAll(file(good));
    expect(parsed.rows).toEqual([
      {
        lineNo: 1,
        txnId: 'T1',
        orderNo: 'FQ1',
        kind: 'payout',
        status: 'succeeded',
        amountMinor: 10000n,
        feeMinor: 150n,
        finishedAt: '2026-11-30T01:00:00Z',
      },
      expect.objectContaining({
        lineNo: 2,
        kind: 'collect',
        status: 'failed',
        finishedAt: '2026-11-30T02:00:00.123Z',
      }),
      expect.objectContaining({ lineNo: 3, status: 'bounced', amountMinor: 7000n }),
      expect.objectContaining({ lineNo: 4, kind: 'refund', amountMinor: 300n }),
    ]);
    expect(parsed.summary).toEqual({
      count: 4,
      grossMinor: 10000n,
      feeMinor: 300n,
      refundMinor: 7300n,
      netMinor: 10000n - 300n - 7300n,
    });
  });

  it('totals are exact past 2^53 fen', () => {
    const rows = Array.from(
      { length: 10_000 },
      (_, i) => `T${i},FQ${i},PAYOUT,SUCCEEDED,999999999999,1,2026-11-30T01:00:00Z`,
    );
    const parsed = readAll(file(rows));
    expect(parsed.summary.grossMinor).toBe(9_999_999_999_990_000n);
    expect(parsed.summary.grossMinor > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it.each([
    ['a row with six fields', 'T9,FQ9,PAYOUT,SUCCEEDED,100,2026-11-30T01:00:00Z', 'a row must have 7 fields'],
    [
      'an order number with a space',
      'T9,FQ 9,PAYOUT,SUCCEEDED,100,0,2026-11-30T01:00:00Z',
      'a transaction id or order number is malformed',
    ],
    ['an unknown kind', 'T9,FQ9,WIRE,SUCCEEDED,100,0,2026-11-30T01:00:00Z', 'unknown kind or status'],
    ['a lower-case status', 'T9,FQ9,PAYOUT,succeeded,100,0,2026-11-30T01:00:00Z', 'unknown kind or status'],
    [
      'an amount in yuan',
      'T9,FQ9,PAYOUT,SUCCEEDED,1.00,0,2026-11-30T01:00:00Z',
      'an amount is not a whole number of fen',
    ],
    [
      'a 13-digit amount',
      'T9,FQ9,PAYOUT,SUCCEEDED,1000000000000,0,2026-11-30T01:00:00Z',
      'an amount is not a whole number of fen',
    ],
    [
      'a leading zero',
      'T9,FQ9,PAYOUT,SUCCEEDED,0100,0,2026-11-30T01:00:00Z',
      'an amount is not a whole number of fen',
    ],
    ['30 February', 'T9,FQ9,PAYOUT,SUCCEEDED,100,0,2026-02-30T01:00:00Z', 'bad finished_at'],
    ['hour 24', 'T9,FQ9,PAYOUT,SUCCEEDED,100,0,2026-11-30T24:00:00Z', 'bad finished_at'],
    ['a local time', 'T9,FQ9,PAYOUT,SUCCEEDED,100,0,2026-11-30T01:00:00+08:00', 'bad finished_at'],
    ['a bounced collection', 'T9,FQ9,COLLECT,BOUNCED,100,0,2026-11-30T01:00:00Z', 'only payouts bounce'],
  ])('refuses %s, naming its line', (_name, row, problem) => {
    expect(refusal(file([good[0] ?? '', row]))).toBe(
      `The statement of ${date} is not valid (line 4): ${problem}`,
    );
  });

  it('refuses a file whose header, columns, summary or digest do not check', () => {
    const text = file(good);
    expect(refusal(text.replace('M100001', 'M100002'))).toBe(
      `The statement of ${date} is not valid: the digest does not match the file (altered or truncated)`,
    );
    expect(refusal(text.slice(0, -1))).toBe(
      `The statement of ${date} is not valid: it does not end with a line break (truncated?)`,
    );
    expect(refusal(text.slice(0, text.indexOf('# SHA256')))).toBe(
      `The statement of ${date} is not valid: there is no digest line`,
    );
    expect(
      refusal(file(good, '# SUMMARY,count=4,gross_fen=10001,fee_fen=300,refund_fen=7300,net_fen=2401')),
    ).toBe(
      `The statement of ${date} is not valid (line 7): the summary's grossMinor is 10001 but the rows give 10000`,
    );
    expect(refusal(file(good, '# TOTAL,4'))).toBe(
      `The statement of ${date} is not valid: the last line is not the summary`,
    );
    expect(() => readAll(file(good), '2026-12-01')).toThrow(
      'the header is not for merchant M100001 on 2026-12-01',
    );
    const noColumns = file(good).replace('txn_id,order_no', 'order_no,txn_id');
    const redigested = (() => {
      const body = noColumns.slice(0, noColumns.indexOf('# SHA256'));
      return `${body}# SHA256,${createHash('sha256').update(body).digest('hex')}\n`;
    })();
    expect(refusal(redigested)).toBe(
      `The statement of ${date} is not valid (line 2): the column line is not txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at`,
    );
  });
});
