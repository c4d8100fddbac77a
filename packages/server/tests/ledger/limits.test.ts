import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { lineAmountMinorMax } from '../../src/modules/ledger/journal.ts';
import { manualJournalSchema } from '../../src/modules/ledger/schemas.ts';
import {
  foldLedgerBalances,
  getAccountBalance,
  getLoanBalance,
  getStatement,
  getTrialBalance,
  listAccountBalances,
  postJournals,
} from '../../src/modules/ledger/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { http, useTestServer } from '../support/server.ts';
import { entry, failure, line, post, rowCounts, sumOfLines, transfer } from './support.ts';

// The ranges of amounts, ids and cursors at their boundaries: the largest line amount posts and
// one more is refused with nothing written; totals beyond int8 stay exact in every read; ids and
// cursors outside int8/int2 are a 400, never a 500.

const { database, server } = useTestServer();
const get = (path: string) => http(server.baseUrl, 'GET', path);

const max = 999_999_999_999_999n;

async function rejected(work: () => Promise<unknown>) {
  const before = await rowCounts(database.db);
  const problem = await failure(work);
  expect(await rowCounts(database.db)).toEqual(before);
  return problem;
}

describe('line amounts', () => {
  it('the largest line amount is 10^15 − 1 minor units', () => {
    expect(lineAmountMinorMax).toBe(max);
  });

  it('a line of the largest amount posts', async () => {
    const posted = await post(database.db, transfer('1002.01', '4001', max));
    expect(posted.replayed).toBe(false);
  });

  it('one minor unit more is refused: journal_amount_too_large naming the line, nothing written', async () => {
    const problem = await rejected(() =>
      post(database.db, entry([line('1002.01', 'debit', max + 1n), line('4001', 'credit', max + 1n)])),
    );
    expect(problem).toEqual({
      code: 'journal_amount_too_large',
      detail: 'Line 1 has amount 1000000000000000; a line carries at most 999999999999999 minor units.',
      errors: [{ path: 'lines.0.amountMinor', message: 'must be at most 999999999999999' }],
    });
  });

  it('the database refuses a larger line whatever SQL inserts it', async () => {
    const today = await getBusinessDate(database.db);
    await expect(
      sql`WITH e AS (
            INSERT INTO ledger_entries (business_date, event_type, idempotency_key, fingerprint, currency)
            VALUES (${today}::date, 'raw', ${randomUUID()}, 'x', 'CNY') RETURNING id)
          INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency)
          SELECT e.id, v.n, ${today}::date, a.id, v.s, 1000000000000000, 'CNY'
          FROM e, (VALUES (1, 'debit', '1002.01'), (2, 'credit', '4001')) v (n, s, code)
          JOIN ledger_accounts a ON a.code = v.code AND a.currency = 'CNY'`.execute(database.db),
    ).rejects.toThrow('ledger_lines_amount_minor_range');
  });

  it('ten lines of the largest amount, balanced, post fine', async () => {
    const lines = [
      ...Array.from({ length: 5 }, () => line('1002.02', 'debit', max)),
      ...Array.from({ length: 5 }, () => line('2203', 'credit', max)),
    ];
    const posted = await post(database.db, entry(lines));
    expect(posted.replayed).toBe(false);
    expect((await getAccountBalance(database.db, '1002.02', 'CNY')).balance.balanceMinor).toBe(5n * max);
  });

  it('a manual journal takes at most 15 digits per amount (the schema says so before anything posts)', () => {
    const journal = (amountMinor: string) => ({
      description: 'boundary',
      lines: [
        { account: '1002.01', side: 'debit', amountMinor, currency: 'CNY' },
        { account: '4001', side: 'credit', amountMinor, currency: 'CNY' },
      ],
    });
    expect(manualJournalSchema.safeParse(journal(String(max))).success).toBe(true);
    const refused = manualJournalSchema.safeParse(journal(String(max + 1n)));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['lines.0.amountMinor', 'must be 1 to 999999999999999 minor units'],
      ['lines.1.amountMinor', 'must be 1 to 999999999999999 minor units'],
    ]);
    expect(manualJournalSchema.safeParse(journal('999999999999999999')).success).toBe(false);
  });
});

describe('totals beyond int8', () => {
  // 100 entries × 100 debit lines of the largest amount on one account: 10^19 − 10^4, more than
  // int8 holds (9223372036854775807). Every read of that account and of the chart stays exact.
  const perEntry = 100n * max;
  const total = 100n * perEntry;

  it('many maximal postings to one account keep every read working and exact', {
    timeout: 60_000,
  }, async () => {
    const entries = Array.from({ length: 100 }, () =>
      entry([
        ...Array.from({ length: 100 }, () => line('2241', 'debit', max, { loanId: 'L-big' })),
        ...Array.from({ length: 100 }, () => line('2901', 'credit', max, { loanId: 'L-big' })),
      ]),
    );
    await database.db.transaction().execute((trx) => postJournals(trx, entries));
    expect(total).toBeGreaterThan(9_223_372_036_854_775_807n);
    const today = await getBusinessDate(database.db);
    const check = async () => {
      const overpayment = await getAccountBalance(database.db, '2241', 'CNY');
      expect(overpayment.balance).toEqual({ debitMinor: total, creditMinor: 0n, balanceMinor: -total });
      expect((await getAccountBalance(database.db, '2241', 'CNY', today)).balance.debitMinor).toBe(total);
      const chart = await listAccountBalances(database.db);
      expect(chart.find((a) => a.code === '2901')?.balance.balanceMinor).toBe(total);
      const trial = await getTrialBalance(database.db, today);
      expect(trial.currencies.map((c) => c.differenceMinor)).toEqual([0n]);
      expect(trial.currencies[0]?.accounts.find((a) => a.code === '2241')?.debitBalanceMinor).toBe(total);
      const loan = await getLoanBalance(database.db, 'L-big');
      expect(loan.map((r) => [r.code, r.balance.balanceMinor])).toEqual([
        ['2241', -total],
        ['2901', total],
      ]);
      const statement = await getStatement(database.db, {
        code: '2241',
        currency: 'CNY',
        from: today,
        to: today,
        limit: 1000,
      });
      expect(statement.closingBalanceMinor).toBe(-total);
      expect(statement.lines.at(-1)?.balanceMinor).toBe(-(10n * perEntry));
      const page = await getStatement(database.db, {
        code: '2241',
        currency: 'CNY',
        from: today,
        to: today,
        limit: 1,
        cursor: statement.nextCursor ?? undefined,
      });
      expect(page.lines[0]?.balanceMinor).toBe(-(10n * perEntry) - max);
      expect(await sumOfLines(database.db, '2241')).toBe(total);
    };
    await check();
    expect(await foldLedgerBalances(database.db)).toMatchObject({ folded: true });
    await check();
    const api = await get('/api/v1/ledger/accounts/2241');
    expect(api.status).toBe(200);
    expect(api.json).toMatchObject({ balance: { debitMinor: String(total), balanceMinor: String(-total) } });
    expect((await get('/api/v1/ledger/accounts')).status).toBe(200);
    expect((await get('/api/v1/ledger/trial-balance')).status).toBe(200);
  });
});

describe('ids and cursors at the edge of their ranges', () => {
  it('entry id 9223372036854775807 is a 404, 9223372036854775808 a 400 naming the field', async () => {
    const largest = await get('/api/v1/ledger/entries/9223372036854775807');
    expect(largest.status).toBe(404);
    expect(largest.json).toMatchObject({ code: 'journal_entry_not_found' });
    const beyond = await get('/api/v1/ledger/entries/9223372036854775808');
    expect(beyond.status).toBe(400);
    expect(beyond.json).toMatchObject({
      code: 'validation_failed',
      errors: [
        { in: 'params', path: 'id', message: 'must be a journal entry id (1 to 9223372036854775807)' },
      ],
    });
    const zero = await get('/api/v1/ledger/entries/0');
    expect(zero.status).toBe(400);
  });

  it('`after` beyond int8 is a 400 naming the field; the largest id lists nothing', async () => {
    const beyond = await get('/api/v1/ledger/entries?after=9223372036854775808');
    expect(beyond.status).toBe(400);
    expect(beyond.json).toMatchObject({
      code: 'validation_failed',
      errors: [
        { in: 'query', path: 'after', message: 'must be a journal entry id (1 to 9223372036854775807)' },
      ],
    });
    const largest = await get('/api/v1/ledger/entries?after=9223372036854775807');
    expect(largest.status).toBe(200);
    expect(largest.json).toEqual({ entries: [], nextAfter: null });
  });

  it('a statement cursor naming an entry beyond int8 or a line beyond int2 is a 400', async () => {
    const today = await getBusinessDate(database.db);
    const cursor = (text: string) => Buffer.from(text).toString('base64url');
    const path = (c: string) =>
      `/api/v1/ledger/accounts/1002.01/statement?from=${today}&to=${today}&cursor=${c}`;
    for (const bad of [`${today}|9223372036854775808|1`, `${today}|1|32768`, `${today}|0|1`]) {
      const result = await get(path(cursor(bad)));
      expect(result.status, bad).toBe(400);
      expect(result.json).toMatchObject({
        code: 'validation_failed',
        errors: [{ in: 'query', path: 'cursor', message: 'is not valid' }],
      });
    }
    const edge = await get(path(cursor(`${today}|9223372036854775807|32767`)));
    expect(edge.status).toBe(200);
    expect((edge.json as { lines: unknown[] }).lines).toEqual([]);
  });
});
