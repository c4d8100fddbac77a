import { createHash } from 'node:crypto';
import type { PaymentOrderKind } from '@fenqi/core';
import { AppError } from '../../../platform/errors.ts';
import type { DateString } from '../../../platform/tables.ts';
import type { Statement, StatementRow } from '../channel.ts';

// The simulated channel's statement file (docs/payments.md, "The statement file"), checked before
// anything of it is believed: up front the digest over every line above it, the header's merchant
// and date and the summary line's shape; then, as the rows are read, every row's shape, and after
// the last the summary recomputed from them (count, gross, fees, refunds, net).

const columns = 'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at';
const kinds: Record<string, PaymentOrderKind> = { PAYOUT: 'payout', COLLECT: 'collect', REFUND: 'refund' };
const statuses: Record<string, StatementRow['status']> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  BOUNCED: 'bounced',
};
// One pattern checks a whole row (faster than splitting it and checking each field): transaction id,
// order number, kind, status, amount and fee in fen, and the instant it finished, in UTC.
const rowPattern =
  /^([A-Za-z0-9_-]{1,64}),([A-Za-z0-9_-]{1,64}),([A-Z]+),([A-Z]+),(0|[1-9]\d{0,11}),(0|[1-9]\d{0,11}),(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,3})?Z$/;
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

  const headerEnd = body.indexOf('\n');
  const columnsEnd = body.indexOf('\n', headerEnd + 1);
  if (body.slice(0, headerEnd) !== `# FQSIM STATEMENT v1,${merchantNo},${date}`)
    throw invalid(date, `the header is not for merchant ${merchantNo} on ${date}`, 1);
  if (columnsEnd < 0 || body.slice(headerEnd + 1, columnsEnd) !== columns)
    throw invalid(date, `the column line is not ${columns}`, 2);
  const summaryAt = body.lastIndexOf('\n', body.length - 2) + 1;
  const summaryLine = body.slice(summaryAt, -1);
  const summary = summaryAt > columnsEnd ? summaryPattern.exec(summaryLine) : null;
  if (!summary) throw invalid(date, 'the last line is not the summary');
  const stated = {
    count: Number(summary[1]),
    grossMinor: BigInt(summary[2] ?? '0'),
    feeMinor: BigInt(summary[3] ?? '0'),
    refundMinor: BigInt(summary[4] ?? '0'),
    netMinor: BigInt(summary[5] ?? '0'),
  };
  return {
    date,
    digest,
    text,
    summary: stated,
    rows: () => readRows(body, { date, first: columnsEnd + 1, end: summaryAt, stated }),
  };
}

function* readRows(
  body: string,
  at: { date: DateString; first: number; end: number; stated: Statement['summary'] },
): Generator<StatementRow> {
  const { date } = at;
  const totals = { gross: new FenSum(), fees: new FenSum(), refunds: new FenSum() };
  const calendarDays = new Set<string>();
  let count = 0;
  let lineNo = 2;
  for (let start = at.first; start < at.end; ) {
    const end = body.indexOf('\n', start);
    const line = body.slice(start, end);
    start = end + 1;
    lineNo += 1;
    const fields = rowPattern.exec(line);
    if (!fields) throw invalid(date, rowProblem(line), lineNo);
    const [
      ,
      txnId = '',
      orderNo = '',
      kindText = '',
      statusText = '',
      amountText = '',
      feeText = '',
      day = '',
    ] = fields;
    const kind = kinds[kindText];
    const status = statuses[statusText];
    if (kind === undefined || status === undefined) throw invalid(date, 'unknown kind or status', lineNo);
    if (status === 'bounced' && kind !== 'payout') throw invalid(date, 'only payouts bounce', lineNo);
    // The pattern bounds every field but the day of the month; a statement has few distinct days.
    if (!calendarDays.has(day)) {
      if (!isCalendarDay(day)) throw invalid(date, 'bad finished_at', lineNo);
      calendarDays.add(day);
    }
    totals.fees.add(feeText);
    if (status === 'bounced' || (status === 'succeeded' && kind === 'refund')) totals.refunds.add(amountText);
    else if (status === 'succeeded') totals.gross.add(amountText);
    count += 1;
    yield {
      lineNo: count,
      txnId,
      orderNo,
      kind,
      status,
      amountMinor: BigInt(amountText),
      feeMinor: BigInt(feeText),
      finishedAt: line.slice(line.lastIndexOf(',') + 1),
    };
  }
  const gross = totals.gross.total();
  const fees = totals.fees.total();
  const refunds = totals.refunds.total();
  const computed = {
    count,
    grossMinor: gross,
    feeMinor: fees,
    refundMinor: refunds,
    netMinor: gross - fees - refunds,
  };
  for (const key of Object.keys(computed) as (keyof typeof computed)[]) {
    if (computed[key] !== at.stated[key])
      throw invalid(
        date,
        `the summary's ${key} is ${at.stated[key]} but the rows give ${computed[key]}`,
        lineNo + 1,
      );
  }
}

/** What is wrong with a row the row pattern refused, for the error message. */
function rowProblem(line: string): string {
  const fields = line.split(',');
  if (fields.length !== 7) return 'a row must have 7 fields';
  const [txnId = '', orderNo = '', , , amount = '', fee = ''] = fields;
  const id = /^[A-Za-z0-9_-]{1,64}$/;
  if (!id.test(txnId) || !id.test(orderNo)) return 'a transaction id or order number is malformed';
  if (!/^[A-Z]+$/.test(fields[2] ?? '') || !/^[A-Z]+$/.test(fields[3] ?? '')) return 'unknown kind or status';
  const fen = /^(0|[1-9]\d{0,11})$/;
  if (!fen.test(amount) || !fen.test(fee)) return 'an amount is not a whole number of fen';
  return 'bad finished_at';
}

function isCalendarDay(day: string): boolean {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const parsed = new Date(0);
  parsed.setUTCFullYear(year, month - 1, date);
  return parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === date;
}

/**
 * An exact sum of fen amounts of at most 12 digits. It adds in a double while the total is below
 * 2^52 (exact there) and carries into a bigint beyond, so a million rows cost a million additions
 * of numbers rather than a million bigint allocations.
 */
class FenSum {
  #carried = 0n;
  #running = 0;
  add(fen: string): void {
    this.#running += Number(fen);
    if (this.#running >= 2 ** 52) {
      this.#carried += BigInt(this.#running);
      this.#running = 0;
    }
  }
  total(): bigint {
    return this.#carried + BigInt(this.#running);
  }
}
