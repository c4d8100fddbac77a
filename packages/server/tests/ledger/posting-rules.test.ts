import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BusinessEvent,
  defaultRuleBooks,
  entryForEvent,
  postingEventTypes,
} from '../../src/modules/ledger/posting-rules.ts';
import {
  configureProductPosting,
  getJournalEntry,
  getLoanBalance,
  postEvent,
} from '../../src/modules/ledger/service.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { failure, rowCounts } from './support.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

function event(
  type: BusinessEvent['type'],
  amounts: Record<string, bigint>,
  extra: Partial<BusinessEvent> = {},
): BusinessEvent {
  return {
    type,
    idempotencyKey: randomUUID(),
    amounts,
    loanId: 'L-rules',
    customerId: 'C1',
    channel: 'simulated',
    ...extra,
  };
}

async function lines(e: BusinessEvent) {
  const posted = await database.db.transaction().execute((trx) => postEvent(trx, e));
  if (posted === null) return null;
  const stored = await getJournalEntry(database.db, posted.id);
  return { eventType: stored.eventType, lines: stored.lines.map((l) => [l.side, l.account, l.amountMinor]) };
}

describe('the default (accrual) posting map', () => {
  it('disbursement: principal owed to the merchant, merchant discount as income', async () => {
    expect(
      await lines(
        event('disbursement', { principal: 600_000n, merchantDiscount: 12_000n }, { merchantId: 'M9' }),
      ),
    ).toEqual({
      eventType: 'disbursement',
      // 2202 is netted: an entry books an account on one side only (journal_account_on_both_sides).
      lines: [
        ['debit', '1301', 600_000n],
        ['credit', '2202', 588_000n],
        ['credit', '6041', 12_000n],
      ],
    });
  });

  it('merchant settlement: pay the merchant out through the channel', async () => {
    expect((await lines(event('merchant_settlement', { amount: 588_000n })))?.lines).toEqual([
      ['debit', '2202', 588_000n],
      ['credit', '1012.01', 588_000n],
    ]);
  });

  it('repayment by component: one debit to the channel, one credit per component; zero components post nothing', async () => {
    expect(
      (
        await lines(
          event(
            'repayment',
            { principal: 50_000n, interest: 4_000n, fee: 0n, penalty: 300n, overpayment: 1n },
            { channel: 'unionpay' },
          ),
        )
      )?.lines,
    ).toEqual([
      ['debit', '1012.02', 54_301n],
      ['credit', '1301', 50_000n],
      ['credit', '1132', 4_000n],
      ['credit', '1134', 300n],
      ['credit', '2241', 1n],
    ]);
  });

  it('accrual, penalty accrual and fee charge book receivables against income', async () => {
    expect((await lines(event('accrual', { interest: 133n })))?.lines).toEqual([
      ['debit', '1132', 133n],
      ['credit', '6011', 133n],
    ]);
    expect((await lines(event('penalty_accrual', { penalty: 20n })))?.lines).toEqual([
      ['debit', '1134', 20n],
      ['credit', '6031', 20n],
    ]);
    expect((await lines(event('fee_charge', { fee: 500n })))?.lines).toEqual([
      ['debit', '1133', 500n],
      ['credit', '6021', 500n],
    ]);
  });

  it('write-off moves every receivable to write-off expense', async () => {
    expect(
      (await lines(event('write_off', { principal: 1_000n, interest: 50n, fee: 5n, penalty: 7n })))?.lines,
    ).toEqual([
      ['debit', '6702', 1_062n],
      ['credit', '1301', 1_000n],
      ['credit', '1132', 50n],
      ['credit', '1133', 5n],
      ['credit', '1134', 7n],
    ]);
  });

  it('refund: principal back from the merchant, accrued charges cancelled, overpayment paid out', async () => {
    expect(
      (await lines(event('refund', { principal: 9_000n, interest: 30n, fee: 0n, borrowerRefund: 15n })))
        ?.lines,
    ).toEqual([
      // The channel is netted: 9,000 in less 15 paid out (one side per account).
      ['debit', '1012.01', 8_985n],
      ['credit', '1301', 9_000n],
      ['debit', '6011', 30n],
      ['credit', '1132', 30n],
      ['debit', '2241', 15n],
    ]);
  });

  it('reversal reverses the entry it names', async () => {
    const original = await database.db
      .transaction()
      .execute((trx) => postEvent(trx, event('fee_charge', { fee: 77n })));
    const reversal = await database.db
      .transaction()
      .execute((trx) =>
        postEvent(trx, { type: 'reversal', idempotencyKey: randomUUID(), entryId: original?.id ?? 0n }),
      );
    expect(reversal).toMatchObject({ eventType: 'reversal', reversalOf: original?.id });
  });

  it('every line carries the event’s dimensions', async () => {
    const posted = await database.db
      .transaction()
      .execute((trx) =>
        postEvent(
          trx,
          event('accrual', { interest: 1n }, { loanId: 'L-dim', productId: 'P-dim', funderId: 'F1' }),
        ),
      );
    const stored = await getJournalEntry(database.db, posted?.id ?? 0n);
    expect(stored.lines.map((l) => [l.loanId, l.customerId, l.productId, l.funderId, l.merchantId])).toEqual([
      ['L-dim', 'C1', 'P-dim', 'F1', null],
      ['L-dim', 'C1', 'P-dim', 'F1', null],
    ]);
  });

  it('names an account for every component of every event type, in both bases', () => {
    for (const basis of ['accrual', 'cash'] as const) {
      for (const type of postingEventTypes)
        expect(Object.keys(defaultRuleBooks[basis].events[type]).length).toBeGreaterThan(0);
    }
  });
});

describe('per-product configuration', () => {
  it('cash basis: accruals post nothing, a repayment credits income directly', async () => {
    await database.db
      .transaction()
      .execute((trx) => configureProductPosting(trx, 'P-cash', { basis: 'cash' }));
    const before = await rowCounts(database.db);
    expect(await lines(event('accrual', { interest: 100n }, { productId: 'P-cash' }))).toBeNull();
    expect(await rowCounts(database.db)).toEqual(before);
    expect(
      (await lines(event('repayment', { principal: 1_000n, interest: 100n }, { productId: 'P-cash' })))
        ?.lines,
    ).toEqual([
      ['debit', '1012.01', 1_100n],
      ['credit', '1301', 1_000n],
      ['credit', '6011', 100n],
    ]);
  });

  it('a cash loan product disburses to the borrower’s card through the channel', async () => {
    await database.db.transaction().execute((trx) =>
      configureProductPosting(trx, 'P-cashloan', {
        basis: 'accrual',
        events: { disbursement: { principal: { debit: '1301', credit: '@channel' } } },
      }),
    );
    expect(
      (
        await lines(
          event('disbursement', { principal: 300_000n }, { productId: 'P-cashloan', loanId: 'L-cash' }),
        )
      )?.lines,
    ).toEqual([
      ['debit', '1301', 300_000n],
      ['credit', '1012.01', 300_000n],
    ]);
    expect(
      (await getLoanBalance(database.db, 'L-cash')).map((r) => [r.code, r.balance.balanceMinor]),
    ).toEqual([
      ['1012.01', -300_000n],
      ['1301', 300_000n],
    ]);
  });

  it('an invalid configuration is refused: validation_failed', async () => {
    const problem = await failure(() =>
      database.db.transaction().execute((trx) =>
        configureProductPosting(trx, 'P-bad', {
          basis: 'accrual',
          events: { repayment: { principal: { debit: 'not a code!', credit: '1301' } } },
        }),
      ),
    );
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([
      { path: 'events.repayment.principal.debit', message: 'must be an account code or @channel' },
    ]);
  });
});

describe('events that cannot be posted', () => {
  it('an unknown component: posting_event_invalid, nothing written', async () => {
    const e = event('repayment', { principal: 1n, tip: 5n });
    const before = await rowCounts(database.db);
    expect(await failure(() => database.db.transaction().execute((trx) => postEvent(trx, e)))).toEqual({
      code: 'posting_event_invalid',
      detail: `Cannot post repayment ${e.idempotencyKey}: repayment has no component tip (it has principal, interest, fee, penalty, overpayment)`,
    });
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('a negative amount or an unknown channel: posting_event_invalid', async () => {
    expect(
      (
        await failure(() =>
          database.db.transaction().execute((trx) => postEvent(trx, event('accrual', { interest: -1n }))),
        )
      ).code,
    ).toBe('posting_event_invalid');
    const e = event('repayment', { principal: 1n }, { channel: 'carrier-pigeon' });
    expect(await failure(() => database.db.transaction().execute((trx) => postEvent(trx, e)))).toEqual({
      code: 'posting_event_invalid',
      detail: `Cannot post repayment ${e.idempotencyKey}: unknown payment channel carrier-pigeon`,
    });
  });

  it('a rule that needs a channel when the event names none', () => {
    const e = event('repayment', { principal: 1n }, { channel: undefined });
    expect(() => entryForEvent(e, defaultRuleBooks.accrual)).toThrow(
      'the rule needs a payment channel and the event names none',
    );
  });

  it('the same event twice posts once', async () => {
    const e = event('fee_charge', { fee: 250n });
    const first = await database.db.transaction().execute((trx) => postEvent(trx, e));
    const again = await database.db.transaction().execute((trx) => postEvent(trx, e));
    expect(again).toEqual({ ...first, replayed: true });
  });
});
