import { assert } from '../assert.ts';
import type { LocalDate } from '../date/local-date.ts';
import { daysBetween } from '../date/local-date.ts';

// Days past due (逾期天数) and the M-buckets of the industry's delinquency report (M0 current,
// M1 = 1–30 days, … M7 = over 180), mirrored in SQL by fenqi_delinquency_bucket
// (migrations/0021_servicing_math.sql) for the close of business.

export const delinquencyBuckets = ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'] as const;
export type DelinquencyBucket = (typeof delinquencyBuckets)[number];

/** From 90 days past due a loan is non-accrual (非应计): its interest is no longer taken into income. */
export const nonAccrualDpd = 90;
/** Days past due at which a loan is written off unless the product says otherwise. */
export const writeOffDpdDefault = 180;

const bucketDays = 30;
const lastBucket = delinquencyBuckets.length - 1;

export function delinquencyBucket(dpd: number): DelinquencyBucket {
  assert(
    Number.isSafeInteger(dpd) && dpd >= 0,
    `delinquencyBucket: days past due must be a whole number ≥ 0, not ${dpd}`,
  );
  const bucket = delinquencyBuckets[Math.min(Math.ceil(dpd / bucketDays), lastBucket)];
  assert(bucket !== undefined, 'delinquencyBucket: index');
  return bucket;
}

/**
 * Calendar days since the oldest unpaid due date: 0 when nothing is unpaid or on the due date
 * itself (the borrower may pay all day), 1 the day after.
 */
export function daysPastDue(oldestUnpaidDueDate: LocalDate | undefined, asOf: LocalDate): number {
  if (oldestUnpaidDueDate === undefined || asOf <= oldestUnpaidDueDate) return 0;
  return daysBetween(oldestUnpaidDueDate, asOf);
}
