import { type AprRequest, cashflowsMax, paymentsMax } from '@fenqi/core';
import { z } from 'zod';
import { text } from '../../platform/http/text.ts';

// Shapes only: strings where decimals and names go, integers for counts. Every semantic rule
// (decimal syntax, minor-unit precision, allowed names, ranges, combinations) is checked by
// @fenqi/core, which reports issues with stable codes (docs/loan-math.md).

const decimal = (description: string) => text().max(40).describe(description);
const optionalDecimal = (description: string) => decimal(description).nullish();

export const quoteRequest = z
  .strictObject({
    principal: decimal('Amount borrowed, a decimal string in major units, e.g. "40000.00"'),
    currency: text().max(3).nullish().describe('ISO 4217 code; default CNY'),
    method: text()
      .max(40)
      .describe('equal_installment | equal_principal | interest_first | flat_fee | bullet | daily'),
    annualRate: optionalDecimal('Nominal annual interest rate as a fraction, e.g. "0.053"'),
    periodFeeRate: optionalDecimal('Fee per period as a fraction of the original principal (flat_fee)'),
    termCount: z.number().int().describe('Number of installments'),
    frequency: text().max(20).nullish().describe('monthly (default) | biweekly | weekly | days:N'),
    startDate: text().max(10).nullish().describe('YYYY-MM-DD; default: the current business date'),
    firstDueDate: text().max(10).nullish().describe('YYYY-MM-DD; a broken first period when given'),
    dueDay: z.number().int().nullish().describe('Fixed day of month for due dates (31 = month end)'),
    interestPeriod: text().max(20).nullish().describe('per_period | daily'),
    dayCount: text().max(10).nullish().describe('ACT_360 (default) | ACT_365 | 30_360'),
    remainder: text().max(20).nullish().describe('last_principal (default) | last_interest'),
    rounding: text().max(10).nullish().describe('half_up (default) | half_even | down | up'),
    upfrontFee: optionalDecimal('Up-front fee in major units'),
    upfrontFeeMode: text().max(10).nullish().describe('deducted (default) | financed'),
    graceTerms: z.number().int().nullish().describe('Leading periods of interest only'),
    penaltyRate: optionalDecimal('Annual penalty rate on overdue amounts'),
  })
  .meta({ id: 'QuoteRequest' });

const money = z.string().describe('Decimal string in major units');
const rate = z.string().describe('Decimal fraction with 10 places');

export const aprFigures = z
  .object({
    periodic: rate.describe('IRR per period'),
    simple: rate.describe('Periodic IRR × periods per year (单利)'),
    irr: rate.describe('Compound annual rate (1 + periodic)^k − 1 (PBOC 2021 No. 3)'),
  })
  .meta({ id: 'AnnualizedRates' });

export const quoteResponse = z
  .object({
    payment: money.nullable().describe('The regular installment, or null when installments vary'),
    installments: z.array(
      z.object({
        number: z.number().int(),
        dueDate: z.string(),
        principal: money,
        interest: money,
        fee: money,
        total: money,
        balance: money.describe('Outstanding principal after this installment'),
      }),
    ),
    totals: z.object({ principal: money, interest: money, fee: money, total: money }),
    apr: aprFigures,
    disbursed: money.describe('Amount paid out: principal less a deducted up-front fee'),
  })
  .meta({ id: 'Quote' });

/**
 * Regular periods (`received` and `payments`) or dated flows (`cashflows`): one object, so that a
 * wrong request is answered field by field (a union would only say "invalid input").
 */
export const aprRequest = z
  .strictObject({
    frequency: text().max(20).nullish().describe('monthly (default) | biweekly | weekly | days:N'),
    received: decimal('What the borrower received (regular periods, with payments)').optional(),
    payments: z
      .array(decimal('A payment'))
      .min(1)
      .max(paymentsMax)
      .optional()
      .describe('The payment at the end of each period (regular periods, with received)'),
    cashflows: z
      .array(z.strictObject({ date: text().max(10), amount: decimal('Positive received, negative paid') }))
      .min(2)
      .max(cashflowsMax)
      .optional()
      .describe('Dated flows for irregular dates, instead of received and payments (an XIRR)'),
  })
  .superRefine((body, context) => {
    if (body.cashflows !== undefined) {
      for (const field of ['received', 'payments'] as const) {
        if (body[field] !== undefined)
          context.addIssue({
            code: 'custom',
            path: [field],
            message: 'give either cashflows, or received and payments',
          });
      }
      return;
    }
    for (const field of ['received', 'payments'] as const) {
      if (body[field] === undefined)
        context.addIssue({ code: 'custom', path: [field], message: 'required, unless cashflows are given' });
    }
  })
  .transform(
    (body): AprRequest =>
      body.cashflows !== undefined
        ? { frequency: body.frequency, cashflows: body.cashflows }
        : { frequency: body.frequency, received: body.received ?? '', payments: body.payments ?? [] },
  )
  .meta({ id: 'AprRequest' });
