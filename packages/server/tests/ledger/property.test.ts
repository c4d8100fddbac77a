import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  foldLedgerBalances,
  getTrialBalance,
  listAccountBalances,
  openAccount,
  postJournal,
  postJournalsBulk,
  reverseJournal,
} from '../../src/modules/ledger/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { line, sumOfLines } from './support.ts';

// Random sequences of valid postings (2–4 lines, two currencies, loans; one at a time through
// postJournal, or a few at once through postJournalsBulk), reversals of earlier
// entries, folds and day closes. After every sequence: the trial balance is zero per currency for
// every day so far, and every account's balance — now and as of every day — equals the sum of its
// lines and the balance an in-memory model expects.

let database: TestDatabase;

const accounts = {
  CNY: ['1002.01', '1012.01', '1301', '1132', '2202', '2901', '6011'],
  USD: ['1002.01', '4001', '2901'],
} as const;
type Currency = keyof typeof accounts;

/** Net debits per `currency code` key: what the balances must add up to. */
const model = new Map<string, bigint>();
const posted: { id: bigint; lines: { key: string; net: bigint }[]; reversed: boolean }[] = [];
const days: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.transaction().execute(async (trx) => {
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
      nameEn: 'Capital (USD)',
      type: 'equity',
    });
    await openAccount(trx, {
      code: '2901',
      currency: 'USD',
      nameZh: '待查明（美元）',
      nameEn: 'Suspense (USD)',
      type: 'liability',
    });
  });
  days.push(await getBusinessDate(database.db));
});

afterAll(async () => {
  await database?.drop();
});

const amount = fc.bigInt({ min: 1n, max: 10_000_000n });

/** A balanced entry: one debit split into 1–3 credits (or the reverse), all on random accounts. */
const postCommand = fc
  .record({
    currency: fc.constantFrom<Currency>('CNY', 'USD'),
    total: amount,
    splits: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 3 }),
    picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    flip: fc.boolean(),
    loan: fc.option(fc.constantFrom('L1', 'L2', 'L3'), { nil: undefined }),
  })
  .map((p) => ({ kind: 'post' as const, ...p }));

/** The same postings, one to four of them at once, through postJournalsBulk (COPY). */
const bulkCommand = fc
  .array(postCommand, { minLength: 1, maxLength: 4 })
  .map((posts) => ({ kind: 'bulk' as const, posts }));

const command = fc.oneof(
  { weight: 6, arbitrary: postCommand },
  { weight: 2, arbitrary: bulkCommand },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'reverse' as const, pick })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fold' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close-day' as const }) },
);

type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;
type PostCommand = typeof postCommand extends fc.Arbitrary<infer C> ? C : never;

function splitTotal(total: bigint, weights: number[]): bigint[] {
  // Exact split: each part floor(total × w / Σw), the remainder to the first part; zero parts dropped.
  const sum = BigInt(weights.reduce((a, b) => a + b + 1, 0));
  const parts = weights.map((w) => (total * BigInt(w + 1)) / sum);
  parts[0] = (parts[0] ?? 0n) + total - parts.reduce((a, b) => a + b, 0n);
  return parts.filter((p) => p > 0n);
}

function linesOf(cmd: PostCommand) {
  const codes = accounts[cmd.currency];
  // The single side's account is never on the other side too (journal_account_on_both_sides):
  // the others are picked from the remaining accounts.
  const one = codes[(cmd.picks[0] ?? 0) % codes.length] ?? codes[0];
  const rest = codes.filter((code) => code !== one);
  const many = cmd.picks.slice(1).map((p) => rest[p % rest.length] ?? rest[0] ?? one);
  const [single, multi] = cmd.flip ? (['credit', 'debit'] as const) : (['debit', 'credit'] as const);
  const parts = splitTotal(cmd.total, cmd.splits);
  return [
    line(one, single, cmd.total, { currency: cmd.currency, loanId: cmd.loan }),
    ...parts.map((part, i) =>
      line(many[i] ?? one, multi, part, { currency: cmd.currency, loanId: cmd.loan }),
    ),
  ];
}

function record(id: bigint, lines: ReturnType<typeof linesOf>): void {
  const effects = lines.map((l) => ({
    key: `${l.currency} ${l.account}`,
    net: l.side === 'debit' ? l.amountMinor : -l.amountMinor,
  }));
  for (const e of effects) model.set(e.key, (model.get(e.key) ?? 0n) + e.net);
  posted.push({ id, lines: effects, reversed: false });
}

async function run(cmd: Command): Promise<void> {
  const db = database.db;
  if (cmd.kind === 'post') {
    const lines = linesOf(cmd);
    const result = await db
      .transaction()
      .execute((trx) => postJournal(trx, { idempotencyKey: randomUUID(), eventType: 'property', lines }));
    record(result.id, lines);
  } else if (cmd.kind === 'bulk') {
    const entries = cmd.posts.map((p) => ({
      idempotencyKey: randomUUID(),
      eventType: 'property',
      lines: linesOf(p),
    }));
    const results = await db.transaction().execute((trx) => postJournalsBulk(trx, entries));
    results.forEach((result, i) => {
      record(result.id, entries[i]?.lines ?? []);
    });
  } else if (cmd.kind === 'reverse') {
    const open = posted.filter((p) => !p.reversed);
    const target = open[cmd.pick % Math.max(open.length, 1)];
    if (!target) return;
    await db.transaction().execute((trx) => reverseJournal(trx, target.id, { idempotencyKey: randomUUID() }));
    target.reversed = true;
    for (const e of target.lines) model.set(e.key, (model.get(e.key) ?? 0n) - e.net);
  } else if (cmd.kind === 'fold') {
    await foldLedgerBalances(db);
  } else {
    const day = await getBusinessDate(db);
    await db.transaction().execute((trx) => advanceBusinessDate(trx, day));
    days.push(await getBusinessDate(db));
  }
}

async function checkInvariants(): Promise<void> {
  const db = database.db;
  for (const day of days) {
    const trial = await getTrialBalance(db, day);
    for (const group of trial.currencies) expect(group.differenceMinor, `${day} ${group.currency}`).toBe(0n);
  }
  for (const account of await listAccountBalances(db)) {
    const net = account.balance.debitMinor - account.balance.creditMinor;
    expect(net, `${account.currency} ${account.code}`).toBe(
      await sumOfLines(db, account.code, account.currency),
    );
    expect(net, `${account.currency} ${account.code} (model)`).toBe(
      model.get(`${account.currency} ${account.code}`) ?? 0n,
    );
  }
  for (const day of days) {
    for (const account of await listAccountBalances(db, day)) {
      const net = account.balance.debitMinor - account.balance.creditMinor;
      expect(net, `${day} ${account.currency} ${account.code}`).toBe(
        await sumOfLines(db, account.code, account.currency, day),
      );
    }
  }
}

describe('ledger conservation', () => {
  it('random postings and reversals keep the trial balance at zero and every balance equal to its lines', {
    timeout: 240_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        for (const cmd of commands) await run(cmd);
        await checkInvariants();
      }),
      { numRuns: 30 },
    );
    expect(posted.length).toBeGreaterThan(50);
    expect(posted.some((p) => p.reversed)).toBe(true);
    expect(days.length).toBeGreaterThan(1);
  });
});
