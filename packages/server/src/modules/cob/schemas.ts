import { z } from 'zod';
import { instant, isoDate, minorUnits } from '../../platform/http/wire.ts';
import { runsPageMax } from './runs.ts';

// The disclosure boundary of the close-of-business routes: a run, its progress and its summary.

const businessDate = isoDate.describe('A business date, YYYY-MM-DD');

export const startRunBody = z.strictObject({
  date: businessDate.describe('The open business date: any other date is refused (409 cob_date_not_open)'),
});

export const runParams = z.strictObject({ date: businessDate });

export const runListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(runsPageMax).default(20),
  before: businessDate.optional().describe('Only runs for dates before this one (the next page)'),
});

export const summaryView = z
  .object({
    date: z.string(),
    nextBusinessDate: z.string(),
    partitions: z.number().int(),
    loans: z.number().int().describe('Loans closed (a loan a day behind counts once per day it caught up)'),
    accruedInterestMinor: minorUnits.describe('Interest accrued for the day, on and off balance'),
    accruedPenaltyMinor: minorUnits.describe('Penalty interest accrued for the day, on and off balance'),
    feesChargedMinor: minorUnits.describe('Period fees charged on installments that fell due'),
    installmentsDue: z.number().int(),
    collectOrders: z
      .number()
      .int()
      .describe('Installments announced for auto-debit (servicing.installment-due)'),
    delinquent: z.number().int().describe('Loans with something unpaid past a due date'),
    newlyOverdue: z.number().int().describe('Loans that went overdue (past their grace days) today'),
    nonAccrual: z.number().int().describe('Loans moved to non-accrual (90 DPD) today'),
    writtenOff: z.number().int(),
    writtenOffPrincipalMinor: minorUnits,
    creditLinesExpired: z.number().int(),
    startedAt: instant,
    finishedAt: instant,
    durationMs: z.number().int(),
  })
  .meta({ id: 'CobSummary' });

export const runView = z
  .object({
    businessDate: z.string(),
    status: z.enum(['running', 'done']),
    partitions: z.number().int(),
    loans: z.number().int().describe('Open loans planned into the partitions'),
    startedBy: z.string(),
    startedAt: instant,
    finishedAt: instant.nullable(),
    summary: summaryView.nullable(),
  })
  .meta({ id: 'CobRun' });

export const progressView = z
  .object({
    businessDate: z.string(),
    status: z.enum(['running', 'done']),
    partitions: z.object({ done: z.number().int(), total: z.number().int() }),
    loans: z.object({ done: z.number().int(), total: z.number().int() }),
    startedAt: instant,
    finishedAt: instant.nullable(),
    elapsedMs: z.number().int(),
    loansPerSecond: z.number().int().nullable(),
    etaSeconds: z.number().int().nullable(),
    summary: summaryView.nullable(),
  })
  .meta({ id: 'CobProgress' });

export const runPage = z
  .object({ runs: z.array(runView), next: z.string().nullable().describe('`before` for the next page') })
  .meta({ id: 'CobRunPage' });
