import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { bigintId, instant, int8Max, minorUnits } from '../../platform/http/wire.ts';
import { transactionKinds } from './tables.ts';

// The disclosure boundary of the servicing read routes. Staff see a loan's whole servicing state
// and its journal lines; a borrower sees their own loans' schedule, payments and bill, without the
// accounting (posting basis, non-accrual, journal entries, source references).

const date = z.string().describe('A date, YYYY-MM-DD');
const accountStatus = z.enum(['active', 'overdue', 'paid_off', 'written_off']);
const installmentStatus = z
  .enum(['future', 'due', 'paid'])
  .describe('future: not yet due; due: the due date passed with something unpaid; paid: settled');

export const servicingLoanParams = z.strictObject({ loanId: z.uuid() });

export const transactionPageQuery = z.strictObject({
  before: z.uuid().optional().describe('The last transaction id of the previous page (`next`)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const lineNoMax = 32_767;
/** `entryId-lineNo` of the last line shown: plain digits, so a client can log and compare it. */
export const accrualPageQuery = z.strictObject({
  cursor: text()
    .refine((value) => {
      // Only digits reach BigInt: the position of a line is within int8 and int2.
      const match = /^([1-9]\d{0,18})-([1-9]\d{0,4})$/.exec(value);
      return match?.[1] !== undefined && BigInt(match[1]) <= int8Max && Number(match[2]) <= lineNoMax;
    }, 'must be the `next` of the previous page')
    .optional()
    .describe('The `next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function parseAccrualCursor(
  value: string | undefined,
): { entryId: bigint; lineNo: number } | undefined {
  if (value === undefined) return undefined;
  const [entry, line] = value.split('-');
  return { entryId: BigInt(entry ?? '0'), lineNo: Number(line) };
}

export const formatAccrualCursor = (position: { entryId: bigint; lineNo: number } | null) =>
  position === null ? null : `${position.entryId}-${position.lineNo}`;

const component = z.object({
  dueMinor: minorUnits.describe('Billed (for penalty: accrued so far)'),
  paidMinor: minorUnits,
  waivedMinor: minorUnits,
  outstandingMinor: minorUnits.describe('Due less paid and waived'),
});

const installment = z
  .object({
    number: z.number().int(),
    periodStart: date,
    dueDate: date,
    status: installmentStatus,
    settledOn: date.nullable(),
    principal: component,
    interest: component,
    fee: component,
    penalty: component,
    outstandingMinor: minorUnits.describe('The four outstanding amounts together'),
    interestAccruedMinor: minorUnits.describe(
      'Interest earned through the account’s closedThrough date (core accruedInterestTo): all of it once due or once the loan is paid off',
    ),
    interestReceivableMinor: minorUnits.describe(
      'Accrued less paid and waived; negative when interest was paid ahead of its accrual',
    ),
    feeCharged: z.boolean().describe('The period fee is booked as receivable on the due date'),
  })
  .meta({ id: 'LoanServicingInstallment' });

const totals = z
  .object({
    principalOutstandingMinor: minorUnits,
    interestReceivableMinor: minorUnits.describe('Interest accrued and not paid or waived'),
    feeReceivableMinor: minorUnits.describe('Period fees charged and not paid or waived'),
    penaltyOutstandingMinor: minorUnits,
    overdueMinor: minorUnits.describe(
      'Unpaid principal, interest and fee of installments past their due date',
    ),
    remainingMinor: minorUnits.describe(
      'Every installment’s unpaid principal, interest and fee, plus unpaid penalty: what the schedule still asks for',
    ),
  })
  .meta({ id: 'LoanServicingTotals' });

const accountFields = {
  loanId: z.uuid(),
  loanNo: z.string(),
  productCode: z.string(),
  method: z.string(),
  status: accountStatus,
  scheduleVersion: z.number().int(),
  openedOn: date,
  closedOn: date.nullable(),
  closedThrough: date.describe('The last business date close of business applied to the loan'),
  currentInstallment: z.number().int().nullable().describe('The installment whose period is running'),
  nextDueDate: date.nullable(),
  oldestUnpaidDue: date.nullable(),
  dpd: z.number().int().describe('Days past the oldest unpaid due date'),
  bucket: z.string().describe('M0 current, M1 1–30 days past due, … M7 over 180'),
  graceDays: z.number().int(),
  principalOutstandingMinor: minorUnits,
  creditBalanceMinor: minorUnits.describe('Overpayment held for the borrower (2241)'),
};

export const staffServicingView = z
  .object({
    businessDate: date.describe('The open business date'),
    account: z.object({
      ...accountFields,
      customerId: z.uuid(),
      lineId: z.uuid(),
      productVersionId: z.string(),
      postingBasis: z.enum(['accrual', 'cash']),
      nonAccrualSince: date.nullable().describe('From 90 days past due accrued income is held off balance'),
      writeOffDpd: z.number().int(),
    }),
    totals,
    installments: z.array(installment),
  })
  .meta({ id: 'LoanServicingDetail' });

export const borrowerServicingView = z
  .object({
    businessDate: date.describe('The open business date'),
    account: z.object(accountFields),
    totals,
    installments: z.array(installment),
  })
  .meta({ id: 'BorrowerLoanServicing' });

const transactionFields = {
  id: z.uuid(),
  kind: z.enum(transactionKinds),
  amountMinor: minorUnits,
  principalMinor: minorUnits,
  interestMinor: minorUnits,
  feeMinor: minorUnits,
  penaltyMinor: minorUnits,
  prepaymentFeeMinor: minorUnits,
  overpaymentMinor: minorUnits.describe('Kept as credit balance'),
  reverses: z.uuid().nullable().describe('The transaction this one reverses'),
  reversed: z.boolean(),
  businessDate: date,
  createdAt: instant,
};

const staffTransaction = z
  .object({
    ...transactionFields,
    sourceRef: z.string().describe('The payment order, the offline approval or the reversed transaction'),
    channel: z.string().nullable(),
    entryId: bigintId.nullable().describe('The journal entry that posted it'),
    reversedBy: z.uuid().nullable(),
    reason: z.string().nullable(),
    allocation: z.array(
      z.object({ number: z.number().int(), component: z.string(), amountMinor: minorUnits }),
    ),
  })
  .meta({ id: 'LoanTransaction' });

export const staffTransactionPage = z
  .object({
    transactions: z.array(staffTransaction),
    next: z.uuid().nullable().describe('Pass as `before` for the next page; null on the last'),
  })
  .meta({ id: 'LoanTransactionPage' });

export const borrowerTransactionPage = z
  .object({
    transactions: z.array(z.object(transactionFields).meta({ id: 'BorrowerLoanTransaction' })),
    next: z.uuid().nullable().describe('Pass as `before` for the next page; null on the last'),
  })
  .meta({ id: 'BorrowerLoanTransactionPage' });

export const accrualPage = z
  .object({
    lines: z.array(
      z.object({
        entryId: bigintId,
        lineNo: z.number().int(),
        businessDate: date.describe('The day it was booked on'),
        eventType: z.string().describe('accrual, penalty_accrual, fee_charge, non_accrual or write_off'),
        description: z.string(),
        code: z.string().describe('The ledger account'),
        side: z.enum(['debit', 'credit']),
        amountMinor: minorUnits,
        funderId: z.string().nullable(),
        postedAt: instant,
      }),
    ),
    next: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'LoanAccrualPage' });

export const delinquencyHistoryView = z
  .object({
    changes: z.array(
      z.object({
        id: bigintId,
        businessDate: date,
        dpd: z.number().int(),
        bucketFrom: z.string(),
        bucketTo: z.string(),
        cause: z.enum(['close_of_business', 'repayment', 'reversal', 'waiver']),
        at: instant,
      }),
    ),
  })
  .meta({ id: 'LoanDelinquencyHistory' });

const payoff = z
  .object({
    quoteDate: date.describe('The business date the quote is valid on; a payoff request names it'),
    principalMinor: minorUnits,
    interestMinor: minorUnits.describe(
      'Due installments’ unpaid interest and the current period’s accrued to today',
    ),
    feeMinor: minorUnits,
    penaltyMinor: minorUnits,
    prepaymentFeeMinor: minorUnits,
    prepaidPrincipalMinor: minorUnits.describe('Principal not yet due: the base of the prepayment fee'),
    totalMinor: minorUnits,
  })
  .meta({
    id: 'BillPayoffAmount',
    description: 'Early payoff (提前结清) today: valid for the business date only',
  });

const billInstallment = z.object({
  number: z.number().int(),
  dueDate: date,
  status: installmentStatus,
  dueMinor: minorUnits.describe('Principal, interest and fee the installment bills'),
  paidMinor: minorUnits,
  waivedMinor: minorUnits,
  outstandingMinor: minorUnits,
});

export const billView = z
  .object({
    businessDate: date.describe('The open business date: the bill is as of it'),
    loans: z.array(
      z
        .object({
          loanId: z.uuid(),
          loanNo: z.string(),
          productCode: z.string(),
          status: accountStatus,
          dpd: z.number().int(),
          thisMonth: billInstallment
            .nullable()
            .describe('The installment due in the business date’s month, else the current one'),
          overdueMinor: minorUnits.describe('Unpaid principal, interest and fee past their due dates'),
          overduePenaltyMinor: minorUnits.describe('Penalty interest accrued and unpaid'),
          totalOutstandingMinor: minorUnits.describe(
            'Everything the schedule still asks for, with unpaid penalty (not the payoff amount)',
          ),
          creditBalanceMinor: minorUnits,
          nextDueDate: date.nullable(),
          payoffToday: payoff,
        })
        .meta({ id: 'BillLoan' }),
    ),
    totals: z.object({
      thisMonthDueMinor: minorUnits,
      thisMonthOutstandingMinor: minorUnits,
      overdueMinor: minorUnits,
      overduePenaltyMinor: minorUnits,
      totalOutstandingMinor: minorUnits,
      payoffTodayMinor: minorUnits,
      nextDueDate: date.nullable(),
    }),
  })
  .meta({ id: 'BorrowerBill' });

const productRow = {
  loans: z.number().int(),
  principalOutstandingMinor: minorUnits,
  overdueLoans: z.number().int().describe('Loans past their grace days (status overdue)'),
  overduePrincipalMinor: minorUnits,
  overdueRatio: z.string().describe('Overdue principal over principal outstanding, six decimal places'),
};

export const portfolioView = z
  .object({
    businessDate: date.describe('The open business date'),
    closedThroughEarliest: date
      .nullable()
      .describe('The earliest date an open account is closed through: the figures are as of it or later'),
    byBucket: z.array(
      z.object({
        bucket: z.string(),
        loans: z.number().int(),
        principalOutstandingMinor: minorUnits,
        interestReceivableMinor: minorUnits,
        offBalanceInterestMinor: minorUnits.describe('The part on non-accrual loans, held off balance'),
      }),
    ),
    byProduct: z.array(z.object({ productCode: z.string(), ...productRow })),
    totals: z.object({ ...productRow, interestReceivableMinor: minorUnits }),
  })
  .meta({ id: 'PortfolioSummary' });
