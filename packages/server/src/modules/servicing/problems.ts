import { CNY, formatMinor } from '@fenqi/core';
import { AppError } from '../../platform/errors.ts';

// Servicing's expected failures, each a catalogued code (platform/errors.ts, "Servicing"). Figures
// travel in `extensions` as decimal strings of fen and in the detail as yuan.

const cny = (minor: bigint) => `${formatMinor(minor, CNY.minorDigits)} CNY`;

/** The largest amount a repayment carries (servicing_transactions and payment orders hold the same). */
export const repaymentAmountMinorMax = 999_999_999_999n;

export function amountInvalid(amountMinor: bigint | string, why: string, maxMinor?: bigint): AppError {
  return new AppError(
    'repayment_amount_invalid',
    `The amount ${String(amountMinor)} fen is not valid: ${why}.`,
    {
      errors: [{ in: 'body', path: 'amountMinor', message: why }],
      extensions: {
        amountMinor: String(amountMinor),
        ...(maxMinor === undefined ? {} : { maxMinor: String(maxMinor) }),
      },
    },
  );
}

/** Parses and bounds a request's amount: 1 to repaymentAmountMinorMax fen. */
export function checkedAmount(amount: bigint | string): bigint {
  const value =
    typeof amount === 'bigint' ? amount : /^-?\d{1,40}$/.test(amount) ? BigInt(amount) : undefined;
  if (value === undefined) throw amountInvalid(amount, 'must be a whole number of fen');
  if (value <= 0n) throw amountInvalid(value, 'must be above zero');
  if (value > repaymentAmountMinorMax)
    throw amountInvalid(value, `must be at most ${repaymentAmountMinorMax} fen`, repaymentAmountMinorMax);
  return value;
}

export function loanNotRepayable(loanId: string, state: string): AppError {
  return new AppError(
    'loan_not_repayable',
    `Loan ${loanId} is ${state.replace(/_/g, ' ')}: it takes no repayment.`,
    { extensions: { state } },
  );
}

export function sourceConflict(sourceRef: string): AppError {
  return new AppError(
    'repayment_source_conflict',
    `${sourceRef} was already recorded with another loan or amount; one payment is recorded once.`,
    { extensions: { sourceRef } },
  );
}

export function cardNotBound(): AppError {
  return new AppError(
    'repayment_card_not_bound',
    'There is no active card agreement to collect from: bind a card first (or name one of yours).',
    { errors: [{ in: 'body', path: 'agreementId', message: 'must be one of your active card agreements' }] },
  );
}

export function quoteStale(quoteDate: string, today: string): AppError {
  return new AppError(
    'payoff_quote_stale',
    `The quote is of ${quoteDate}; a payoff quote is valid on its business day only, and today is ${today}.`,
    { extensions: { quoteDate, businessDate: today } },
  );
}

export function payoffShort(amountMinor: bigint, quoteMinor: bigint): AppError {
  return new AppError(
    'payoff_amount_short',
    `${cny(amountMinor)} does not settle the loan: today's payoff is ${cny(quoteMinor)}.`,
    {
      errors: [{ in: 'body', path: 'amountMinor', message: `must be at least ${quoteMinor}` }],
      extensions: { amountMinor: String(amountMinor), payoffMinor: String(quoteMinor) },
    },
  );
}

export function prepaymentNotAllowed(
  why: string,
  extensions: Record<string, string | number> = {},
): AppError {
  return new AppError('prepayment_not_allowed', `The product does not allow this: ${why}.`, { extensions });
}

export function prepaymentWhileOverdue(oldestDue: string): AppError {
  return new AppError(
    'prepayment_while_overdue',
    `An installment due on ${oldestDue} is unpaid: pay what is due first (or pay the loan off).`,
    { extensions: { oldestUnpaidDue: oldestDue } },
  );
}

export function prepaymentInvalid(message: string, code?: string): AppError {
  return new AppError('prepayment_invalid', `The prepayment cannot be applied: ${message}.`, {
    errors: [{ in: 'body', path: 'principalMinor', message, ...(code === undefined ? {} : { code }) }],
  });
}

export function creditBalanceInsufficient(balanceMinor: bigint, askedMinor: bigint): AppError {
  return new AppError(
    'credit_balance_insufficient',
    `The loan's credit balance is ${cny(balanceMinor)}; ${cny(askedMinor)} was asked for.`,
    { extensions: { creditBalanceMinor: String(balanceMinor), amountMinor: String(askedMinor) } },
  );
}

export function alreadyReversed(transactionId: string, reversedBy: string): AppError {
  return new AppError('repayment_already_reversed', `Transaction ${transactionId} was already reversed.`, {
    extensions: { reversedBy },
  });
}

export function notReversible(transactionId: string, why: string): AppError {
  return new AppError('repayment_not_reversible', `Transaction ${transactionId} cannot be reversed: ${why}.`);
}

export function reversalOutOfOrder(transactionId: string, later: number): AppError {
  return new AppError(
    'repayment_reversal_out_of_order',
    `Transaction ${transactionId} has ${later} later transaction(s) on the loan; reverse them first, newest first.`,
    { extensions: { laterTransactions: later } },
  );
}
