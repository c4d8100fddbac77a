import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRoutes } from '../../src/modules/ledger/routes.ts';
import { reverseJournal } from '../../src/modules/ledger/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, startTestServer, type TestServer } from '../support/server.ts';
import { entry, line, post, transfer } from './support.ts';

// The read API over real HTTP: exact bodies, problem+json for missing resources and bad input.

let database: TestDatabase;
let server: TestServer;
let today: string;
let disbursementId: bigint;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database);
  today = await getBusinessDate(database.db);
  await post(
    database.db,
    transfer('1002.01', '4001', 5_000_000n, { idempotencyKey: 'api-capital', description: 'Capital' }),
  );
  const disbursement = await post(
    database.db,
    entry(
      [
        line('1301', 'debit', 300_000n, { loanId: 'L-api' }),
        line('2202', 'credit', 300_000n, { loanId: 'L-api', merchantId: 'M1' }),
      ],
      {
        idempotencyKey: 'api-disburse',
        eventType: 'disbursement',
        sourceRef: 'loan:L-api',
      },
    ),
  );
  disbursementId = disbursement.id;
  await post(
    database.db,
    transfer('2202', '1002.01', 300_000n, { idempotencyKey: 'api-settle', eventType: 'merchant_settlement' }),
  );
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const get = (path: string) => http(server.baseUrl, 'GET', path);

describe('ledger read API', () => {
  it('every route needs ledger:read', () => {
    expect(ledgerRoutes.map((r) => [r.method, r.url, r.permission])).toEqual([
      ['GET', '/api/v1/ledger/accounts', 'ledger:read'],
      ['GET', '/api/v1/ledger/accounts/:code', 'ledger:read'],
      ['GET', '/api/v1/ledger/accounts/:code/statement', 'ledger:read'],
      ['GET', '/api/v1/ledger/entries', 'ledger:read'],
      ['GET', '/api/v1/ledger/entries/:id', 'ledger:read'],
      ['GET', '/api/v1/ledger/trial-balance', 'ledger:read'],
      ['GET', '/api/v1/ledger/loans/:loanId/balance', 'ledger:read'],
    ]);
  });

  it('GET /accounts lists the chart with balances', async () => {
    const result = await get('/api/v1/ledger/accounts');
    expect(result.status).toBe(200);
    const body = result.json as {
      asOf: null;
      accounts: { code: string; balance: { balanceMinor: string } }[];
    };
    expect(body.asOf).toBeNull();
    expect(body.accounts).toHaveLength(26);
    expect(body.accounts.find((a) => a.code === '1002.01')?.balance.balanceMinor).toBe('4700000');
  });

  it('GET /accounts/:code returns one account exactly', async () => {
    const result = await get('/api/v1/ledger/accounts/1301?currency=CNY');
    expect(result.status).toBe(200);
    expect(result.json).toEqual({
      code: '1301',
      currency: 'CNY',
      nameZh: '贷款本金',
      nameEn: 'Loan principal receivable',
      type: 'asset',
      normalSide: 'debit',
      parentCode: null,
      isGroup: false,
      status: 'open',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      closedAt: null,
      balance: { debitMinor: '300000', creditMinor: '0', balanceMinor: '300000' },
    });
  });

  it('an unknown account is a 404 problem', async () => {
    const result = await get('/api/v1/ledger/accounts/7777');
    expect(result.status).toBe(404);
    expect(result.headers.get('content-type')).toContain('application/problem+json');
    expect(result.json).toMatchObject({
      type: 'https://fenqi.dev/problems/account_not_found',
      title: 'The ledger account does not exist',
      status: 404,
      code: 'account_not_found',
      detail: 'There is no account 7777 in CNY.',
    });
  });

  it('GET /accounts/:code/statement pages with a running balance', async () => {
    const first = await get(`/api/v1/ledger/accounts/1002.01/statement?from=${today}&to=${today}&limit=1`);
    expect(first.status).toBe(200);
    const page = first.json as {
      lines: { amountMinor: string; balanceMinor: string; side: string }[];
      nextCursor: string | null;
    };
    expect(page).toMatchObject({
      openingBalanceMinor: '0',
      closingBalanceMinor: '4700000',
      from: today,
      to: today,
    });
    expect(page.lines.map((l) => [l.side, l.amountMinor, l.balanceMinor])).toEqual([
      ['debit', '5000000', '5000000'],
    ]);
    const second = await get(
      `/api/v1/ledger/accounts/1002.01/statement?from=${today}&to=${today}&limit=1&cursor=${page.nextCursor}`,
    );
    const next = second.json as typeof page;
    expect(next.lines.map((l) => [l.side, l.amountMinor, l.balanceMinor])).toEqual([
      ['credit', '300000', '4700000'],
    ]);
    expect(next.nextCursor).toBeNull();
  });

  it('a statement with a forged cursor or reversed dates is a 400', async () => {
    const forged = await get(
      `/api/v1/ledger/accounts/1002.01/statement?from=${today}&to=${today}&cursor=bm9wZQ`,
    );
    expect(forged.status).toBe(400);
    expect(forged.json).toMatchObject({
      code: 'validation_failed',
      errors: [{ in: 'query', path: 'cursor', message: 'is not valid' }],
    });
    const reversed = await get('/api/v1/ledger/accounts/1002.01/statement?from=2030-01-02&to=2030-01-01');
    expect(reversed.status).toBe(400);
    const badDate = await get('/api/v1/ledger/accounts/1002.01/statement?from=2030-02-30&to=2030-03-01');
    expect(badDate.status).toBe(400);
    expect(badDate.json).toMatchObject({ code: 'validation_failed' });
  });

  it('GET /entries filters by loan, account and event type', async () => {
    const byLoan = await get('/api/v1/ledger/entries?loanId=L-api');
    expect(byLoan.status).toBe(200);
    expect(byLoan.json).toEqual({
      entries: [
        {
          id: String(disbursementId),
          businessDate: today,
          postedAt: expect.stringMatching(/Z$/),
          eventType: 'disbursement',
          sourceRef: 'loan:L-api',
          idempotencyKey: 'api-disburse',
          description: '',
          currency: 'CNY',
          reversalOf: null,
          reversedBy: null,
          lines: [
            {
              lineNo: 1,
              account: '1301',
              side: 'debit',
              amountMinor: '300000',
              currency: 'CNY',
              loanId: 'L-api',
              customerId: null,
              productId: null,
              merchantId: null,
              funderId: null,
            },
            {
              lineNo: 2,
              account: '2202',
              side: 'credit',
              amountMinor: '300000',
              currency: 'CNY',
              loanId: 'L-api',
              customerId: null,
              productId: null,
              merchantId: 'M1',
              funderId: null,
            },
          ],
        },
      ],
      nextAfter: null,
    });
    const byAccount = (await get('/api/v1/ledger/entries?account=2202')).json as {
      entries: { idempotencyKey: string }[];
    };
    expect(byAccount.entries.map((e) => e.idempotencyKey)).toEqual(['api-disburse', 'api-settle']);
    const byType = (
      await get(`/api/v1/ledger/entries?eventType=merchant_settlement&from=${today}&to=${today}`)
    ).json as typeof byAccount;
    expect(byType.entries.map((e) => e.idempotencyKey)).toEqual(['api-settle']);
    const paged = (await get('/api/v1/ledger/entries?limit=2')).json as {
      entries: { id: string }[];
      nextAfter: string;
    };
    expect(paged.entries).toHaveLength(2);
    const rest = (await get(`/api/v1/ledger/entries?limit=2&after=${paged.nextAfter}`)).json as typeof paged;
    expect(rest.entries.map((e) => e.id)).not.toContain(paged.entries[0]?.id);
  });

  it('GET /entries/:id shows the reversal link; a missing entry is a 404', async () => {
    const original = await post(database.db, transfer('1002.01', '4001', 1n, { idempotencyKey: 'api-oops' }));
    const reversal = await database.db
      .transaction()
      .execute((trx) => reverseJournal(trx, original.id, { idempotencyKey: 'api-oops-rev' }));
    const result = await get(`/api/v1/ledger/entries/${original.id}`);
    expect(result.json).toMatchObject({ id: String(original.id), reversedBy: String(reversal.id) });
    const missing = await get('/api/v1/ledger/entries/123456789');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      code: 'journal_entry_not_found',
      detail: 'There is no journal entry 123456789.',
    });
  });

  it('GET /trial-balance is zero and defaults to the current business date', async () => {
    const result = await get('/api/v1/ledger/trial-balance');
    expect(result.status).toBe(200);
    const body = result.json as {
      businessDate: string;
      currencies: {
        currency: string;
        totalDebitMinor: string;
        totalCreditMinor: string;
        differenceMinor: string;
      }[];
    };
    expect(body.businessDate).toBe(today);
    expect(
      body.currencies.map((c) => [c.currency, c.totalDebitMinor, c.totalCreditMinor, c.differenceMinor]),
    ).toEqual([['CNY', '5000000', '5000000', '0']]);
  });

  it('GET /loans/:loanId/balance lists the loan’s accounts', async () => {
    const result = await get('/api/v1/ledger/loans/L-api/balance');
    expect(result.json).toEqual({
      loanId: 'L-api',
      asOf: null,
      accounts: [
        {
          code: '1301',
          currency: 'CNY',
          nameZh: '贷款本金',
          nameEn: 'Loan principal receivable',
          normalSide: 'debit',
          balance: { debitMinor: '300000', creditMinor: '0', balanceMinor: '300000' },
        },
        {
          code: '2202',
          currency: 'CNY',
          nameZh: '应付商户款',
          nameEn: 'Merchant payable',
          normalSide: 'credit',
          balance: { debitMinor: '0', creditMinor: '300000', balanceMinor: '300000' },
        },
      ],
    });
  });

  it('under access control, an anonymous caller is refused', async () => {
    const guarded = await startTestServer(database, { accessControl: 'iam' });
    try {
      const result = await http(guarded.baseUrl, 'GET', '/api/v1/ledger/trial-balance');
      expect(result.status).toBe(401);
    } finally {
      await guarded.close();
    }
  });
});
