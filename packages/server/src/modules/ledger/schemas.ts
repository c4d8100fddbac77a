import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { bigintIdCodec, instant, isoDate, minorUnits } from '../../platform/http/wire.ts';

// Request and response schemas of the ledger's read API (the source of OpenAPI). Amounts travel as
// strings of minor units and ids as decimal strings (int64 does not fit a JSON number); the codecs
// of platform/http/wire.ts turn them into bigints and back, so handlers return service objects.

export const businessDate = isoDate.describe('A business date, YYYY-MM-DD');
const minor = minorUnits;
const currency = text()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY')
  .describe('ISO 4217 currency code');
const accountCode = text()
  .regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/, 'must be an account code')
  .describe('Account code, e.g. 1301');
const entryId = bigintIdCodec('must be a journal entry id (1 to 9223372036854775807)');
const dimension = text().min(1).max(64);
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

const accountFields = {
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
};

export const accountSchema = z
  .object({ ...accountFields, balance: balanceSchema })
  .meta({ id: 'LedgerAccount' });

export const accountListSchema = z
  .object({ asOf: businessDate.nullable(), accounts: z.array(accountSchema) })
  .meta({ id: 'LedgerAccountList' });

export const accountQuerySchema = z.strictObject({
  currency: currency.default('CNY'),
  asOf: businessDate.optional().describe('Balance at the end of this business date; now when absent'),
});

export const accountListQuerySchema = z.strictObject({
  asOf: businessDate.optional().describe('Balances at the end of this business date; now when absent'),
});

export const accountParamsSchema = z.strictObject({ code: accountCode });

export const statementQuerySchema = z.strictObject({
  currency: currency.default('CNY'),
  from: businessDate,
  to: businessDate,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: text().max(200).optional().describe('nextCursor of the previous page'),
});

export const statementSchema = z
  .object({
    account: z.object(accountFields).meta({ id: 'LedgerAccountHeader' }),
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

export const entryListQuerySchema = z.strictObject({
  from: businessDate.optional(),
  to: businessDate.optional(),
  account: accountCode.optional().describe('Only entries with a line on this account'),
  currency: currency.default('CNY').describe('Currency of `account`'),
  loanId: dimension.optional().describe('Only entries with a line booked against this loan'),
  eventType: text()
    .regex(/^[a-z][a-z0-9_]{0,39}$/)
    .optional(),
  after: entryId.optional().describe('nextAfter of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const entryListSchema = z
  .object({ entries: z.array(entrySchema), nextAfter: entryId.nullable() })
  .meta({ id: 'JournalEntryList' });

export const entryParamsSchema = z.strictObject({ id: entryId });

export const trialBalanceQuerySchema = z.strictObject({
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

export const loanParamsSchema = z.strictObject({ loanId: dimension });

export const loanBalanceQuerySchema = z.strictObject({ asOf: businessDate.optional() });

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
  .strictObject({
    description: text().min(1).max(500),
    businessDate: businessDate.optional(),
    lines: z
      .array(
        z.strictObject({
          account: accountCode,
          side,
          // lineAmountMinorMax (journal.ts): at most 15 digits. Zero still reaches posting, which
          // refuses it as journal_amount_not_positive.
          amountMinor: text().regex(/^\d{1,15}$/, 'must be 1 to 999999999999999 minor units'),
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
  .meta({ id: 'ManualJournal' });
