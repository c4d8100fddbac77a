import { createHash } from 'node:crypto';
import { isIsoDate } from '../../platform/business-date.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import type { Side } from './tables.ts';

// A journal entry as callers hand it to postJournal, and the checks that need no database: line
// count, positive amounts, one currency, debits = credits, field shapes. Checks that need the
// database (accounts, business date, idempotency, reversals) run inside the posting statement.

/** Ids of other contexts that a line is booked against; all optional, held as plain ids. */
export type LineDimensions = {
  loanId?: string | undefined;
  customerId?: string | undefined;
  productId?: string | undefined;
  merchantId?: string | undefined;
  funderId?: string | undefined;
};

export type JournalLineInput = LineDimensions & {
  /** Account code from the chart, e.g. `1301`; the account is the one in the line's currency. */
  account: string;
  side: Side;
  amountMinor: bigint;
  /** ISO 4217 code, e.g. `CNY`. Every line of an entry has the same currency. */
  currency: string;
};

export type JournalEntryInput = {
  /** Unique per business effect: a repeat post with the same key returns the first entry. */
  idempotencyKey: string;
  /** What happened, snake_case: `disbursement`, `repayment`, `manual`, … */
  eventType: string;
  /** Defaults to the current business date; when given it must be the current business date. */
  businessDate?: DateString | undefined;
  /** The business object that caused the entry, e.g. `loan:42/repayment:7`. */
  sourceRef?: string | undefined;
  description?: string | undefined;
  lines: readonly JournalLineInput[];
};

/** What postJournal returns: the entry as stored (the first one, on a replayed idempotency key). */
export type PostedEntry = {
  id: bigint;
  businessDate: DateString;
  postedAt: Date;
  idempotencyKey: string;
  eventType: string;
  currency: string;
  reversalOf: bigint | null;
  /** True when the idempotency key had been posted before and nothing was written now. */
  replayed: boolean;
};

/** An entry after the checks, ready for the posting statement. */
export type PreparedEntry = {
  idempotencyKey: string;
  fingerprint: string;
  eventType: string;
  businessDate: DateString | null;
  sourceRef: string | null;
  description: string;
  currency: string;
  reversalOf: bigint | null;
  lines: readonly JournalLineInput[];
};

export const entryLinesMax = 200;
/**
 * The largest amount one line carries: 10^15 − 1 minor units, just under 10 trillion yuan — more
 * than any single movement a lender books, below 2^53 (a client parsing the string into a double
 * stays exact), and with entryLinesMax lines an entry's debits stay far inside int8. The database
 * holds the same bound (ledger_lines_amount_minor_range, 0006_ledger_guards.sql); totals over many
 * lines are numeric there, so no sum can overflow.
 */
export const lineAmountMinorMax = 999_999_999_999_999n;
export const idempotencyKeyCharsMax = 200;
export const sourceRefCharsMax = 200;
export const descriptionCharsMax = 500;
export const dimensionCharsMax = 64;

const eventTypePattern = /^[a-z][a-z0-9_]{0,39}$/;
const currencyPattern = /^[A-Z]{3}$/;
const accountCodePattern = /^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/;
const dimensionKeys = ['loanId', 'customerId', 'productId', 'merchantId', 'funderId'] as const;

function shapeErrors(entry: JournalEntryInput): FieldError[] {
  const errors: FieldError[] = [];
  const key = entry.idempotencyKey;
  if (typeof key !== 'string' || key.length < 1 || key.length > idempotencyKeyCharsMax) {
    errors.push({ path: 'idempotencyKey', message: `must be 1 to ${idempotencyKeyCharsMax} characters` });
  }
  if (typeof entry.eventType !== 'string' || !eventTypePattern.test(entry.eventType)) {
    errors.push({ path: 'eventType', message: 'must be snake_case, at most 40 characters' });
  }
  if (entry.businessDate !== undefined && !isIsoDate(entry.businessDate)) {
    errors.push({ path: 'businessDate', message: 'must be a date YYYY-MM-DD' });
  }
  if (
    entry.sourceRef !== undefined &&
    (entry.sourceRef.length < 1 || entry.sourceRef.length > sourceRefCharsMax)
  ) {
    errors.push({ path: 'sourceRef', message: `must be 1 to ${sourceRefCharsMax} characters` });
  }
  if (entry.description !== undefined && entry.description.length > descriptionCharsMax) {
    errors.push({ path: 'description', message: `must be at most ${descriptionCharsMax} characters` });
  }
  if (!Array.isArray(entry.lines) || entry.lines.length > entryLinesMax) {
    errors.push({ path: 'lines', message: `must be a list of at most ${entryLinesMax} lines` });
    return errors;
  }
  entry.lines.forEach((line, index) => {
    const at = `lines.${index}`;
    if (typeof line.account !== 'string' || !accountCodePattern.test(line.account)) {
      errors.push({ path: `${at}.account`, message: 'must be an account code' });
    }
    if (line.side !== 'debit' && line.side !== 'credit')
      errors.push({ path: `${at}.side`, message: 'must be debit or credit' });
    if (typeof line.amountMinor !== 'bigint')
      errors.push({ path: `${at}.amountMinor`, message: 'must be a bigint' });
    if (typeof line.currency !== 'string' || !currencyPattern.test(line.currency)) {
      errors.push({ path: `${at}.currency`, message: 'must be an ISO 4217 code such as CNY' });
    }
    for (const dimension of dimensionKeys) {
      const value = line[dimension];
      if (
        value !== undefined &&
        (typeof value !== 'string' || value.length < 1 || value.length > dimensionCharsMax)
      ) {
        errors.push({ path: `${at}.${dimension}`, message: `must be 1 to ${dimensionCharsMax} characters` });
      }
    }
  });
  return errors;
}

function fingerprintOf(entry: JournalEntryInput, reversalOf: bigint | null): string {
  // The content that makes two posts "the same entry": a replay must match it exactly.
  const canonical = JSON.stringify([
    entry.eventType,
    entry.businessDate ?? null,
    entry.sourceRef ?? null,
    entry.description ?? '',
    reversalOf === null ? null : String(reversalOf),
    entry.lines.map((line) => [
      line.account,
      line.side,
      String(line.amountMinor),
      line.currency,
      ...dimensionKeys.map((dimension) => line[dimension] ?? null),
    ]),
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Checks an entry without the database and prepares it for posting. Throws the catalogue error
 * of the first rule broken, in this order: shape, line count, amounts (positive, then at most
 * lineAmountMinorMax), currencies, one side per account, balance.
 */
export function prepareEntry(entry: JournalEntryInput, reversalOf: bigint | null = null): PreparedEntry {
  const errors = shapeErrors(entry);
  if (errors.length > 0) {
    throw new AppError(
      'validation_failed',
      `The journal entry is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      {
        errors,
      },
    );
  }
  const { lines } = entry;
  if (lines.length < 2) {
    throw new AppError(
      'journal_too_few_lines',
      `A journal entry needs at least two lines; this one has ${lines.length}.`,
    );
  }
  const notPositive = lines.findIndex((line) => line.amountMinor <= 0n);
  if (notPositive >= 0) {
    const line = lines[notPositive];
    throw new AppError(
      'journal_amount_not_positive',
      `Line ${notPositive + 1} has amount ${String(line?.amountMinor)}; amounts are positive minor units and the side gives the direction.`,
      { errors: [{ path: `lines.${notPositive}.amountMinor`, message: 'must be greater than zero' }] },
    );
  }
  const tooLarge = lines.findIndex((line) => line.amountMinor > lineAmountMinorMax);
  if (tooLarge >= 0) {
    const line = lines[tooLarge];
    throw new AppError(
      'journal_amount_too_large',
      `Line ${tooLarge + 1} has amount ${String(line?.amountMinor)}; a line carries at most ${lineAmountMinorMax} minor units.`,
      {
        errors: [{ path: `lines.${tooLarge}.amountMinor`, message: `must be at most ${lineAmountMinorMax}` }],
      },
    );
  }
  const currencies = [...new Set(lines.map((line) => line.currency))];
  const [currency] = currencies;
  if (currency === undefined || currencies.length > 1) {
    throw new AppError(
      'journal_mixed_currencies',
      `The lines are in ${currencies.join(', ')}; one entry is in one currency.`,
    );
  }
  // One account on both sides of one entry moves money from the account to itself: it only hides
  // what happened (posting-rules.ts nets such lines before they get here).
  const sides = new Map<string, Side>();
  for (const [index, line] of lines.entries()) {
    const seen = sides.get(line.account);
    if (seen !== undefined && seen !== line.side) {
      throw new AppError(
        'journal_account_on_both_sides',
        `Line ${index + 1} ${line.side === 'debit' ? 'debits' : 'credits'} account ${line.account}, which another line ${seen === 'debit' ? 'debits' : 'credits'}; an entry books an account on one side only.`,
        { errors: [{ path: `lines.${index}.account`, message: 'is on the other side in another line' }] },
      );
    }
    sides.set(line.account, line.side);
  }
  let debits = 0n;
  let credits = 0n;
  for (const line of lines) {
    if (line.side === 'debit') debits += line.amountMinor;
    else credits += line.amountMinor;
  }
  if (debits !== credits) {
    throw new AppError(
      'journal_unbalanced',
      `Debits total ${debits} and credits total ${credits} ${currency} minor units; they must be equal.`,
      {
        extensions: { debitsMinor: String(debits), creditsMinor: String(credits) },
      },
    );
  }
  return {
    idempotencyKey: entry.idempotencyKey,
    fingerprint: fingerprintOf(entry, reversalOf),
    eventType: entry.eventType,
    businessDate: entry.businessDate ?? null,
    sourceRef: entry.sourceRef ?? null,
    description: entry.description ?? '',
    currency,
    reversalOf,
    lines,
  };
}
