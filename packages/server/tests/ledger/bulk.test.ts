import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeAccount,
  getAccountBalance,
  getJournalEntry,
  openAccount,
  postJournal,
  postJournalsBulk,
  verifyLedger,
} from '../../src/modules/ledger/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { entry, failure, line, post, rowCounts, transfer } from './support.ts';

// postJournalsBulk: COPY into staging tables and one set-based function; the same semantics and
// errors as postJournals.

let database: TestDatabase;
let today: string;

beforeAll(async () => {
  database = await createTestDatabase();
  today = await getBusinessDate(database.db);
});

afterAll(async () => {
  await database?.drop();
});

const bulk = (entries: Parameters<typeof postJournalsBulk>[1]) =>
  database.db.transaction().execute((trx) => postJournalsBulk(trx, entries));

async function rejected(work: () => Promise<unknown>) {
  const before = await rowCounts(database.db);
  const problem = await failure(work);
  expect(await rowCounts(database.db)).toEqual(before);
  return problem;
}

describe('postJournalsBulk', () => {
  it('posts every entry with its lines, in order, and the balances follow', async () => {
    const before = (await getAccountBalance(database.db, '1301', 'CNY')).balance.balanceMinor;
    const entries = Array.from({ length: 3000 }, (_, i) =>
      entry(
        [
          line('1301', 'debit', BigInt(i + 1), { loanId: `L${i}`, customerId: `C${i}` }),
          line('2202', 'credit', BigInt(i + 1), { loanId: `L${i}`, merchantId: 'M1' }),
        ],
        { eventType: 'disbursement', sourceRef: `loan:${i}` },
      ),
    );
    const posted = await bulk(entries);
    expect(posted).toHaveLength(3000);
    expect(posted.every((p, i) => p.idempotencyKey === entries[i]?.idempotencyKey && !p.replayed)).toBe(true);
    expect(posted.every((p) => p.businessDate === today)).toBe(true);
    const ids = posted.map((p) => p.id);
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    const stored = await getJournalEntry(database.db, ids[41] ?? 0n);
    expect(stored).toMatchObject({ eventType: 'disbursement', sourceRef: 'loan:41', description: '' });
    expect(
      stored.lines.map((l) => [
        l.lineNo,
        l.side,
        l.account,
        l.amountMinor,
        l.loanId,
        l.customerId,
        l.merchantId,
      ]),
    ).toEqual([
      [1, 'debit', '1301', 42n, 'L41', 'C41', null],
      [2, 'credit', '2202', 42n, 'L41', null, 'M1'],
    ]);
    expect((await getAccountBalance(database.db, '1301', 'CNY')).balance.balanceMinor - before).toBe(
      (3000n * 3001n) / 2n,
    );
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('carries any text exactly (tabs, newlines, backslashes, quotes, CJK)', async () => {
    const description = 'tab\there\nnew line \\N back\\slash "quoted" 中文\r';
    const [posted] = await bulk([
      transfer('1002.01', '4001', 5n, {
        description,
        sourceRef: 'a\tb',
        idempotencyKey: `k\\${randomUUID()}\n`,
      }),
    ]);
    const stored = await getJournalEntry(database.db, posted?.id ?? 0n);
    expect(stored.description).toBe(description);
    expect(stored.sourceRef).toBe('a\tb');
    expect(stored.idempotencyKey).toBe(posted?.idempotencyKey);
  });

  it('replays: entries posted before come back replayed, the new ones post, nothing is doubled', async () => {
    const first = transfer('1002.01', '4001', 11n);
    const earlier = await post(database.db, first);
    const second = transfer('1002.01', '4001', 12n);
    const before = await rowCounts(database.db);
    const posted = await bulk([first, second]);
    expect(posted[0]).toEqual({ ...earlier, replayed: true });
    expect(posted[1]?.replayed).toBe(false);
    expect(await rowCounts(database.db)).toEqual({ entries: before.entries + 1, lines: before.lines + 2 });
    expect(await bulk([first, second])).toEqual(posted.map((p) => ({ ...p, replayed: true })));
  });

  it('refuses as postJournals does, naming the entry, and writes nothing', async () => {
    await database.db.transaction().execute(async (trx) => {
      await openAccount(trx, {
        code: '1012.91',
        currency: 'CNY',
        nameZh: '停用',
        nameEn: 'Retired',
        type: 'asset',
        parentCode: '1012',
      });
    });
    await database.db.transaction().execute((trx) => closeAccount(trx, '1012.91', 'CNY'));
    const used = transfer('1002.01', '4001', 13n);
    await post(database.db, used);
    const cases: [ReturnType<typeof transfer>, string, RegExp][] = [
      [
        transfer('1002.01', '8888', 1n),
        'account_not_found',
        /^Entry 2 \(.+\): Line 2 names account 8888 in CNY, which does not exist\.$/,
      ],
      [
        transfer('1012.91', '4001', 1n),
        'account_closed',
        /^Entry 2 \(.+\): Line 1 names account 1012\.91 \(CNY\), which is closed\.$/,
      ],
      [
        transfer('1012', '4001', 1n),
        'account_is_group',
        /^Entry 2 \(.+\): Line 1 names account 1012 \(CNY\), which groups other accounts/,
      ],
      [
        transfer('1002.01', '4001', 1n, { businessDate: '2001-01-01' }),
        'journal_business_date_not_open',
        /dated 2001-01-01/,
      ],
      [
        { ...used, lines: transfer('1002.01', '4001', 14n).lines },
        'journal_idempotency_conflict',
        /was already posted with other content/,
      ],
      [
        entry([line('1002.01', 'debit', 1n), line('4001', 'credit', 2n)]),
        'journal_unbalanced',
        /^Debits total 1 and credits total 2/,
      ],
    ];
    for (const [bad, code, detail] of cases) {
      const problem = await rejected(() =>
        bulk([transfer('1002.01', '4001', 1n), bad, transfer('1002.01', '4001', 1n)]),
      );
      expect(problem.code, code).toBe(code);
      expect(problem.detail, code).toMatch(detail);
    }
  });

  it('leaves the caller’s transaction usable after a refusal, and may be called twice in it', async () => {
    const keys = [randomUUID(), randomUUID()];
    await database.db.transaction().execute(async (trx) => {
      await postJournalsBulk(trx, [transfer('1002.01', '4001', 3n, { idempotencyKey: keys[0] })]);
      const problem = await failure(() => postJournalsBulk(trx, [transfer('1002.01', '7777', 3n)]));
      expect(problem.code).toBe('account_not_found');
      await postJournalsBulk(trx, [transfer('1002.01', '4001', 3n, { idempotencyKey: keys[1] })]);
      await postJournal(trx, transfer('1002.01', '4001', 3n));
    });
    const stored = await database.tables
      .selectFrom('ledger_entries')
      .select('idempotency_key')
      .where('idempotency_key', 'in', keys)
      .execute();
    expect(stored).toHaveLength(2);
  });

  it('an empty call posts nothing', async () => {
    expect(await bulk([])).toEqual([]);
  });
});
