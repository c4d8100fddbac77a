import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationResult } from '../../src/modules/simulation/service.ts';
import { expectLedgerMatchesServicing } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, startTestServer } from '../support/server.ts';
import { type Finished, fenqiEnv, fenqiRun, simulate } from './support.ts';

// The acceptance on a small business: `fenqi simulate` on a fresh database runs three
// months of a lender through the real services and prints a summary whose checks hold — the trial
// balance is zero, `fenqi ledger verify` finds no drift, every loan's servicing balances equal its
// ledger balances (also checked here with the repayment tests' own oracle) — with loans in
// several states and buckets, payoffs or prepayments, overdue loans worked by collections, and
// the bureau's monthly files. A second run on the same database is refused, and `fenqi demo`
// reuses the data instead of simulating again.

let database: TestDatabase;
let run: Finished & { result: SimulationResult };

beforeAll(async () => {
  database = await createTestDatabase();
  run = await simulate(database.url, { months: 3, borrowers: 40, seed: 7 });
}, 600_000);

afterAll(async () => {
  await database?.drop();
});

describe('fenqi simulate --months 3 --borrowers 40 --seed 7', () => {
  it('exits 0 and prints a summary whose three checks hold', () => {
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const { summary } = run.result;
    expect(summary).toMatchObject({ seed: 7, months: 3, borrowers: 40, startDate: '2025-12-01' });
    expect(summary.businessDate).toBe('2026-03-01');
    expect(summary.days).toBe(90);
    expect(summary.trialBalance.balanced).toBe(true);
    expect(summary.trialBalance.differenceMinor).toBe('0');
    expect(summary.trialBalance.totalDebitMinor).toBe(summary.trialBalance.totalCreditMinor);
    expect(BigInt(summary.trialBalance.totalDebitMinor)).toBeGreaterThan(0n);
    expect(summary.ledgerVerify).toMatchObject({ ok: true, drift: [] });
    expect(summary.servicingLedger).toEqual({
      loans: summary.disbursed.loans,
      matches: true,
      differences: [],
    });
  });

  it('made a book with loans in several states and buckets, paid off early and overdue', () => {
    const { summary } = run.result;
    const { loans, byBucket, activity } = summary;
    expect(loans.total).toBeGreaterThan(10);
    expect(loans.byState.active?.loans).toBeGreaterThan(0);
    expect(loans.byState.paid_off?.loans).toBeGreaterThan(0);
    expect(loans.byState.overdue?.loans).toBeGreaterThan(0);
    expect(loans.byKind.merchant_order).toBeGreaterThan(0);
    expect(Object.keys(byBucket)).toEqual(['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7']);
    expect(byBucket.M0?.loans).toBeGreaterThan(0);
    expect(
      Object.entries(byBucket)
        .filter(([bucket]) => bucket !== 'M0')
        .reduce((sum, [, b]) => sum + b.loans, 0),
    ).toBeGreaterThan(0);
    // Outstanding is the open accounts: disbursed, not paid off or written off.
    expect(summary.outstanding.loans).toBe(
      (loans.byState.active?.loans ?? 0) + (loans.byState.overdue?.loans ?? 0),
    );
    expect(activity.payoffs + activity.prepayments).toBeGreaterThan(0);
    expect(activity.applications.approved).toBeGreaterThan(0);
    expect(activity.applications.rejected + activity.applications.refused).toBeGreaterThan(0);
    expect(activity.cobRuns).toBe(90);
  });

  it('worked the overdue loans in collections and reported every month to the bureau', () => {
    const { activity } = run.result.summary;
    expect(activity.contacts.connected + activity.contacts.unanswered).toBeGreaterThan(0);
    expect(activity.reminders).toBeGreaterThan(0);
    // The files of December, January and February, on the mornings of the 1st.
    expect(activity.bureauSubmissions).toBe(3);
    expect(activity.bureauSubmittedRecords).toBeGreaterThan(0);
  });

  it('names a borrower to try the H5 as, who signs in with the demo code and finds open loans', async () => {
    const { tryBorrower } = run.result.summary;
    const phone = tryBorrower?.phone ?? '';
    expect(phone).toMatch(/^1[3-9]\d{9}$/);
    const server = await startTestServer(database, {
      accessControl: 'iam',
      env: { DEMO_SHOW_CODES: 'true' },
    });
    try {
      const sent = await http(server.baseUrl, 'POST', '/api/v1/borrower/otp', { body: { phone } });
      expect(sent.status, sent.text).toBe(202);
      const code = (sent.json as { demoCode: string }).demoCode;
      const login = await http(server.baseUrl, 'POST', '/api/v1/borrower/login', {
        body: { phone, code },
      });
      expect(login.status, login.text).toBe(200);
      const { accessToken } = login.json as { accessToken: string };
      const bill = await http(server.baseUrl, 'GET', '/api/v1/borrower/bill', {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(bill.status, bill.text).toBe(200);
      expect((bill.json as { loans: unknown[] }).loans.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('printed the staff logins once, on stderr', () => {
    for (const username of [
      'admin',
      'security',
      'analyst',
      'approver',
      'operator',
      'finance',
      'collector1',
      'auditor',
    ])
      expect(run.stderr).toMatch(new RegExp(`\\n  ${username} +password \\S+ +TOTP secret [A-Z2-7]+`));
  });

  it('agrees with the repayment tests’ oracle loan by loan', async () => {
    const accounts = await database.tables
      .selectFrom('servicing_accounts')
      .select(['loan_id', 'status'])
      .where('non_accrual_since', 'is', null)
      .where('status', '<>', 'written_off')
      .execute();
    expect(accounts.length).toBeGreaterThan(10);
    for (const account of accounts) await expectLedgerMatchesServicing(database.db, account.loan_id);
  });

  it('stored the run as completed with the summary it printed', async () => {
    const row = await database.tables.selectFrom('simulation_runs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', months: 3, borrowers: 40, start_date: '2025-12-01' });
    expect(Number(row.seed)).toBe(7);
    expect((row.summary as unknown as SimulationResult).summary).toEqual(run.result.summary);
  });

  it('fenqi ledger verify finds no drift', async () => {
    const verified = await fenqiRun(database.url, ['ledger', 'verify']);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toContain('every balance equals its lines');
  });

  it('refuses a second simulation on the same database, writing nothing', async () => {
    const loans = await database.tables
      .selectFrom('loans')
      .select(({ fn }) => fn.countAll().as('n'))
      .executeTakeFirst();
    const again = await fenqiRun(database.url, [
      'simulate',
      '--months',
      '1',
      '--borrowers',
      '5',
      '--seed',
      '8',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'this database already holds the simulation (seed 7, 3 months, 40 borrowers)',
    );
    const after = await database.tables
      .selectFrom('loans')
      .select(({ fn }) => fn.countAll().as('n'))
      .executeTakeFirst();
    expect(after).toEqual(loans);
  });

  it('fenqi demo reuses the simulated business instead of simulating again', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [new URL('../../bin/fenqi.js', import.meta.url).pathname, 'demo'],
      {
        env: fenqiEnv(database.url, { PORT: '0' }),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr?.on('data', () => {
          const match = /is running at (http:\/\/\S+)/.exec(output);
          if (match?.[1] && output.includes('Reusing the simulated business')) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
      });
      expect(output).toContain(
        'Reusing the simulated business already in the database (seed 7, 3 months from 2025-12-01',
      );
      expect(output).not.toContain('Simulating');
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
