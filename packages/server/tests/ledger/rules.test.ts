import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getAccountBalance,
  getJournalEntry,
  openAccount,
  postEvent,
  postJournals,
} from '../../src/modules/ledger/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { entry, failure, line, post, rowCounts, transfer } from './support.ts';

// Posting rules (defect 11): no lines on a group account, no entry on both sides of one account —
// in the service and in the database's own guard.

let database: TestDatabase;
let today: string;

beforeAll(async () => {
  database = await createTestDatabase();
  today = await getBusinessDate(database.db);
});

afterAll(async () => {
  await database?.drop();
});

async function rejected(work: () => Promise<unknown>) {
  const before = await rowCounts(database.db);
  const problem = await failure(work);
  expect(await rowCounts(database.db)).toEqual(before);
  return problem;
}

/** Header and lines in one statement, bypassing the service (the database's guard must refuse). */
function rawEntry(lines: [string, 'debit' | 'credit', number][]) {
  const values = sql.join(
    lines.map(([code, side, amount], i) => sql`(${i + 1}::int2, ${code}, ${side}, ${amount}::int8)`),
  );
  return sql`WITH e AS (
      INSERT INTO ledger_entries (business_date, event_type, idempotency_key, fingerprint, currency)
      VALUES (${today}::date, 'raw', ${randomUUID()}, 'x', 'CNY') RETURNING id)
    INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency)
    SELECT e.id, v.n, ${today}::date, a.id, v.side, v.amount, 'CNY'
    FROM e, (VALUES ${values}) v (n, code, side, amount)
    JOIN ledger_accounts a ON a.code = v.code AND a.currency = 'CNY'`;
}

describe('group accounts', () => {
  it('a posting to a parent account (1002) is refused: account_is_group naming the line, nothing written', async () => {
    const problem = await rejected(() => post(database.db, transfer('1002', '4001', 100n)));
    expect(problem).toEqual({
      code: 'account_is_group',
      detail: 'Line 1 names account 1002 (CNY), which groups other accounts; post to one of them.',
      errors: [{ path: 'lines.0.account', message: 'groups other accounts and takes no lines' }],
    });
  });

  it('in a batch too, naming the entry', async () => {
    const problem = await rejected(() =>
      database.db
        .transaction()
        .execute((trx) => postJournals(trx, [transfer('1002.01', '4001', 1n), transfer('4001', '1012', 1n)])),
    );
    expect(problem.code).toBe('account_is_group');
    expect(problem.detail).toMatch(/^Entry 2 \(.+\): Line 2 names account 1012 \(CNY\), which groups/);
  });

  it('the database refuses lines on a group whatever SQL inserts them', async () => {
    await expect(
      rawEntry([
        ['1012', 'debit', 5],
        ['4001', 'credit', 5],
      ]).execute(database.db),
    ).rejects.toThrow('are not a valid balanced posting');
  });

  it('an account becomes a group when a child is opened under it, unless it has lines of its own', async () => {
    await database.db.transaction().execute((trx) =>
      openAccount(trx, {
        code: '2203.01',
        currency: 'CNY',
        nameZh: '应付资金方—甲',
        nameEn: 'Funder A',
        type: 'liability',
      }),
    );
    const child = await database.db.transaction().execute((trx) =>
      openAccount(trx, {
        code: '2203.01.01',
        currency: 'CNY',
        nameZh: '应付资金方—甲一',
        nameEn: 'Funder A 1',
        type: 'liability',
        parentCode: '2203.01',
      }),
    );
    expect(child).toMatchObject({ parentCode: '2203.01', isGroup: false });
    expect((await getAccountBalance(database.db, '2203.01', 'CNY')).isGroup).toBe(true);
    expect((await rejected(() => post(database.db, transfer('1002.01', '2203.01', 1n)))).code).toBe(
      'account_is_group',
    );

    await post(database.db, transfer('1002.01', '2901', 10n));
    const before = await rowCounts(database.db);
    const problem = await failure(() =>
      database.db.transaction().execute((trx) =>
        openAccount(trx, {
          code: '2901.77',
          currency: 'CNY',
          nameZh: '待查明—七七',
          nameEn: 'Suspense 77',
          type: 'liability',
          parentCode: '2901',
        }),
      ),
    );
    expect(problem).toEqual({
      code: 'account_parent_has_lines',
      detail: 'Account 2901 (CNY) already has journal lines of its own, so it cannot group 2901.77.',
    });
    expect(await rowCounts(database.db)).toEqual(before);
    expect((await getAccountBalance(database.db, '2901', 'CNY')).isGroup).toBe(false);
    // And by SQL: the database's trigger refuses the child.
    await expect(
      sql`INSERT INTO ledger_accounts (code, currency, name_zh, name_en, type, normal_side, parent_id)
          SELECT '2901.78', 'CNY', 'x', 'x', 'liability', 'credit', id FROM ledger_accounts WHERE code = '2901' AND currency = 'CNY'`.execute(
        database.db,
      ),
    ).rejects.toThrow('ledger: account 2901 already has journal lines of its own and cannot become a group');
  });
});

describe('one account on both sides of an entry', () => {
  it('is refused: journal_account_on_both_sides naming the line, nothing written', async () => {
    const problem = await rejected(() =>
      post(database.db, entry([line('1301', 'debit', 50n), line('1301', 'credit', 50n)])),
    );
    expect(problem).toEqual({
      code: 'journal_account_on_both_sides',
      detail:
        'Line 2 credits account 1301, which another line debits; an entry books an account on one side only.',
      errors: [{ path: 'lines.1.account', message: 'is on the other side in another line' }],
    });
  });

  it('the database refuses it whatever SQL inserts it', async () => {
    await expect(
      rawEntry([
        ['1301', 'debit', 5],
        ['2202', 'credit', 5],
        ['1301', 'credit', 3],
        ['2202', 'debit', 3],
      ]).execute(database.db),
    ).rejects.toThrow('are not a valid balanced posting');
  });

  it('two lines on one account and one side are fine', async () => {
    const posted = await post(
      database.db,
      entry([line('1301', 'debit', 5n), line('1301', 'debit', 6n), line('2202', 'credit', 11n)]),
    );
    expect(posted.replayed).toBe(false);
  });

  it('a disbursement with a merchant discount posts 2202 once, netted', async () => {
    const posted = await database.db.transaction().execute((trx) =>
      postEvent(trx, {
        type: 'disbursement',
        idempotencyKey: randomUUID(),
        amounts: { principal: 600_000n, merchantDiscount: 12_000n },
        loanId: 'L-net',
      }),
    );
    if (posted === null) throw new Error('nothing posted');
    const stored = await getJournalEntry(database.db, posted.id);
    expect(stored.lines.map((l) => [l.side, l.account, l.amountMinor])).toEqual([
      ['debit', '1301', 600_000n],
      ['credit', '2202', 588_000n],
      ['credit', '6041', 12_000n],
    ]);
  });
});
