import { delinquencyBuckets } from '@fenqi/core';
import { z } from 'zod';
import { isoDate, minorUnits } from '../../platform/http/wire.ts';

// The management reports' requests and answers (docs/reports.md; the console's dashboard is
// written against them). Money is a string of minor units; a ratio is a decimal string with four
// places, computed exactly and rounded half up.

const bucket = z.enum(delinquencyBuckets);
const monthEndState = z.enum([...delinquencyBuckets, 'paid_off', 'written_off']);
const month = z.string().describe('A calendar month, YYYY-MM');
export const ratio = z
  .string()
  .describe('A ratio as a decimal string with four places ("0.0312"), exact and rounded half up');

const pageOf = (max: number, fallback: number, what: string) =>
  z.coerce.number().int().min(1).max(max).default(fallback).describe(what);

/** The reports without parameters refuse any (a typo is an error, not a silently ignored filter). */
export const noQuery = z.strictObject({});

// ---- portfolio ----

export const portfolioReport = z
  .object({
    businessDate: isoDate,
    closedThroughEarliest: isoDate
      .nullable()
      .describe('The oldest closed-through date among the open loans: the figures are as of it or later'),
    loans: z.number().int().describe('Open loans (servicing status active or overdue)'),
    outstandingPrincipalMinor: minorUnits,
    outstandingInterestMinor: minorUnits.describe(
      'Interest accrued through each loan’s closed-through date, less paid and waived (non-accrual loans included)',
    ),
    outstandingFeeMinor: minorUnits.describe('Period fees charged, less paid and waived'),
    outstandingPenaltyMinor: minorUnits,
    outstandingTotalMinor: minorUnits.describe('Principal + interest + fee + penalty'),
    byBucket: z.array(
      z.object({
        bucket: bucket.describe('M0 current, M1 1–30 days past due, … M7 over 180'),
        loans: z.number().int(),
        principalMinor: minorUnits,
        share: ratio.describe('Of the outstanding principal'),
      }),
    ),
    byStatus: z.array(
      z.object({
        status: z.enum(['active', 'overdue', 'paid_off', 'written_off']),
        loans: z.number().int(),
        principalMinor: minorUnits.describe('Outstanding; for written-off loans the principal written off'),
      }),
    ),
  })
  .meta({ id: 'PortfolioReport' });

// ---- disbursements ----

export const disbursementsQuery = z.strictObject({
  days: pageOf(366, 30, 'How many business dates up to today the daily series covers'),
});

const disbursed = z.object({
  loans: z.number().int(),
  amountMinor: minorUnits.describe('Principal disbursed'),
});

export const disbursementsReport = z
  .object({
    businessDate: isoDate,
    today: disbursed,
    month: disbursed.describe('The business date’s calendar month to date'),
    daily: z
      .array(disbursed.extend({ date: isoDate }))
      .describe('Every date of the last `days`, oldest first'),
    monthly: z.array(disbursed.extend({ month })).describe('The last 12 calendar months, oldest first'),
  })
  .meta({ id: 'DisbursementsReport' });

// ---- funnel ----

export const funnelQuery = z.strictObject({
  from: isoDate.optional().describe('First business date (default: 29 days before `to`, a 30-day range)'),
  to: isoDate.optional().describe('Last business date (default: today)'),
});

export const funnelStages = [
  'applications',
  'approved',
  'referred',
  'rejected',
  'orders',
  'accepted',
  'disbursed',
] as const;

export const funnelReport = z
  .object({
    from: isoDate,
    to: isoDate,
    stages: z.array(z.object({ stage: z.enum(funnelStages), count: z.number().int() })),
    inReview: z.number().int().describe('Applications of the range still in the review queue'),
    drawdownsDisbursed: z.number().int().describe('Of the disbursed, cash drawdowns (they have no order)'),
  })
  .meta({ id: 'FunnelReport' });

// ---- vintages ----

export const vintagesQuery = z.strictObject({
  months: pageOf(36, 12, 'Disbursal months, the current one included'),
});

export const vintagesReport = z
  .object({
    businessDate: isoDate,
    cohorts: z.array(
      z.object({
        month: month.describe('Disbursal month'),
        loans: z.number().int(),
        principalMinor: minorUnits.describe('Principal disbursed'),
        points: z.array(
          z.object({
            mob: z
              .number()
              .int()
              .describe('Month on book: the k-th calendar month after the disbursal month'),
            monthEnd: isoDate,
            m1PlusLoans: z.number().int(),
            m1PlusPrincipalMinor: minorUnits.describe(
              'Principal outstanding at the month end of the loans more than 30 days past due then (or written off by then)',
            ),
            m1PlusRate: ratio.describe('Over the cohort’s principal disbursed'),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'VintagesReport' });

// ---- roll rates ----

export const rollRatesQuery = z.strictObject({
  months: pageOf(24, 6, 'Calendar months that have ended, the latest last'),
});

export const rollRatesReport = z
  .object({
    businessDate: isoDate,
    months: z.array(
      z.object({
        month,
        fromTotals: z
          .array(z.object({ bucket, loans: z.number().int() }))
          .describe('Loans open at the end of the month before, by bucket (every bucket)'),
        matrix: z
          .array(
            z.object({
              from: bucket,
              to: monthEndState,
              loans: z.number().int(),
              rate: ratio.describe('Over the loans in `from` at the end of the month before'),
            }),
          )
          .describe('Only the pairs with loans'),
      }),
    ),
  })
  .meta({ id: 'RollRatesReport' });

// ---- collections ----

export const collectionsQuery = z.strictObject({
  date: isoDate.optional().describe('A business date up to today (default today)'),
});

const counted = z.object({ count: z.number().int(), amountMinor: minorUnits });

export const collectionsReport = z
  .object({
    date: isoDate,
    repayments: counted.describe('Money paid onto loans that day: the kinds of byKind'),
    byKind: z.array(
      counted.extend({ kind: z.enum(['repayment', 'auto_debit', 'offline', 'payoff', 'prepayment']) }),
    ),
    reversals: counted.describe('Repayments reversed that day (chargebacks, bounced collections)'),
    contacts: z.object({
      attempts: z.number().int().describe('Every attempt logged, refused ones included'),
      connected: z.number().int(),
      refused: z.number().int().describe('Stopped by a conduct rule before anything was sent'),
    }),
    promises: z.object({ made: z.number().int(), kept: z.number().int(), broken: z.number().int() }),
    casesOpen: z.number().int().describe('Open at the end of the date'),
    casesOpened: z.number().int(),
    casesClosed: z.number().int(),
  })
  .meta({ id: 'CollectionsReport' });

// ---- funders ----

export const fundersReport = z
  .object({
    businessDate: isoDate,
    funders: z.array(
      z.object({
        funderId: z.string(),
        code: z.string().nullable(),
        name: z.string(),
        loans: z.number().int().describe('Open loans the funder has a share of'),
        outstandingPrincipalMinor: minorUnits.describe(
          'The funder’s part of the open loans’ principal, split by their shares exactly',
        ),
        share: ratio.describe('Of the total outstanding principal'),
      }),
    ),
    totalOutstandingPrincipalMinor: minorUnits,
  })
  .meta({ id: 'FundersReport' });
