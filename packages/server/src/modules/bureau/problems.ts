import { AppError } from '../../platform/errors.ts';

// The bureau module's named problems (the codes are in platform/errors.ts, docs/api/errors.md).

export function dateNotReportable(date: string, open: string): AppError {
  return new AppError(
    'bureau_date_not_reportable',
    `A generation for ${date} reports ${date}'s day before; the open business date is ${open}, so nothing after it can be generated yet.`,
    { extensions: { date, businessDate: open } },
  );
}

export function recordNotRejected(recordId: string, status: string): AppError {
  return new AppError(
    'bureau_record_not_rejected',
    `Record ${recordId} is ${status}: only a record the bureau rejected is corrected.`,
    { extensions: { recordId, status } },
  );
}

export function feedbackUnreadable(detail: string, badLines: number[] = []): AppError {
  return new AppError('bureau_feedback_unreadable', detail, {
    errors: [{ in: 'body', path: 'content', message: detail }],
    extensions: badLines.length > 0 ? { badLines } : {},
  });
}
