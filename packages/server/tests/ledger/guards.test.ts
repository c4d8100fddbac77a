import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  foldLedgerBalances,
  getAccountBalance,
  getTrialBalance,
  ledgerJobs,
  verifyLedger,
} from '../../src/modules/ledger/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import type { DB } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';
import { post, rowCounts, transfer } from './support.ts';

// The database's own guards against anyone with SQL access, and `fenqi ledger verify`, which finds
// what the tables' owner did with the guards switched off.

let database: TestDatabase;
let today: string;

beforeAll(async () => {
  database = await createTestDatabase();
  today = await getBusinessDate(database.db);
  await post(database.db, transfer('1301', '2202', 100n, { idempotencyKey: 'guards-disburse' }));
});

afterAll(async () => {
  await database?.drop();
});

/** One statement inserting a header (dated `date`) and, unless `lines` is empty, its lines. */
function rawEntry(date: string, lines: [string, 'debit' | 'credit', number][]) {
  const values =
    lines.length === 0
      ? sql``
      : sql.join(
          lines.map(([code, side, amount], i) => sql`(${i + 1}::int2, ${code}, ${side}, ${amount}::int8)`),
        );
  return lines.length === 0
    ? sql`INSERT INTO ledger_entries (business_date, event_type, idempotency_key, fingerprint, currency)
          VALUES (${date}::date, 'raw', ${randomUUID()}, 'x', 'CNY')`
    : sql`WITH e AS (
            INSERT INTO ledger_entries (business_date, event_type, idempotency_key, fingerprint, currency)
            VALUES (${date}::date, 'raw', ${randomUUID()}, 'x', 'CNY') RETURNING id)
          INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency)
          SELECT e.id, v.n, ${date}::date, a.id, v.side, v.amount, 'CNY'
          FROM e, (VALUES ${values}) v (n, code, side, amount)
          JOIN ledger_accounts a ON a.code = v.code AND a.currency = 'CNY'`;
}

async function refusedWithNothingWritten(db: DB, work: () => Promise<unknown>, message: string | RegExp) {
  const before = await rowCounts(db);
  await expect(work()).rejects.toThrow(message);
  expect(await rowCounts(db)).toEqual(before);
}

describe('an entry and its lines, by SQL', () => {
  it('a header without lines is refused', async () => {
    await refusedWithNothingWritten(
      database.db,
      () => rawEntry(today, []).execute(database.db),
      'line(s) at the end of the statement that inserted it; an entry and its lines (at least two) are inserted by one statement',
    );
  });

  it('a header whose lines come in a later statement of the same transaction is refused at the first', async () => {
    await refusedWithNothingWritten(
      database.db,
      () =>
        database.db.transaction().execute(async (trx) => {
          await rawEntry(today, []).execute(trx);
          throw new Error('the header alone was accepted');
        }),
      'has 0 line(s) at the end of the statement that inserted it',
    );
  });

  it('a header and its lines in one statement post: the AFTER triggers of both CTEs fire at its end and see its rows', async () => {
    const before = (await getAccountBalance(database.db, '1002.01', 'CNY')).balance.balanceMinor;
    await rawEntry(today, [
      ['1002.01', 'debit', 40],
      ['4001', 'credit', 40],
    ]).execute(database.db);
    expect((await getAccountBalance(database.db, '1002.01', 'CNY')).balance.balanceMinor).toBe(before + 40n);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('a header with a single line is refused', async () => {
    await refusedWithNothingWritten(
      database.db,
      () => rawEntry(today, [['1002.01', 'debit', 40]]).execute(database.db),
      // Either guard may speak first: both fire at the end of the statement.
      /has 1 line\(s\) at the end of the statement|not a valid balanced posting/,
    );
  });

  it('an entry dated on a closed day or in 2099 is refused', async () => {
    const lines: [string, 'debit' | 'credit', number][] = [
      ['1002.01', 'debit', 7],
      ['4001', 'credit', 7],
    ];
    await refusedWithNothingWritten(
      database.db,
      () => rawEntry('2001-01-01', lines).execute(database.db),
      `is dated 2001-01-01; the open business date is ${today}`,
    );
    await refusedWithNothingWritten(
      database.db,
      () => rawEntry('2099-01-01', lines).execute(database.db),
      `is dated 2099-01-01; the open business date is ${today}`,
    );
  });
});

describe('the derived balance tables, by SQL', () => {
  const refusal =
    'balances are derived from the journal lines and written only by the lines guard and the fold';

  it('an UPDATE of a balance row is refused, and the balance stays what the lines say', async () => {
    await foldLedgerBalances(database.db);
    await expect(
      sql`UPDATE ledger_account_balances SET debit_minor = debit_minor + 5000
          WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = '1301' AND currency = 'CNY')`.execute(
        database.db,
      ),
    ).rejects.toThrow(`ledger: UPDATE on ledger_account_balances is not allowed; ${refusal}`);
    await expect(sql`UPDATE ledger_account_daily SET credit_minor = 0`.execute(database.db)).rejects.toThrow(
      `ledger: UPDATE on ledger_account_daily is not allowed; ${refusal}`,
    );
    expect((await getAccountBalance(database.db, '1301', 'CNY')).balance.balanceMinor).toBe(100n);
  });

  it('a DELETE, INSERT or TRUNCATE of deltas is refused', async () => {
    await post(database.db, transfer('1301', '2202', 1n));
    await expect(sql`DELETE FROM ledger_balance_deltas`.execute(database.db)).rejects.toThrow(
      `ledger: DELETE on ledger_balance_deltas is not allowed; ${refusal}`,
    );
    await expect(
      sql`INSERT INTO ledger_balance_deltas (account_id, business_date, debit_minor, credit_minor, lines)
          SELECT id, ${today}::date, 1, 0, 1 FROM ledger_accounts WHERE code = '1301'`.execute(database.db),
    ).rejects.toThrow(`ledger: INSERT on ledger_balance_deltas is not allowed; ${refusal}`);
    await expect(sql`TRUNCATE ledger_account_balances`.execute(database.db)).rejects.toThrow(
      `ledger: TRUNCATE on ledger_account_balances is not allowed`,
    );
    expect((await getAccountBalance(database.db, '1301', 'CNY')).balance.balanceMinor).toBe(101n);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });
});

describe('verification finds what the owner did with the triggers disabled', () => {
  // Each case on a database of its own: tampering is permanent.
  async function tampered(work: (db: DB) => Promise<unknown>) {
    const own = await createTestDatabase();
    await post(own.db, transfer('1301', '2202', 100n));
    await foldLedgerBalances(own.db);
    await post(own.db, transfer('1301', '2202', 20n));
    await work(own.db);
    return own;
  }

  it('an UPDATE of a balance row: 1301 reads 5,100 while its lines sum to 120, and verify names it', async () => {
    const own = await tampered(async (db) => {
      await sql`ALTER TABLE ledger_account_balances DISABLE TRIGGER ledger_account_balances_guard`.execute(
        db,
      );
      await sql`UPDATE ledger_account_balances SET debit_minor = debit_minor + 4980
                WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = '1301' AND currency = 'CNY')`.execute(
        db,
      );
    });
    try {
      expect((await getAccountBalance(own.db, '1301', 'CNY')).balance.balanceMinor).toBe(5100n);
      const result = await verifyLedger(own.db);
      expect(result.ok).toBe(false);
      expect(result.drift).toEqual([
        {
          kind: 'account_total',
          entryId: null,
          code: '1301',
          currency: 'CNY',
          businessDate: null,
          expected: { debitMinor: 120n, creditMinor: 0n },
          found: { debitMinor: 5100n, creditMinor: 0n },
        },
      ]);
    } finally {
      await own.drop();
    }
  });

  it('a DELETE of a delta: both accounts of the posting, their totals and their day', async () => {
    const own = await tampered(async (db) => {
      await sql`ALTER TABLE ledger_balance_deltas DISABLE TRIGGER USER`.execute(db);
      await sql`DELETE FROM ledger_balance_deltas`.execute(db);
    });
    try {
      const result = await verifyLedger(own.db);
      const day = await getBusinessDate(own.db);
      expect(result.drift.map((d) => [d.kind, d.code, d.businessDate, d.expected, d.found])).toEqual([
        [
          'account_day',
          '1301',
          day,
          { debitMinor: 120n, creditMinor: 0n },
          { debitMinor: 100n, creditMinor: 0n },
        ],
        [
          'account_day',
          '2202',
          day,
          { debitMinor: 0n, creditMinor: 120n },
          { debitMinor: 0n, creditMinor: 100n },
        ],
        [
          'account_total',
          '1301',
          null,
          { debitMinor: 120n, creditMinor: 0n },
          { debitMinor: 100n, creditMinor: 0n },
        ],
        [
          'account_total',
          '2202',
          null,
          { debitMinor: 0n, creditMinor: 120n },
          { debitMinor: 0n, creditMinor: 100n },
        ],
      ]);
    } finally {
      await own.drop();
    }
  });

  it('a header-only entry and a back-dated entry: the entry, and the accounts the back-dated lines missed', async () => {
    let headerOnly = 0n;
    const own = await tampered(async (db) => {
      await sql`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_guard`.execute(db);
      await sql`ALTER TABLE ledger_lines DISABLE TRIGGER ledger_lines_guard`.execute(db);
      const inserted = await sql<{ id: bigint }>`
        INSERT INTO ledger_entries (business_date, event_type, idempotency_key, fingerprint, currency)
        VALUES (${today}::date, 'raw', ${randomUUID()}, 'x', 'CNY') RETURNING id`.execute(db);
      headerOnly = inserted.rows[0]?.id ?? 0n;
      await rawEntry('2001-01-01', [
        ['1002.01', 'debit', 9],
        ['4001', 'credit', 9],
      ]).execute(db);
    });
    try {
      const result = await verifyLedger(own.db);
      expect(result.drift.map((d) => [d.kind, d.code, d.businessDate, d.entryId])).toEqual([
        ['account_day', '1002.01', '2001-01-01', null],
        ['account_day', '4001', '2001-01-01', null],
        ['account_total', '1002.01', null, null],
        ['account_total', '4001', null, null],
        ['entry_lines', null, today, headerOnly],
      ]);
      // The trial balance cannot see it: every balance table agrees with every other.
      expect((await getTrialBalance(own.db, today)).currencies.map((c) => c.differenceMinor)).toEqual([0n]);
    } finally {
      await own.drop();
    }
  });
});

describe('fenqi ledger verify and the worker job', () => {
  const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;
  function runCli(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [fenqi, 'ledger', 'verify'], {
        env: { ...process.env, ...testKeys, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('exit 0 when clean, exit 1 naming the account on drift; the daily job logs an error naming it', {
    timeout: 60_000,
  }, async () => {
    const own = await createTestDatabase();
    try {
      await post(own.db, transfer('1301', '2202', 100n));
      const clean = await runCli(own.url);
      expect(clean.stderr).toBe('');
      expect(clean.code).toBe(0);
      expect(clean.stdout).toBe(
        'ledger verified: 26 accounts, 1 entries, 2 lines; every balance equals its lines\n',
      );

      const logs: { level: number; msg: string; drift?: string[] }[] = [];
      const sink = new Writable({
        write(chunk, _encoding, callback) {
          for (const line of String(chunk).split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line));
          callback();
        },
      });
      const job = ledgerJobs(own.db, createLogger({ logLevel: 'info' }, sink)).find(
        (j) => j.name === 'ledger-verify',
      );
      expect(job?.cron).toBe('41 3 * * *');
      expect(await job?.run()).toEqual({ ok: true, drift: 0, accounts: 26, lines: '2' });
      expect(logs).toEqual([]);

      await sql`ALTER TABLE ledger_balance_deltas DISABLE TRIGGER ledger_balance_deltas_guard`.execute(
        own.db,
      );
      await sql`UPDATE ledger_balance_deltas SET debit_minor = 5100 WHERE debit_minor = 100`.execute(own.db);
      const drifted = await runCli(own.url);
      expect(drifted.code).toBe(1);
      const day = await getBusinessDate(own.db);
      expect(drifted.stdout).toBe(
        'ledger DRIFT: 2 problem(s) in 26 accounts, 1 entries, 2 lines\n' +
          `  account_day 1301 CNY on ${day}: expected debit 100 credit 0 (the lines), found debit 5100 credit 0\n` +
          '  account_total 1301 CNY: expected debit 100 credit 0 (the lines), found debit 5100 credit 0\n',
      );
      expect(await job?.run()).toEqual({ ok: false, drift: 2, accounts: 26, lines: '2' });
      expect(logs).toHaveLength(1);
      expect(logs[0]?.level).toBe(50);
      expect(logs[0]?.msg).toContain('ledger drift: 2 problem(s): account_day 1301 CNY');
      expect(logs[0]?.drift).toHaveLength(2);
    } finally {
      await own.drop();
    }
  });
});
