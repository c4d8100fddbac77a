import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { http, useTestServer } from '../support/server.ts';

// Every public worked example in fixtures/ (bank calculators, the PBOC announcement) reproduced to
// the cent through the API (POST /api/v1/quotes, /api/v1/apr) and through the CLI (fenqi quote/apr).

const root = new URL('../../../../', import.meta.url);
const fenqi = new URL('packages/server/bin/fenqi.js', root).pathname;

type ScheduleFixture = {
  name: string;
  request: Record<string, unknown>;
  expect: {
    payment?: string;
    installments?: Record<string, Partial<Record<'principal' | 'interest' | 'fee' | 'total', string>>>;
    totalInterest?: string;
    totalFee?: string;
  };
};
type AprFixture = {
  name: string;
  cashflows: Record<string, unknown>;
  expect: { simpleAnnualRate: string; irrAnnualRate: string; precision: string };
};

const read = <T>(file: string): T => JSON.parse(readFileSync(new URL(`fixtures/${file}`, root), 'utf8')) as T;
const schedules = read<ScheduleFixture[]>('schedules.json');
const aprs = read<AprFixture[]>('apr.json');

type Quote = {
  payment: string | null;
  installments: { number: number; principal: string; interest: string; fee: string; total: string }[];
  totals: { interest: string; fee: string };
};

function expectSchedule(fixture: ScheduleFixture, quote: Quote): void {
  if (fixture.expect.payment !== undefined) expect(quote.payment).toBe(fixture.expect.payment);
  for (const [number, parts] of Object.entries(fixture.expect.installments ?? {})) {
    const installment = quote.installments.find((i) => i.number === Number(number));
    expect(installment, `installment ${number}`).toMatchObject(parts);
  }
  if (fixture.expect.totalInterest !== undefined)
    expect(quote.totals.interest).toBe(fixture.expect.totalInterest);
  if (fixture.expect.totalFee !== undefined) expect(quote.totals.fee).toBe(fixture.expect.totalFee);
}

function expectApr(fixture: AprFixture, apr: { simple: string; irr: string }): void {
  const precision = Number(fixture.expect.precision);
  // The published figures are rounded to `precision`; ours must round to the same.
  const decimals = fixture.expect.precision.split('.')[1]?.length ?? 0;
  expect(Number(apr.simple).toFixed(decimals)).toBe(fixture.expect.simpleAnnualRate);
  expect(Number(apr.irr).toFixed(decimals)).toBe(fixture.expect.irrAnnualRate);
  expect(Math.abs(Number(apr.irr) - Number(fixture.expect.irrAnnualRate))).toBeLessThan(precision);
}

function cli(
  command: string,
  input: unknown,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fenqi, command], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(JSON.stringify(input));
  });
}

const { database, server } = useTestServer();

describe('fixtures/', () => {
  it('is an exact copy of the shared public fixtures', () => {
    const shared = new URL('../shared/fixtures/', root);
    if (!existsSync(shared)) return; // a clone away from the team's checkout has only the copy
    for (const file of ['schedules.json', 'apr.json']) {
      expect(readFileSync(new URL(`fixtures/${file}`, root), 'utf8')).toBe(
        readFileSync(new URL(file, shared), 'utf8'),
      );
    }
  });

  it('has cases to check', () => {
    expect(schedules.length).toBeGreaterThanOrEqual(5);
    expect(aprs.length).toBeGreaterThanOrEqual(1);
  });
});

describe.each(schedules)('schedule fixture: $name', (fixture) => {
  it('through POST /api/v1/quotes', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/quotes', { body: fixture.request });
    expect(result.status, result.text).toBe(200);
    expectSchedule(fixture, result.json as Quote);
  });

  it('through `fenqi quote`', async () => {
    const result = await cli('quote', fixture.request, { DATABASE_URL: database.url });
    expect(result.code, result.stdout).toBe(0);
    expectSchedule(fixture, JSON.parse(result.stdout) as Quote);
  });
});

describe.each(aprs)('APR fixture: $name', (fixture) => {
  it('through POST /api/v1/apr', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/apr', { body: fixture.cashflows });
    expect(result.status, result.text).toBe(200);
    expectApr(fixture, result.json as { simple: string; irr: string });
  });

  it('through `fenqi apr`', async () => {
    const result = await cli('apr', fixture.cashflows, {});
    expect(result.code, result.stdout).toBe(0);
    expectApr(fixture, JSON.parse(result.stdout) as { simple: string; irr: string });
  });
});
