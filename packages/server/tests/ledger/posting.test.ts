import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeAccount,
  getAccountBalance,
  getJournalEntry,
  openAccount,
  postJournal,
  postJournals,
  postManualJournal,
  reverseJournal,
} from '../../src/modules/ledger/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { entry, failure, line, post, rowCounts, transfer } from './support.ts';

let database: TestDatabase;
let today: string;

beforeAll(async () => {
  database = await createTestDatabase();
  today = await getBusinessDate(database.db);
});

afterAll(async () => {
  await database?.drop();
});

/** Expects `work` to fail with `code` and leave the ledger's row counts as they were. */
async function rejected(work: () => Promise<unknown>) {
  const before = await rowCounts(database.db);
  const problem = await failure(work);
  expect(await rowCounts(database.db)).toEqual(before);
  return problem;
}

describe('postJournal rejects and writes nothing', () => {
  it('an unbalanced entry: journal_unbalanced with both totals', async () => {
    const problem = await rejected(() =>
      post(database.db, entry([line('1002.01', 'debit', 100n), line('4001', 'credit', 99n)])),
    );
    expect(problem).toEqual({
      code: 'journal_unbalanced',
      detail: 'Debits total 100 and credits total 99 CNY minor units; they must be equal.',
      extensions: { debitsMinor: '100', creditsMinor: '99' },
    });
  });

  it('a zero amount: journal_amount_not_positive naming the line', async () => {
    const problem = await rejected(() =>
      post(database.db, entry([line('1002.01', 'debit', 0n), line('4001', 'credit', 0n)])),
    );
    expect(problem).toEqual({
      code: 'journal_amount_not_positive',
      detail: 'Line 1 has amount 0; amounts are positive minor units and the side gives the direction.',
      errors: [{ path: 'lines.0.amountMinor', message: 'must be greater than zero' }],
    });
  });

  it('a negative amount: journal_amount_not_positive', async () => {
    const problem = await rejected(() =>
      post(
        database.db,
        entry([line('1002.01', 'debit', 5n), line('4001', 'credit', 10n), line('4001', 'credit', -5n)]),
      ),
    );
    expect(problem.code).toBe('journal_amount_not_positive');
    expect(problem.errors).toEqual([{ path: 'lines.2.amountMinor', message: 'must be greater than zero' }]);
  });

  it('fewer than two lines: journal_too_few_lines', async () => {
    const problem = await rejected(() => post(database.db, entry([line('1002.01', 'debit', 100n)])));
    expect(problem).toEqual({
      code: 'journal_too_few_lines',
      detail: 'A journal entry needs at least two lines; this one has 1.',
    });
  });

  it('mixed currencies: journal_mixed_currencies', async () => {
    const problem = await rejected(() =>
      post(
        database.db,
        entry([line('1002.01', 'debit', 100n), line('4001', 'credit', 100n, { currency: 'USD' })]),
      ),
    );
    expect(problem).toEqual({
      code: 'journal_mixed_currencies',
      detail: 'The lines are in CNY, USD; one entry is in one currency.',
    });
  });

  it('an unknown account: account_not_found naming the line', async () => {
    const problem = await rejected(() => post(database.db, transfer('1002.01', '9999', 100n)));
    expect(problem).toEqual({
      code: 'account_not_found',
      detail: 'Line 2 names account 9999 in CNY, which does not exist.',
      errors: [{ path: 'lines.1.account', message: 'no such account in this currency' }],
    });
  });

  it('an account code that exists only in another currency: account_not_found', async () => {
    const problem = await rejected(() =>
      post(
        database.db,
        entry([
          line('1002.01', 'debit', 1n, { currency: 'USD' }),
          line('4001', 'credit', 1n, { currency: 'USD' }),
        ]),
      ),
    );
    expect(problem.detail).toBe('Line 1 names account 1002.01 in USD, which does not exist.');
  });

  it('a closed account: account_closed', async () => {
    await database.db.transaction().execute((trx) =>
      openAccount(trx, {
        code: '1012.90',
        currency: 'CNY',
        nameZh: '通道清算—停用',
        nameEn: 'Clearing – retired',
        type: 'asset',
        parentCode: '1012',
      }),
    );
    await database.db.transaction().execute((trx) => closeAccount(trx, '1012.90', 'CNY'));
    const problem = await rejected(() => post(database.db, transfer('1012.90', '4001', 100n)));
    expect(problem).toEqual({
      code: 'account_closed',
      detail: 'Line 1 names account 1012.90 (CNY), which is closed.',
      errors: [{ path: 'lines.0.account', message: 'the account is closed' }],
    });
  });

  it('a business date other than the open day: journal_business_date_not_open', async () => {
    const problem = await rejected(() =>
      post(database.db, transfer('1002.01', '4001', 100n, { businessDate: '2001-01-01' })),
    );
    expect(problem).toEqual({
      code: 'journal_business_date_not_open',
      detail: `The entry is dated 2001-01-01; the open business day is ${today}.`,
      extensions: { businessDate: '2001-01-01', openBusinessDate: today },
    });
  });

  it('a malformed entry: validation_failed with every field', async () => {
    const problem = await rejected(() =>
      post(database.db, {
        idempotencyKey: '',
        eventType: 'Bad Type',
        lines: [line('1002.01', 'debit', 1n), line('4001', 'credit', 1n, { loanId: '' })],
      }),
    );
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([
      { path: 'idempotencyKey', message: 'must be 1 to 200 characters' },
      { path: 'eventType', message: 'must be snake_case, at most 40 characters' },
      { path: 'lines.1.loanId', message: 'must be 1 to 64 characters' },
    ]);
  });

  it('leaves the caller’s transaction usable: its own earlier work still commits', async () => {
    const key = randomUUID();
    await database.db.transaction().execute(async (trx) => {
      await postJournal(trx, transfer('1002.01', '4001', 7n, { idempotencyKey: key }));
      const problem = await failure(() => postJournal(trx, transfer('1002.01', '9999', 7n)));
      expect(problem.code).toBe('account_not_found');
    });
    const stored = await database.tables
      .selectFrom('ledger_entries')
      .select('id')
      .where('idempotency_key', '=', key)
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('a batch with one bad entry writes none of them', async () => {
    const problem = await rejected(() =>
      database.db
        .transaction()
        .execute((trx) =>
          postJournals(trx, [
            transfer('1002.01', '4001', 1n),
            transfer('1002.01', '4001', 2n),
            transfer('1002.01', '8888', 3n),
          ]),
        ),
    );
    expect(problem.code).toBe('account_not_found');
    expect(problem.detail).toMatch(
      /^Entry 3 \(.+\): Line 2 names account 8888 in CNY, which does not exist\.$/,
    );
  });
});

describe('idempotency keys', () => {
  it('a replayed key returns the first entry and writes nothing', async () => {
    const input = transfer('1002.01', '4001', 1234n, { sourceRef: 'test:replay', description: 'once' });
    const first = await post(database.db, input);
    const before = await rowCounts(database.db);
    const second = await post(database.db, input);
    expect(await rowCounts(database.db)).toEqual(before);
    expect(first.replayed).toBe(false);
    expect(second).toEqual({ ...first, replayed: true });
  });

  it('concurrent posts with one key write one entry; every caller gets it', async () => {
    const input = transfer('1002.01', '4001', 55n);
    const results = await Promise.all(Array.from({ length: 8 }, () => post(database.db, input)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const stored = await database.tables
      .selectFrom('ledger_entries')
      .select('id')
      .where('idempotency_key', '=', input.idempotencyKey)
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('a key reused with other content: journal_idempotency_conflict, nothing written', async () => {
    const input = transfer('1002.01', '4001', 10n);
    await post(database.db, input);
    const problem = await rejected(() =>
      post(database.db, { ...input, lines: transfer('1002.01', '4001', 11n).lines }),
    );
    expect(problem).toEqual({
      code: 'journal_idempotency_conflict',
      detail: `Idempotency key ${input.idempotencyKey} was already posted with other content; a key names one entry.`,
    });
  });

  it('a replay after the business day moved on still returns the first entry', async () => {
    const input = transfer('1002.01', '4001', 10n, { businessDate: today });
    const first = await post(database.db, input);
    // Another database, so this file's business date stays put for the other tests.
    const other = await createTestDatabase();
    try {
      const day = await getBusinessDate(other.db);
      const firstThere = await post(other.db, { ...input, businessDate: day });
      await other.db.transaction().execute((trx) => advanceBusinessDate(trx, day));
      const replay = await post(other.db, { ...input, businessDate: day });
      expect(replay).toEqual({ ...firstThere, replayed: true });
    } finally {
      await other.drop();
    }
    expect(first.replayed).toBe(false);
  });
});

describe('immutability in the database', () => {
  it('UPDATE of a posted line fails in PostgreSQL itself', async () => {
    const posted = await post(database.db, transfer('1002.01', '4001', 300n));
    await expect(
      sql`UPDATE ledger_lines SET amount_minor = 1 WHERE entry_id = ${posted.id}`.execute(database.db),
    ).rejects.toThrow('ledger: UPDATE on ledger_lines is not allowed; journal entries are immutable');
    const lines = await database.tables
      .selectFrom('ledger_lines')
      .select('amount_minor')
      .where('entry_id', '=', posted.id)
      .execute();
    expect(lines).toEqual([{ amount_minor: 300n }, { amount_minor: 300n }]);
  });

  it('DELETE of a posted line or entry fails in PostgreSQL itself', async () => {
    const posted = await post(database.db, transfer('1002.01', '4001', 301n));
    await expect(
      sql`DELETE FROM ledger_lines WHERE entry_id = ${posted.id}`.execute(database.db),
    ).rejects.toThrow('ledger: DELETE on ledger_lines is not allowed; journal entries are immutable');
    await expect(
      sql`DELETE FROM ledger_entries WHERE id = ${posted.id}`.execute(database.db),
    ).rejects.toThrow('ledger: DELETE on ledger_entries is not allowed; journal entries are immutable');
    await expect(
      sql`UPDATE ledger_entries SET description = 'x' WHERE id = ${posted.id}`.execute(database.db),
    ).rejects.toThrow('ledger: UPDATE on ledger_entries is not allowed');
    await expect(sql`TRUNCATE ledger_lines`.execute(database.db)).rejects.toThrow(
      'ledger: TRUNCATE on ledger_lines is not allowed',
    );
    expect((await getJournalEntry(database.db, posted.id)).lines).toHaveLength(2);
  });

  it('an unbalanced line set inserted by raw SQL is refused by the database', async () => {
    const posted = await post(database.db, transfer('1002.01', '4001', 5n));
    // A line added later to a posted entry (another transaction) is refused even when balanced.
    await expect(
      sql`INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency)
          SELECT ${posted.id}, n, ${today}::date, a.id, s, 5, 'CNY'
          FROM (VALUES (3, 'debit'), (4, 'credit')) v (n, s), ledger_accounts a WHERE a.code = '1002.01'`.execute(
        database.db,
      ),
    ).rejects.toThrow(`ledger: the lines of entry ${posted.id} are not a valid balanced posting`);
    // An entry and its unbalanced lines in one statement (a header alone is refused earlier since
    // 0007: an entry's lines come in the statement that inserts it; guards.test.ts).
    await expect(
      sql`WITH e AS (
            INSERT INTO ledger_entries (business_date, event_type, idempotency_key, fingerprint, currency)
            VALUES (${today}::date, 'raw', ${randomUUID()}, 'x', 'CNY') RETURNING id)
          INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency)
          SELECT e.id, n, ${today}::date, a.id, s, amt, 'CNY'
          FROM e, (VALUES (1, 'debit', 10), (2, 'credit', 9)) v (n, s, amt), ledger_accounts a WHERE a.code = '1002.01'`.execute(
        database.db,
      ),
    ).rejects.toThrow('are not a valid balanced posting');
  });
});

describe('reversals', () => {
  it('post the mirror image linked to the original, and zero the balance', async () => {
    await database.db.transaction().execute((trx) =>
      openAccount(trx, {
        code: '2901.01',
        currency: 'CNY',
        nameZh: '待查明—测试',
        nameEn: 'Suspense – test',
        type: 'liability',
        parentCode: '2901',
      }),
    );
    const original = await post(
      database.db,
      entry(
        [
          line('1012.01', 'debit', 800n, { loanId: 'L-rev' }),
          line('2901.01', 'credit', 800n, { loanId: 'L-rev' }),
        ],
        { description: 'wrong' },
      ),
    );
    const reversal = await database.db
      .transaction()
      .execute((trx) => reverseJournal(trx, original.id, { idempotencyKey: randomUUID() }));
    expect(reversal).toMatchObject({ eventType: 'reversal', reversalOf: original.id, replayed: false });
    const stored = await getJournalEntry(database.db, reversal.id);
    expect(stored).toMatchObject({
      sourceRef: `ledger-entry:${original.id}`,
      description: `Reversal of entry ${original.id}: wrong`,
    });
    expect(stored.lines.map((l) => [l.account, l.side, l.amountMinor, l.loanId])).toEqual([
      ['1012.01', 'credit', 800n, 'L-rev'],
      ['2901.01', 'debit', 800n, 'L-rev'],
    ]);
    expect((await getJournalEntry(database.db, original.id)).reversedBy).toBe(reversal.id);
    expect((await getAccountBalance(database.db, '2901.01', 'CNY')).balance.balanceMinor).toBe(0n);
  });

  it('an entry is reversed once: journal_already_reversed', async () => {
    const original = await post(database.db, transfer('1002.01', '4001', 42n));
    await database.db
      .transaction()
      .execute((trx) => reverseJournal(trx, original.id, { idempotencyKey: randomUUID() }));
    const problem = await rejected(() =>
      database.db
        .transaction()
        .execute((trx) => reverseJournal(trx, original.id, { idempotencyKey: randomUUID() })),
    );
    expect(problem).toEqual({
      code: 'journal_already_reversed',
      detail: `Entry ${original.id} was already reversed.`,
    });
  });

  it('a replayed reversal returns the first reversal', async () => {
    const original = await post(database.db, transfer('1002.01', '4001', 43n));
    const key = randomUUID();
    const first = await database.db
      .transaction()
      .execute((trx) => reverseJournal(trx, original.id, { idempotencyKey: key }));
    const again = await database.db
      .transaction()
      .execute((trx) => reverseJournal(trx, original.id, { idempotencyKey: key }));
    expect(again).toEqual({ ...first, replayed: true });
  });

  it('of a missing entry: journal_entry_not_found', async () => {
    const problem = await rejected(() =>
      database.db
        .transaction()
        .execute((trx) => reverseJournal(trx, 999_999_999n, { idempotencyKey: randomUUID() })),
    );
    expect(problem).toEqual({
      code: 'journal_entry_not_found',
      detail: 'There is no journal entry 999999999.',
    });
  });
});

describe('accounts', () => {
  it('an account with a balance cannot be closed: account_not_empty', async () => {
    await database.db.transaction().execute((trx) =>
      openAccount(trx, {
        code: '2203.07',
        currency: 'CNY',
        nameZh: '应付资金方—七',
        nameEn: 'Funder payable – 7',
        type: 'liability',
      }),
    );
    await post(database.db, transfer('1002.01', '2203.07', 500n));
    const problem = await failure(() =>
      database.db.transaction().execute((trx) => closeAccount(trx, '2203.07', 'CNY')),
    );
    expect(problem).toEqual({
      code: 'account_not_empty',
      detail: 'Account 2203.07 (CNY) has a balance of 500 minor units.',
    });
  });

  it('the same code cannot be opened twice in a currency, but can in another', async () => {
    const problem = await failure(() =>
      database.db.transaction().execute((trx) =>
        openAccount(trx, {
          code: '1301',
          currency: 'CNY',
          nameZh: '贷款本金',
          nameEn: 'Loan principal',
          type: 'asset',
        }),
      ),
    );
    expect(problem).toEqual({
      code: 'account_already_exists',
      detail: 'Account 1301 in CNY already exists.',
    });
    const usd = await database.db.transaction().execute((trx) =>
      openAccount(trx, {
        code: '1301',
        currency: 'USD',
        nameZh: '贷款本金（美元）',
        nameEn: 'Loan principal (USD)',
        type: 'asset',
      }),
    );
    expect(usd).toMatchObject({
      code: '1301',
      currency: 'USD',
      normalSide: 'debit',
      status: 'open',
      parentCode: null,
    });
  });
});

describe('manual journals', () => {
  it('post once per approval, as event manual with the approval as source', async () => {
    const journal = {
      description: 'Correct a mis-keyed suspense item',
      lines: [
        // 2901.01: 2901 became a group when the reversal test opened 2901.01 under it.
        { account: '2901.01', side: 'debit' as const, amountMinor: '1500', currency: 'CNY' },
        { account: '1012.01', side: 'credit' as const, amountMinor: '1500', currency: 'CNY' },
      ],
    };
    const approval = { approvalId: randomUUID(), makerId: 'maker-1', checkerId: 'checker-2' };
    const posted = await database.db
      .transaction()
      .execute((trx) => postManualJournal(trx, journal, approval));
    const again = await database.db.transaction().execute((trx) => postManualJournal(trx, journal, approval));
    expect(again).toEqual({ ...posted, replayed: true });
    expect(await getJournalEntry(database.db, posted.id)).toMatchObject({
      eventType: 'manual',
      sourceRef: `approval:${approval.approvalId}`,
      idempotencyKey: `manual:${approval.approvalId}`,
      description: 'Correct a mis-keyed suspense item',
    });
  });

  it('refuse a maker approving their own entry (a bug in the caller)', async () => {
    const journal = { description: 'x', lines: [] };
    await expect(
      database.db
        .transaction()
        .execute((trx) =>
          postManualJournal(trx, journal, { approvalId: 'a', makerId: 'u1', checkerId: 'u1' }),
        ),
    ).rejects.toThrow('a manual journal needs a checker other than its maker');
  });
});
