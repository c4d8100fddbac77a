import { CNY, formatMinor } from '@fenqi/core';
import { AppError, type FieldError } from '../../platform/errors.ts';
import type { LineRow } from './store.ts';

// The credit module's expected failures, each a catalogued code (platform/errors.ts, "Credit
// lines"). Figures travel in `extensions` as decimal strings of fen, and in the detail as yuan.

const cny = (minor: bigint) => `${formatMinor(minor, CNY.minorDigits)} CNY`;

export function lineNotFound(lineId: string): AppError {
  return new AppError('not_found', `There is no credit line ${lineId}.`);
}

export function invalidInput(errors: FieldError[]): AppError {
  return new AppError(
    'validation_failed',
    `The credit request is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    {
      errors,
    },
  );
}

export function capExceeded(figures: {
  capMinor: bigint;
  exposureMinor: bigint;
  headroomMinor: bigint;
  requestedMinor: bigint;
}): AppError {
  return new AppError(
    'credit_cap_exceeded',
    `The customer's credit exposure is ${cny(figures.exposureMinor)} of the ${cny(figures.capMinor)} cap, which leaves ${cny(figures.headroomMinor)}; ${cny(figures.requestedMinor)} more was asked for.`,
    {
      extensions: {
        capMinor: String(figures.capMinor),
        exposureMinor: String(figures.exposureMinor),
        headroomMinor: String(figures.headroomMinor),
        requestedMinor: String(figures.requestedMinor),
      },
    },
  );
}

export function insufficientAvailable(line: LineRow, available: bigint, requested: bigint): AppError {
  return new AppError(
    'credit_insufficient_available',
    `Credit line ${line.id} has ${cny(available)} available; ${cny(requested)} was asked for.`,
    { extensions: { availableMinor: String(available), requestedMinor: String(requested) } },
  );
}

export function lineNotActive(line: LineRow, businessDate: string): AppError {
  const why =
    line.status === 'active'
      ? `expired after ${line.expires_on} (the business date is ${businessDate})`
      : `is ${line.status}`;
  return new AppError(
    'credit_line_not_active',
    `Credit line ${line.id} ${why}: nothing can be reserved on it.`,
    {
      extensions: { status: line.status, expiresOn: line.expires_on },
    },
  );
}

export function statusConflict(line: LineRow, change: string, allowed: readonly string[]): AppError {
  return new AppError(
    'credit_line_status_conflict',
    `Credit line ${line.id} is ${line.status}; only a line that is ${allowed.join(' or ')} can be ${change}.`,
    { extensions: { status: line.status } },
  );
}

export function hasReservations(line: LineRow): AppError {
  return new AppError(
    'credit_line_has_reservations',
    `Credit line ${line.id} still holds ${cny(line.reserved_minor)} in reservations; they must be used or released before it is closed.`,
    { extensions: { reservedMinor: String(line.reserved_minor) } },
  );
}

export function limitBelowCommitted(line: LineRow, limitMinor: bigint): AppError {
  const committed = line.used_minor + line.reserved_minor;
  return new AppError(
    'credit_limit_below_committed',
    `Credit line ${line.id} has ${cny(line.used_minor)} used and ${cny(line.reserved_minor)} reserved; its limit cannot go down to ${cny(limitMinor)}.`,
    { extensions: { committedMinor: String(committed), requestedLimitMinor: String(limitMinor) } },
  );
}

export function restoreExceedsOutstanding(line: LineRow, outstanding: bigint, requested: bigint): AppError {
  return new AppError(
    'credit_restore_exceeds_used',
    `Credit line ${line.id} has ${cny(outstanding)} of principal outstanding; ${cny(requested)} cannot be repaid on it.`,
    { extensions: { outstandingMinor: String(outstanding), requestedMinor: String(requested) } },
  );
}

export function reservationNotHeld(reservationId: string, status: string, wanted: string): AppError {
  return new AppError(
    'credit_reservation_not_held',
    `Reservation ${reservationId} was already ${status}; it cannot be ${wanted}.`,
    { extensions: { status } },
  );
}

export function sourceConflict(what: string, ref: string): AppError {
  return new AppError(
    'credit_source_conflict',
    `${what} ${ref} was already used on a credit line with other terms.`,
  );
}
