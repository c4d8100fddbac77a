import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  foldLedgerBalances,
  getAccountBalance,
  getLoanBalance,
  getStatement,
  getTrialBalance,
  listAccountBalances,
  openAccount,
  postJournal,
  reverseJournal,
} from '../../src/modules/ledger/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';
import { entry, line, post, sumOfLines, transfer } from './support.ts';

// Three business days of postings on a database of this file's own; balances as of each day,
// statements, the trial balance and a loan's balance, before and after folding.

let database: TestDatabase;
const days: string[] = [];

async function closeDay(): Promise<void> {
  const day = await getBusinessDate(database.db);
  await database.db.transaction().execute((trx) => advanceBusinessDate(trx, day));
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await db.transaction().execute(async (trx) => {
    await openAccount(trx, {
      code: '1002.01',
      currency: 'USD',
      nameZh: '银行存款（美元）',
      nameEn: 'Bank (USD)',
      type: 'asset',
    });
    await openAccount(trx, {
      code: '4001',
      currency: 'USD',
      nameZh: '实收资本（美元）',
      nameEn: 'Paid-in capital (USD)',
      type: 'equity',
    });
  });
  // Day 1: capital in, a loan disbursed to the merchant.
  days.push(await getBusinessDate(db));
  await post(db, transfer('1002.01', '4001', 1_000_000n, { idempotencyKey: 'capital' }));
  await post(
    db,
    entry(
      [
        line('1301', 'debit', 120_000n, { loanId: 'L1' }),
        line('2202', 'credit', 120_000n, { loanId: 'L1', merchantId: 'M1' }),
      ],
      {
        idempotencyKey: 'disburse-L1',
        eventType: 'disbursement',
      },
    ),
  );
  await post(
    db,
    entry([
      line('1002.01', 'debit', 500n, { currency: 'USD' }),
      line('4001', 'credit', 500n, { currency: 'USD' }),
    ]),
  );
  await closeDay();
  // Day 2: settle the merchant, accrue interest.
  days.push(await getBusinessDate(db));
  await post(db, transfer('2202', '1002.01', 120_000n, { idempotencyKey: 'settle-M1' }));
  await post(
    db,
    entry(
      [line('1132', 'debit', 1_100n, { loanId: 'L1' }), line('6011', 'credit', 1_100n, { loanId: 'L1' })],
      {
        idempotencyKey: 'accrue-L1-d2',
        eventType: 'accrual',
      },
    ),
  );
  await closeDay();
  // Day 3: the borrower repays principal and interest.
  days.push(await getBusinessDate(db));
  await post(
    db,
    entry(
      [
        line('1012.01', 'debit', 11_100n, { loanId: 'L1' }),
        line('1301', 'credit', 10_000n, { loanId: 'L1' }),
        line('1132', 'credit', 1_100n, { loanId: 'L1' }),
      ],
      { idempotencyKey: 'repay-L1-1', eventType: 'repayment' },
    ),
  );
});

afterAll(async () => {
  await database?.drop();
});

async function balance(code: string, asOf?: string, currency = 'CNY'): Promise<bigint> {
  return (await getAccountBalance(database.db, code, currency, asOf)).balance.balanceMinor;
}

describe('balances', () => {
  it('as of each business date, on the normal side', async () => {
    const [d1, d2, d3] = days;
    expect([
      await balance('1002.01', d1),
      await balance('1002.01', d2),
      await balance('1002.01', d3),
    ]).toEqual([1_000_000n, 880_000n, 880_000n]);
    expect([await balance('1301', d1), await balance('1301', d2), await balance('1301', d3)]).toEqual([
      120_000n,
      120_000n,
      110_000n,
    ]);
    // 2202 merchant payable is credit-normal: +120,000 owed on day 1, settled on day 2.
    expect([await balance('2202', d1), await balance('2202', d2)]).toEqual([120_000n, 0n]);
    expect(await balance('6011')).toBe(1_100n);
    expect(await balance('1002.01', undefined, 'USD')).toBe(500n);
  });

  it('the day before any posting is zero', async () => {
    expect(await balance('1002.01', '2000-01-01')).toBe(0n);
  });

  it('every balance equals the sum of its lines, before and after folding, and a second fold changes nothing', async () => {
    const check = async () => {
      for (const account of await listAccountBalances(database.db)) {
        const net = await sumOfLines(database.db, account.code, account.currency);
        expect(
          account.balance.debitMinor - account.balance.creditMinor,
          `${account.code} ${account.currency}`,
        ).toBe(net);
        for (const day of days) {
          const asOf = await getAccountBalance(database.db, account.code, account.currency, day);
          expect(asOf.balance.debitMinor - asOf.balance.creditMinor).toBe(
            await sumOfLines(database.db, account.code, account.currency, day),
          );
        }
      }
    };
    await check();
    const folded = await foldLedgerBalances(database.db);
    expect(folded).toMatchObject({ folded: true, lines: 13 });
    await check();
    expect(await foldLedgerBalances(database.db)).toMatchObject({ folded: true, lines: 0 });
    await check();
  });

  it('inside the posting transaction, a balance already includes the uncommitted entry', async () => {
    const before = await balance('1002.01');
    await database.db
      .transaction()
      .execute(async (trx) => {
        await postJournal(trx, transfer('1002.01', '4001', 77n));
        expect((await getAccountBalance(trx, '1002.01', 'CNY')).balance.balanceMinor).toBe(before + 77n);
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await balance('1002.01')).toBe(before);
  });
});

describe('trial balance', () => {
  it('is zero per currency for every day, and lists each account on its side', async () => {
    for (const day of days) {
      const trial = await getTrialBalance(database.db, day);
      for (const group of trial.currencies) {
        expect(group.differenceMinor, `${day} ${group.currency}`).toBe(0n);
        expect(group.totalDebitMinor).toBe(group.totalCreditMinor);
      }
    }
    const last = await getTrialBalance(database.db, days[2] ?? '');
    expect(last.currencies.map((c) => c.currency)).toEqual(['CNY', 'USD']);
    const cny = last.currencies[0];
    expect(cny?.accounts.map((a) => [a.code, a.debitBalanceMinor, a.creditBalanceMinor])).toEqual([
      ['1002.01', 880_000n, 0n],
      ['1012.01', 11_100n, 0n],
      ['1132', 0n, 0n],
      ['1301', 110_000n, 0n],
      ['2202', 0n, 0n],
      ['4001', 0n, 1_000_000n],
      ['6011', 0n, 1_100n],
    ]);
    expect(cny?.totalDebitMinor).toBe(1_001_100n);
  });
});

describe('statements', () => {
  it('list the lines in date order with a running balance, a page at a time', async () => {
    const [d1, , d3] = days as [string, string, string];
    const first = await getStatement(database.db, {
      code: '1002.01',
      currency: 'CNY',
      from: d1,
      to: d3,
      limit: 1,
    });
    expect(first.openingBalanceMinor).toBe(0n);
    expect(first.closingBalanceMinor).toBe(880_000n);
    expect(first.lines.map((l) => [l.businessDate, l.side, l.amountMinor, l.balanceMinor])).toEqual([
      [d1, 'debit', 1_000_000n, 1_000_000n],
    ]);
    expect(first.nextCursor).not.toBeNull();
    const second = await getStatement(database.db, {
      code: '1002.01',
      currency: 'CNY',
      from: d1,
      to: d3,
      limit: 10,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.lines.map((l) => [l.side, l.amountMinor, l.balanceMinor, l.eventType])).toEqual([
      ['credit', 120_000n, 880_000n, 'test'],
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('start from the balance at the end of the day before `from`', async () => {
    const [, d2, d3] = days as [string, string, string];
    const statement = await getStatement(database.db, {
      code: '1301',
      currency: 'CNY',
      from: d2,
      to: d3,
      limit: 10,
    });
    expect(statement.openingBalanceMinor).toBe(120_000n);
    expect(statement.lines.map((l) => [l.businessDate, l.amountMinor, l.balanceMinor, l.loanId])).toEqual([
      [d3, 10_000n, 110_000n, 'L1'],
    ]);
  });
});

describe('loan balances', () => {
  it('sum a loan’s own lines per account, now and as of a date', async () => {
    const rows = await getLoanBalance(database.db, 'L1');
    expect(rows.map((r) => [r.code, r.balance.balanceMinor])).toEqual([
      ['1012.01', 11_100n],
      ['1132', 0n],
      ['1301', 110_000n],
      ['2202', 120_000n],
      ['6011', 1_100n],
    ]);
    const day1 = await getLoanBalance(database.db, 'L1', days[0]);
    expect(day1.map((r) => [r.code, r.balance.balanceMinor])).toEqual([
      ['1301', 120_000n],
      ['2202', 120_000n],
    ]);
  });

  it('a reversal brings the loan back', async () => {
    const repayment = await database.tables
      .selectFrom('ledger_entries')
      .select('id')
      .where('idempotency_key', '=', 'repay-L1-1')
      .executeTakeFirstOrThrow();
    await database.db
      .transaction()
      .execute((trx) => reverseJournal(trx, repayment.id, { idempotencyKey: 'reverse-repay-L1-1' }));
    const rows = await getLoanBalance(database.db, 'L1');
    expect(rows.find((r) => r.code === '1301')?.balance.balanceMinor).toBe(120_000n);
    expect(rows.find((r) => r.code === '1132')?.balance.balanceMinor).toBe(1_100n);
  });
});

describe('the worker', () => {
  it('the worker’s fold job (declared by the ledger module) folds, and the balances stay the same', async () => {
    const { application } = await import('../../src/modules/index.ts');
    const job = application
      .jobs({
        config: loadConfig({ ...testKeys }),
        db: database.db,
        logger: createLogger({ logLevel: 'silent' }),
      })
      .find((j) => j.name === 'ledger-fold-balances');
    expect(job?.cron).toBe('* * * * *');
    await job?.run();
    const before = await listAccountBalances(database.db);
    await post(database.db, transfer('1002.01', '4001', 5n));
    expect(await job?.run()).toEqual({ folded: true, accounts: 2, lines: 2 });
    const after = await listAccountBalances(database.db);
    expect(after.find((a) => a.code === '1002.01' && a.currency === 'CNY')?.balance.balanceMinor).toBe(
      (before.find((a) => a.code === '1002.01' && a.currency === 'CNY')?.balance.balanceMinor ?? 0n) + 5n,
    );
  });
});
