import { z } from 'zod';
import { isIsoDate } from '../../platform/business-date.ts';

// Request and response schemas of the ledger's read API (the source of OpenAPI). Amounts are
// strings of minor units (int64 does not fit a JSON number); instants are ISO 8601 UTC.

export const businessDate = z
  .string()
  .refine(isIsoDate, 'must be a date YYYY-MM-DD')
  .describe('A business date, YYYY-MM-DD');
const minor = z
  .string()
  .regex(/^-?\d+$/)
  .describe('An amount in minor units (fen for CNY), as a decimal string');
const instant = z.iso.datetime().describe('An instant, ISO 8601 in UTC');
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY')
  .describe('ISO 4217 currency code');
const accountCode = z
  .string()
  .regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/, 'must be an account code')
  .describe('Account code, e.g. 1301');
// Entry ids are positive int8: a longer or larger number names no entry and would overflow the
// query's parameter (a 500 before), so it is a 400 at the edge.
const entryIdMax = 9_223_372_036_854_775_807n;
const entryIdMessage = `must be a journal entry id (1 to ${entryIdMax})`;
const entryId = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, entryIdMessage)
  .refine((value) => !/^\d+$/.test(value) || BigInt(value) <= entryIdMax, entryIdMessage);
const dimension = z.string().min(1).max(64);
const side = z.enum(['debit', 'credit']);

export const balanceSchema = z
  .object({
    debitMinor: minor.describe('Total debits'),
    creditMinor: minor.describe('Total credits'),
    balanceMinor: minor.describe(
      "The balance on the account's normal side (debits less credits for a debit-normal account)",
    ),
  })
  .meta({ id: 'LedgerBalance' });

export const accountSchema = z
  .object({
    code: accountCode,
    currency,
    nameZh: z.string(),
    nameEn: z.string(),
    type: z.enum(['asset', 'liability', 'equity', 'income', 'expense']),
    normalSide: side,
    parentCode: accountCode.nullable(),
    isGroup: z
      .boolean()
      .describe('Has child accounts: its balance is theirs, and it takes no lines of its own'),
    status: z.enum(['open', 'closed']),
    createdAt: instant,
    closedAt: instant.nullable(),
    balance: balanceSchema,
  })
  .meta({ id: 'LedgerAccount' });

export const accountListSchema = z
  .object({ asOf: businessDate.nullable(), accounts: z.array(accountSchema) })
  .meta({ id: 'LedgerAccountList' });

export const accountQuerySchema = z.object({
  currency: currency.default('CNY'),
  asOf: businessDate.optional().describe('Balance at the end of this business date; now when absent'),
});

export const accountListQuerySchema = z.object({
  asOf: businessDate.optional().describe('Balances at the end of this business date; now when absent'),
});

export const accountParamsSchema = z.object({ code: accountCode });

export const statementQuerySchema = z.object({
  currency: currency.default('CNY'),
  from: businessDate,
  to: businessDate,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

export const statementSchema = z
  .object({
    account: accountSchema.omit({ balance: true }),
    from: businessDate,
    to: businessDate,
    openingBalanceMinor: minor.describe('Balance at the end of the day before `from`'),
    closingBalanceMinor: minor.describe('Balance at the end of `to`'),
    lines: z.array(
      z.object({
        entryId,
        lineNo: z.number().int(),
        businessDate,
        postedAt: instant,
        eventType: z.string(),
        sourceRef: z.string().nullable(),
        description: z.string(),
        side,
        amountMinor: minor,
        loanId: z.string().nullable(),
        customerId: z.string().nullable(),
        balanceMinor: minor.describe('Running balance after this line, on the normal side'),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'LedgerStatement' });

export const entrySchema = z
  .object({
    id: entryId,
    businessDate,
    postedAt: instant,
    eventType: z.string(),
    sourceRef: z.string().nullable(),
    idempotencyKey: z.string(),
    description: z.string(),
    currency,
    reversalOf: entryId.nullable().describe('The entry this one reverses'),
    reversedBy: entryId.nullable().describe('The entry that reversed this one'),
    lines: z.array(
      z.object({
        lineNo: z.number().int(),
        account: accountCode,
        side,
        amountMinor: minor,
        currency,
        loanId: z.string().nullable(),
        customerId: z.string().nullable(),
        productId: z.string().nullable(),
        merchantId: z.string().nullable(),
        funderId: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'JournalEntry' });

export const entryListQuerySchema = z.object({
  from: businessDate.optional(),
  to: businessDate.optional(),
  account: accountCode.optional().describe('Only entries with a line on this account'),
  currency: currency.default('CNY').describe('Currency of `account`'),
  loanId: dimension.optional().describe('Only entries with a line booked against this loan'),
  eventType: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/)
    .optional(),
  after: entryId.optional().describe('nextAfter of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const entryListSchema = z
  .object({ entries: z.array(entrySchema), nextAfter: entryId.nullable() })
  .meta({ id: 'JournalEntryList' });

export const entryParamsSchema = z.object({ id: entryId });

export const trialBalanceQuerySchema = z.object({
  date: businessDate.optional().describe('End of this business date; the current business date when absent'),
});

export const trialBalanceSchema = z
  .object({
    businessDate,
    currencies: z.array(
      z.object({
        currency,
        accounts: z.array(
          z.object({
            code: accountCode,
            nameZh: z.string(),
            nameEn: z.string(),
            type: z.enum(['asset', 'liability', 'equity', 'income', 'expense']),
            debitMinor: minor,
            creditMinor: minor,
            debitBalanceMinor: minor,
            creditBalanceMinor: minor,
          }),
        ),
        totalDebitMinor: minor.describe('Sum of the debit balances'),
        totalCreditMinor: minor.describe('Sum of the credit balances'),
        differenceMinor: minor.describe('Always 0: debits equal credits'),
      }),
    ),
  })
  .meta({ id: 'TrialBalance' });

export const loanParamsSchema = z.object({ loanId: dimension });

export const loanBalanceQuerySchema = z.object({ asOf: businessDate.optional() });

export const loanBalanceSchema = z
  .object({
    loanId: z.string(),
    asOf: businessDate.nullable(),
    accounts: z.array(
      z.object({
        code: accountCode,
        currency,
        nameZh: z.string(),
        nameEn: z.string(),
        normalSide: side,
        balance: balanceSchema,
      }),
    ),
  })
  .meta({ id: 'LoanLedgerBalance' });

/**
 * A manual journal entry as a maker asks for it (the payload of the approval action that ends in
 * postManualJournal). Amounts are minor-unit strings.
 */
export const manualJournalSchema = z
  .object({
    description: z.string().min(1).max(500),
    businessDate: businessDate.optional(),
    lines: z
      .array(
        z.object({
          account: accountCode,
          side,
          // lineAmountMinorMax (journal.ts): at most 15 digits. Zero still reaches posting, which
          // refuses it as journal_amount_not_positive.
          amountMinor: z.string().regex(/^\d{1,15}$/, 'must be 1 to 999999999999999 minor units'),
          currency,
          loanId: dimension.optional(),
          customerId: dimension.optional(),
          productId: dimension.optional(),
          merchantId: dimension.optional(),
          funderId: dimension.optional(),
        }),
      )
      .min(2)
      .max(200),
  })
  .strict()
  .meta({ id: 'ManualJournal' });
