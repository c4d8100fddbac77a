import { spawn } from 'node:child_process';
import { paymentsMax } from '@fenqi/core';
import { describe, expect, it } from 'vitest';
import { aprAmountMax } from '../../../core/src/quote/apr-request.ts';
import { setInitialBusinessDate } from '../../src/platform/business-date.ts';
import { http, useTestServer } from '../support/server.ts';

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

const { database, server } = useTestServer({
  prepare: async (database) => {
    await database.db.transaction().execute((trx) => setInitialBusinessDate(trx, '2026-01-31'));
  },
});

const base = { principal: '12000.00', method: 'equal_installment', annualRate: '0.12', termCount: 3 };

describe('POST /api/v1/quotes', () => {
  it('starts a loan without startDate on the business date, due dates following the month-end rule', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/quotes', { body: base });
    expect(result.status).toBe(200);
    // By hand: M = 12000 × 0.01 × 1.01³ / (1.01³ − 1) = 4080.2687… → 4080.27; interest rounds per period;
    // the last principal takes the remaining balance (last_principal).
    expect(result.json).toEqual({
      payment: '4080.27',
      installments: [
        {
          number: 1,
          dueDate: '2026-02-28',
          principal: '3960.27',
          interest: '120.00',
          fee: '0.00',
          total: '4080.27',
          balance: '8039.73',
        },
        {
          number: 2,
          dueDate: '2026-03-31',
          principal: '3999.87',
          interest: '80.40',
          fee: '0.00',
          total: '4080.27',
          balance: '4039.86',
        },
        {
          number: 3,
          dueDate: '2026-04-30',
          principal: '4039.86',
          interest: '40.40',
          fee: '0.00',
          total: '4080.26',
          balance: '0.00',
        },
      ],
      totals: { principal: '12000.00', interest: '240.80', fee: '0.00', total: '12240.80' },
      apr: expect.objectContaining({ simple: expect.stringMatching(/^0\.1200\d{6}$/) }),
      disbursed: '12000.00',
    });
  });

  it('needs no Idempotency-Key: it changes nothing', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/quotes', {
      body: { ...base, startDate: '2026-03-01' },
    });
    expect(result.status).toBe(200);
    const keys = await database.tables.selectFrom('idempotency_keys').select('key').execute();
    expect(keys).toEqual([]);
  });

  it('reports every semantic problem with its code and path, as one validation problem', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/quotes', {
      body: {
        principal: '-5.00',
        method: 'bullet_train',
        annualRate: '0.1.2',
        termCount: 0,
        startDate: '2026-02-30',
      },
    });
    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const problem = result.json as { code: string; errors: { path: string; code: string; in: string }[] };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => [e.path, e.code])).toEqual(
      expect.arrayContaining([
        ['method', 'value_not_allowed'],
        ['annualRate', 'decimal_invalid'],
        ['startDate', 'date_invalid'],
      ]),
    );
    expect(problem.errors.every((e) => e.in === 'body')).toBe(true);
  });

  it('refuses a first due date before the start date', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/quotes', {
      body: { ...base, startDate: '2026-03-10', firstDueDate: '2026-03-01' },
    });
    expect(result.status).toBe(400);
    expect((result.json as { errors: unknown[] }).errors).toEqual([
      { in: 'body', path: 'firstDueDate', code: 'first_due_date_before_start', message: expect.any(String) },
    ]);
  });

  it('refuses a per-period fee rate on a method without regular periods', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/quotes', {
      body: {
        principal: '1000.00',
        method: 'bullet',
        annualRate: '0.1',
        periodFeeRate: '0.01',
        termCount: 1,
        startDate: '2026-03-01',
      },
    });
    expect(result.status).toBe(400);
    expect((result.json as { errors: { code: string }[] }).errors.map((e) => e.code)).toContain(
      'fee_rate_not_supported_by_method',
    );
  });

  it('rejects a wrong shape before the engine sees it', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/quotes', {
      body: { ...base, termCount: '12' },
    });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({
      code: 'validation_failed',
      errors: [{ in: 'body', path: 'termCount', message: 'Invalid input: expected number, received string' }],
    });
  });
});

describe('POST /api/v1/apr', () => {
  it('computes an XIRR for dated cash flows', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/apr', {
      body: {
        cashflows: [
          { date: '2026-01-01', amount: '1000.00' },
          { date: '2027-01-01', amount: '-1100.00' },
        ],
      },
    });
    expect(result.status).toBe(200);
    const apr = result.json as { irr: string };
    expect(apr.irr).toBe('0.1000000000');
  });

  it('refuses the reported CPU-exhaustion request (2,400 daily payments of 999999999999.99) at the edge', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/apr', {
      body: { frequency: 'days:1', received: '100.00', payments: Array(2400).fill('999999999999.99') },
    });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({
      code: 'validation_failed',
      errors: [
        { in: 'body', path: 'payments', message: `Too big: expected array to have <=${paymentsMax} items` },
      ],
    });
  });

  it('answers the largest request it accepts: 600 daily payments of the largest amount', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/apr', {
      body: {
        frequency: 'days:1',
        received: '100.00',
        payments: Array(paymentsMax).fill(String(aprAmountMax)),
      },
    });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ periodic: expect.stringMatching(/^\d+\.\d{10}$/) });
  });

  it('refuses cash flows with nothing paid back', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/apr', {
      body: { received: '100.00', payments: ['0.00'] },
    });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ code: 'validation_failed' });
  });
});

describe('fenqi quote', () => {
  function run(input: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [fenqi, 'quote'], { env: { ...process.env, ...env } });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.on('close', (code) => resolve({ code, stdout }));
      child.stdin.end(input);
    });
  }

  it('prints a problem+json document and exits 2 on invalid input', async () => {
    const result = await run(JSON.stringify({ ...base, termCount: 0 }), { DATABASE_URL: database.url });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      type: 'https://fenqi.dev/problems/validation_failed',
      status: 400,
      errors: [{ path: 'termCount', code: 'term_count_zero' }],
    });
  });

  it('exits 2 with malformed_json on input that is not JSON', async () => {
    const result = await run('{"principal": ', { DATABASE_URL: database.url });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ code: 'malformed_json' });
  });

  it('without a database needs startDate', async () => {
    const result = await run(JSON.stringify(base), { DATABASE_URL: '' });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      errors: [{ path: 'startDate', code: 'field_required' }],
    });
  });

  it('uses the database business date when startDate is absent', async () => {
    const result = await run(JSON.stringify(base), { DATABASE_URL: database.url });
    expect(result.code).toBe(0);
    expect(
      (JSON.parse(result.stdout) as { installments: { dueDate: string }[] }).installments[0]?.dueDate,
    ).toBe('2026-02-28');
  });
});
