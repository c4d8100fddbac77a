import { text } from 'node:stream/consumers';
import type { z } from 'zod';
import { aprRequest, quoteRequest } from '../modules/quotes/schemas.ts';
import { annualizedRates, quote } from '../modules/quotes/service.ts';
import { getBusinessDate, isIsoDate } from '../platform/business-date.ts';
import { loadConfig } from '../platform/config.ts';
import { createDb, createPool } from '../platform/db.ts';
import { AppError, problemOf } from '../platform/errors.ts';
import { fieldErrors } from '../platform/http/problem.ts';
import type { Command } from './command.ts';

// `fenqi quote` and `fenqi apr`: the same contract as POST /api/v1/quotes and /api/v1/apr, for
// scripts. One JSON document on stdin, one on stdout; exit 0, or 2 with a problem+json document.

const exitInvalid = 2;

async function readJson(): Promise<unknown> {
  const input = await text(process.stdin);
  try {
    return JSON.parse(input);
  } catch {
    throw new AppError('malformed_json', 'The input on stdin is not valid JSON.');
  }
}

function parseShape<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error.issues, 'body');
  throw new AppError(
    'validation_failed',
    `The input is not valid: ${errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

/** Today for a quote without startDate: the database's business date, never the wall clock. */
async function businessDateFor(startDate: string | null | undefined): Promise<string> {
  const databaseUrl = loadConfig().databaseUrl;
  if (databaseUrl !== undefined) {
    const db = createDb(
      createPool({ connectionString: databaseUrl, max: 1, applicationName: 'fenqi-quote' }),
    );
    try {
      return await getBusinessDate(db);
    } finally {
      await db.destroy();
    }
  }
  if (startDate && isIsoDate(startDate)) return startDate;
  throw new AppError(
    'validation_failed',
    'startDate is required when no database is configured (DATABASE_URL).',
    {
      errors: [
        {
          in: 'body',
          path: 'startDate',
          message: 'required when DATABASE_URL is not set',
          code: 'field_required',
        },
      ],
    },
  );
}

async function run(compute: (input: unknown) => Promise<unknown>): Promise<number> {
  try {
    const result = await compute(await readJson());
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    process.stdout.write(`${JSON.stringify(problemOf(error))}\n`);
    return exitInvalid;
  }
}

export const quoteCommand: Command = {
  name: 'quote',
  summary: 'Quote a loan schedule (JSON on stdin)',
  usage: 'fenqi quote < request.json',
  description:
    'Reads one quote request (the body of POST /api/v1/quotes) on stdin and prints the quote: installments, totals,\n' +
    'annualized rates and the amount disbursed. Invalid input prints a problem+json document and exits 2.\n' +
    'Without startDate the loan starts on the business date of DATABASE_URL; with no database, startDate is required.',
  options: {},
  run: () =>
    run(async (input) => {
      const request = parseShape(quoteRequest, input);
      return quote(request, await businessDateFor(request.startDate));
    }),
};

export const aprCommand: Command = {
  name: 'apr',
  summary: 'Annualized rates of a cash flow (JSON on stdin)',
  usage: 'fenqi apr < cashflows.json',
  description:
    'Reads {frequency, received, payments[]} or {cashflows: [{date, amount}]} on stdin and prints {periodic, simple, irr}\n' +
    '(PBOC announcement 2021 No. 3). Invalid input prints a problem+json document and exits 2.',
  options: {},
  run: () => run(async (input) => annualizedRates(parseShape(aprRequest, input))),
};
