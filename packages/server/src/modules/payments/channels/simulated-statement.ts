import { createHash } from 'node:crypto';
import type { PaymentOrderKind } from '@fenqi/core';
import { AppError } from '../../../platform/errors.ts';
import type { DateString } from '../../../platform/tables.ts';
import type { Statement, StatementRow } from '../channel.ts';

// The simulated channel's statement file (docs/payments.md, "The statement file"), checked before
// anything of it is believed: the digest over every line above it, the header's merchant and date,
// every row's shape, and the summary recomputed from the rows (count, gross, fees, refunds, net).

const columns = 'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at';
const kinds: Record<string, PaymentOrderKind> = { PAYOUT: 'payout', COLLECT: 'collect', REFUND: 'refund' };
const statuses: Record<string, StatementRow['status']> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  BOUNCED: 'bounced',
};
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const fenPattern = /^(0|[1-9]\d{0,11})$/;
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const summaryPattern =
  /^# SUMMARY,count=(\d{1,9}),gross_fen=(-?\d{1,20}),fee_fen=(\d{1,20}),refund_fen=(\d{1,20}),net_fen=(-?\d{1,20})$/;

function invalid(date: DateString, message: string, line?: number): AppError {
  return new AppError(
    'statement_invalid',
    `The statement of ${date} is not valid${line === undefined ? '' : ` (line ${line})`}: ${message}`,
  );
}

export function parseSimStatement(text: string, date: DateString, merchantNo: string): Statement {
  if (!text.endsWith('\n')) throw invalid(date, 'it does not end with a line break (truncated?)');
  const digestAt = text.lastIndexOf('# SHA256,', text.length - 2);
  if (digestAt < 0 || (digestAt > 0 && text[digestAt - 1] !== '\n'))
    throw invalid(date, 'there is no digest line');
  const body = text.slice(0, digestAt);
  const digest = text.slice(digestAt + '# SHA256,'.length, -1);
  if (!/^[0-9a-f]{64}$/.test(digest)) throw invalid(date, 'the digest is not a SHA-256 in hex');
  if (createHash('sha256').update(body).digest('hex') !== digest)
    throw invalid(date, 'the digest does not match the file (altered or truncated)');

  const lines = body.split('\n');
  lines.pop(); // the body ends in a line break
  if (lines[0] !== `# FQSIM STATEMENT v1,${merchantNo},${date}`)
    throw invalid(date, `the header is not for merchant ${merchantNo} on ${date}`, 1);
  if (lines[1] !== columns) throw invalid(date, `the column line is not ${columns}`, 2);
  const summaryLine = lines[lines.length - 1] ?? '';
  const summary = summaryPattern.exec(summaryLine);
  if (!summary) throw invalid(date, 'the last line is not the summary', lines.length);

  const rows: StatementRow[] = [];
  let gross = 0n;
  let fees = 0n;
  let refunds = 0n;
  for (let i = 2; i < lines.length - 1; i++) {
    const lineNo = i + 1;
    const fields = (lines[i] ?? '').split(',');
    if (fields.length !== 7) throw invalid(date, 'a row must have 7 fields', lineNo);
    const [txnId = '', orderNo = '', kindText = '', statusText = '', amountText = '', feeText = '', at = ''] =
      fields;
    const kind = kinds[kindText];
    const status = statuses[statusText];
    if (!idPattern.test(txnId) || !idPattern.test(orderNo))
      throw invalid(date, 'a transaction id or order number is malformed', lineNo);
    if (kind === undefined || status === undefined) throw invalid(date, 'unknown kind or status', lineNo);
    if (!fenPattern.test(amountText) || !fenPattern.test(feeText))
      throw invalid(date, 'an amount is not a whole number of fen', lineNo);
    if (!instantPattern.test(at) || Number.isNaN(Date.parse(at)))
      throw invalid(date, 'bad finished_at', lineNo);
    if (status === 'bounced' && kind !== 'payout') throw invalid(date, 'only payouts bounce', lineNo);
    const amountMinor = BigInt(amountText);
    const feeMinor = BigInt(feeText);
    fees += feeMinor;
    if (status === 'bounced' || (status === 'succeeded' && kind === 'refund')) refunds += amountMinor;
    else if (status === 'succeeded') gross += amountMinor;
    rows.push({
      lineNo: rows.length + 1,
      txnId,
      orderNo,
      kind,
      status,
      amountMinor,
      feeMinor,
      finishedAt: new Date(at),
    });
  }
  const stated = {
    count: Number(summary[1]),
    grossMinor: BigInt(summary[2] ?? '0'),
    feeMinor: BigInt(summary[3] ?? '0'),
    refundMinor: BigInt(summary[4] ?? '0'),
    netMinor: BigInt(summary[5] ?? '0'),
  };
  const computed = {
    count: rows.length,
    grossMinor: gross,
    feeMinor: fees,
    refundMinor: refunds,
    netMinor: gross - fees - refunds,
  };
  for (const key of Object.keys(computed) as (keyof typeof computed)[]) {
    if (computed[key] !== stated[key])
      throw invalid(
        date,
        `the summary's ${key} is ${stated[key]} but the rows give ${computed[key]}`,
        lines.length,
      );
  }
  return { date, digest, text, rows, summary: stated };
}
