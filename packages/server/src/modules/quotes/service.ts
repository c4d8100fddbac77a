import { aprFromCashflows, type Issue, parseLocalDate, type QuoteRequest, quoteLoan } from '@fenqi/core';
import { AppError } from '../../platform/errors.ts';

// The quote use cases shared by the API and the CLI: run the pure engine, turn its issues into
// one validation problem with a field error (and code) per issue.

function invalid(issues: readonly Issue[]): AppError {
  const errors = issues.map((issue) => ({
    in: 'body' as const,
    path: issue.path,
    message: issue.message,
    code: issue.code,
  }));
  const summary = issues
    .slice(0, 3)
    .map((issue) => issue.message)
    .join('; ');
  return new AppError(
    'validation_failed',
    `The loan terms are not valid: ${summary}${issues.length > 3 ? '; …' : ''}`,
    {
      errors,
    },
  );
}

/** Quotes a loan; a request without startDate starts on `businessDate` (YYYY-MM-DD). */
export function quote(request: QuoteRequest, businessDate: string) {
  const date = parseLocalDate(businessDate);
  if (date === undefined) throw new Error(`business date ${businessDate} is not a date`);
  const result = quoteLoan(request, { businessDate: date });
  if (!result.ok) throw invalid(result.issues);
  return result.quote;
}

export function annualizedRates(request: Parameters<typeof aprFromCashflows>[0]) {
  const result = aprFromCashflows(request);
  if (!result.ok) throw invalid(result.issues);
  return result.apr;
}
