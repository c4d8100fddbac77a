import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import type { AprRequest } from './apr-request.ts';
import { aprFromCashflows } from './apr-request.ts';
import { quoteLoan } from './quote-loan.ts';
import type { QuoteRequest } from './quote-request.ts';
import type { QuoteResponse } from './quote-response.ts';

// The public worked examples in fixtures/ (the repository's copy of ../shared/fixtures; the server
// tests check the copy is exact) must come out exactly.
// Every key of every `expect` block is checked; an unknown key fails the test rather than being
// skipped, so a new kind of expectation cannot pass silently.

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixturesDirectory = join(repositoryRoot, 'fixtures');

interface ScheduleFixture {
  readonly name: string;
  readonly request: QuoteRequest;
  readonly expect: Readonly<Record<string, unknown>>;
}

interface AprFixture {
  readonly name: string;
  readonly cashflows: AprRequest;
  readonly expect: {
    readonly simpleAnnualRate: string;
    readonly irrAnnualRate: string;
    readonly precision: string;
  };
}

const readFixtures = <T>(file: string): T[] =>
  JSON.parse(readFileSync(join(fixturesDirectory, file), 'utf8')) as T[];

// Fixture requests carry no start date: the API fills in the business date, so any date must do.
const context = { businessDate: localDate('2025-01-15') };

const totalsKeys: Readonly<Record<string, keyof QuoteResponse['totals']>> = {
  totalPrincipal: 'principal',
  totalInterest: 'interest',
  totalFee: 'fee',
  total: 'total',
};

function checkExpectation(quote: QuoteResponse, key: string, expected: unknown): void {
  const totalsKey = totalsKeys[key];
  if (totalsKey !== undefined) {
    expect(quote.totals[totalsKey], key).toBe(expected);
  } else if (key === 'payment' || key === 'disbursed') {
    expect(quote[key], key).toBe(expected);
  } else if (key === 'installments') {
    for (const [number, fields] of Object.entries(expected as Record<string, Record<string, string>>)) {
      const installment = quote.installments[Number(number) - 1];
      expect(installment, `installment ${number}`).toBeDefined();
      expect(installment?.number).toBe(Number(number));
      for (const [field, value] of Object.entries(fields)) {
        expect(
          (installment as unknown as Record<string, unknown>)[field],
          `installment ${number} ${field}`,
        ).toBe(value);
      }
    }
  } else if (key === 'apr') {
    expect(quote.apr).toMatchObject(expected as object);
  } else {
    throw new Error(`fixture expectation "${key}" is not understood by this test`);
  }
}

describe('public schedule fixtures', () => {
  const fixtures = readFixtures<ScheduleFixture>('schedules.json');

  it('are present', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  for (const fixture of fixtures) {
    it(fixture.name, () => {
      const result = quoteLoan(fixture.request, context);
      if (!result.ok) throw new Error(`issues: ${JSON.stringify(result.issues)}`);
      for (const [key, expected] of Object.entries(fixture.expect))
        checkExpectation(result.quote, key, expected);
    });
  }
});

describe('public APR fixtures', () => {
  for (const fixture of readFixtures<AprFixture>('apr.json')) {
    it(fixture.name, () => {
      const result = aprFromCashflows(fixture.cashflows);
      if (!result.ok) throw new Error(`issues: ${JSON.stringify(result.issues)}`);
      const precision = new Decimal(fixture.expect.precision);
      const places = precision.decimalPlaces();
      for (const [actual, expected] of [
        [result.apr.simple, fixture.expect.simpleAnnualRate],
        [result.apr.irr, fixture.expect.irrAnnualRate],
      ] as const) {
        expect(new Decimal(actual).toFixed(places, Decimal.ROUND_HALF_UP)).toBe(expected);
        expect(new Decimal(actual).minus(expected).abs().lessThanOrEqualTo(precision.div(2))).toBe(true);
      }
    });
  }
});
