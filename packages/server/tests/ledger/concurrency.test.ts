import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  foldLedgerBalances,
  getAccountBalance,
  getTrialBalance,
  postJournal,
} from '../../src/modules/ledger/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { sumOfLines, transfer } from './support.ts';

// Hot accounts: many writers posting to the same two accounts at once must lose no update, see no
// deadlock and get no error, whatever order their transactions touch the accounts in.

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

const writers = 16;
const entriesPerWriter = 1000;

describe('concurrent posting on one hot account pair', () => {
  it(`${writers} writers × ${entriesPerWriter} entries: every balance exact, no error to any writer`, {
    timeout: 300_000,
  }, async () => {
    const errors: unknown[] = [];
    let expected = 0n;
    let folds = 0;
    let folding = true;
    // A fold runs alongside, as the worker's job would: it must neither lose nor double a line.
    const folder = (async () => {
      while (folding) {
        await foldLedgerBalances(database.db);
        folds++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < entriesPerWriter; i++) {
          // Alternate directions, so transactions touch the two accounts in both orders.
          const amount = BigInt(1 + ((w * entriesPerWriter + i) % 1000));
          const forward = i % 2 === 0;
          try {
            await database.db
              .transaction()
              .execute((trx) =>
                postJournal(
                  trx,
                  forward
                    ? transfer('1002.01', '2901', amount, { idempotencyKey: `hot-${w}-${i}` })
                    : transfer('2901', '1002.01', amount, { idempotencyKey: `hot-${w}-${i}` }),
                ),
              );
            expected += forward ? amount : -amount;
          } catch (error) {
            errors.push(error);
          }
        }
      }),
    );
    folding = false;
    await folder;
    expect(errors).toEqual([]);
    expect(folds).toBeGreaterThan(0);
    const bank = await getAccountBalance(database.db, '1002.01', 'CNY');
    const suspense = await getAccountBalance(database.db, '2901', 'CNY');
    expect(bank.balance.balanceMinor).toBe(expected);
    // Suspense is credit-normal: its balance is the mirror image.
    expect(suspense.balance.balanceMinor).toBe(expected);
    expect(bank.balance.debitMinor + bank.balance.creditMinor).toBe(
      suspense.balance.debitMinor + suspense.balance.creditMinor,
    );
    expect(await sumOfLines(database.db, '1002.01')).toBe(expected);
    const count = await database.tables
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(BigInt(writers * entriesPerWriter));
    await foldLedgerBalances(database.db);
    expect((await getAccountBalance(database.db, '1002.01', 'CNY')).balance.balanceMinor).toBe(expected);
    const trial = await getTrialBalance(database.db, await getBusinessDate(database.db));
    expect(trial.currencies.map((c) => c.differenceMinor)).toEqual([0n]);
  });

  it('transactions posting two entries in opposite account orders never deadlock', {
    timeout: 120_000,
  }, async () => {
    const before = (await getAccountBalance(database.db, '1301', 'CNY')).balance.balanceMinor;
    const results = await Promise.allSettled(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < 50; i++) {
          await database.db.transaction().execute(async (trx) => {
            // With row-locked balances this interleaving is the textbook deadlock.
            const first = w % 2 === 0 ? transfer('1301', '2202', 10n) : transfer('2202', '1301', 3n);
            const second = w % 2 === 0 ? transfer('2202', '1301', 3n) : transfer('1301', '2202', 10n);
            await postJournal(trx, first);
            await postJournal(trx, second);
          });
        }
      }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await getAccountBalance(database.db, '1301', 'CNY')).balance.balanceMinor - before).toBe(
      BigInt(writers * 50 * 7),
    );
  });
});
