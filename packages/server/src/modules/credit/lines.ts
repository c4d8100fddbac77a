import { randomUUID } from 'node:crypto';
import { addDays, compareDates, localDate, parseLocalDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import type { DateString } from '../../platform/tables.ts';
import { appendAudit } from '../iam/service.ts';
import { lockExposure } from './exposure.ts';
import { publishLineEvent, recordChange } from './history.ts';
import {
  capExceeded,
  hasReservations,
  invalidInput,
  limitBelowCommitted,
  lineNotFound,
  sourceConflict,
  statusConflict,
} from './problems.ts';
import * as store from './store.ts';
import type { CreditDb, CreditTx, LineStatus } from './tables.ts';
import { type Actor, type CreditLine, toLine } from './views.ts';

// A line's life: granted (by the risk module, inside its decision's transaction), frozen and
// unfrozen by staff, its limit adjusted through maker-checker (limit-adjustments.ts), closed, or
// expired by close of business. Each change locks the person's exposure row, then the line, and
// writes its history row and event in the same transaction.

/** The largest limit a line may have: the bound of every amount in the schema (0014_credit.sql). */
export const lineLimitMinorMax = 999_999_999_999n;
/** How far ahead a line may expire: a guard against a mistyped date, not a product rule. */
export const lineTermDaysMax = 3660;
export const lineProductCodesMax = 50;
const productCodeLengthMax = 64;
// The product codes of a risk offer (core risk/validate-policy.ts, idPattern).
const productCodePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export type GrantInput = {
  customerId: string;
  /** The risk application whose approval grants the line; granting again for it is a no-op. */
  applicationId: string;
  limitMinor: bigint;
  productCodes: readonly string[];
  revolving: boolean;
  /** The last business date the line may be drawn on. */
  expiresOn: DateString;
  actor: Actor;
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function amountErrors(path: string, amount: bigint, min: bigint): FieldError[] {
  return amount < min || amount > lineLimitMinorMax
    ? [{ path, message: `must be ${min} to ${lineLimitMinorMax} fen` }]
    : [];
}

function grantErrors(input: GrantInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!uuidPattern.test(input.customerId)) errors.push({ path: 'customerId', message: 'must be a UUID' });
  if (input.applicationId.length < 1 || input.applicationId.length > 64)
    errors.push({ path: 'applicationId', message: 'must be 1 to 64 characters' });
  errors.push(...amountErrors('limitMinor', input.limitMinor, 1n));
  const codes = input.productCodes;
  if (codes.length < 1 || codes.length > lineProductCodesMax)
    errors.push({ path: 'productCodes', message: `must list 1 to ${lineProductCodesMax} product codes` });
  codes.forEach((code, index) => {
    if (code.length > productCodeLengthMax || !productCodePattern.test(code))
      errors.push({ path: `productCodes.${index}`, message: `must match ${productCodePattern.source}` });
    else if (codes.indexOf(code) !== index)
      errors.push({ path: `productCodes.${index}`, message: `lists ${code} twice` });
  });
  if (parseLocalDate(input.expiresOn) === undefined)
    errors.push({ path: 'expiresOn', message: 'must be a date YYYY-MM-DD' });
  if (input.actor.id.length < 1 || input.actor.id.length > 100)
    errors.push({ path: 'actor.id', message: 'must be 1 to 100 characters' });
  return errors;
}

function sameGrant(row: store.LineRow, input: GrantInput): boolean {
  return (
    row.customer_id === input.customerId &&
    row.granted_limit_minor === input.limitMinor &&
    row.revolving === input.revolving &&
    row.expires_on === input.expiresOn &&
    row.product_codes.length === input.productCodes.length &&
    row.product_codes.every((code, index) => code === input.productCodes[index])
  );
}

/**
 * Grants a line for an approved risk application, in the caller's transaction (the risk module's,
 * which has called lockExposure and clamped its offer to the headroom). The limit must fit the
 * headroom: the service never exceeds the cap (credit_cap_exceeded). Granting again for the same
 * application returns the line it granted; with other terms it is credit_source_conflict.
 */
export async function grantLine(trx: Tx, config: Config, input: GrantInput): Promise<CreditLine> {
  const errors = grantErrors(input);
  if (errors.length > 0) throw invalidInput(errors);
  const t: CreditTx = trx;
  const exposure = await lockExposure(trx, config, input.customerId);
  const existing = await store.findLineByApplication(t, input.applicationId);
  if (existing) {
    if (!sameGrant(existing, input)) throw sourceConflict('Risk application', input.applicationId);
    return toLine(existing);
  }
  const businessDate = await getBusinessDate(trx);
  const latest = addDays(localDate(businessDate), lineTermDaysMax);
  if (compareDates(localDate(input.expiresOn), localDate(businessDate)) < 0)
    throw invalidInput([
      { path: 'expiresOn', message: `must not be before the business date ${businessDate}` },
    ]);
  if (compareDates(localDate(input.expiresOn), latest) > 0)
    throw invalidInput([
      { path: 'expiresOn', message: `must be at most ${lineTermDaysMax} days after ${businessDate}` },
    ]);
  if (input.limitMinor > exposure.headroomMinor)
    throw capExceeded({ ...exposure, requestedMinor: input.limitMinor });
  // Two customers' grants racing for one application id pass the lookup above (each holds only
  // its own customer's lock); the unique constraint decides.
  const line = await orConflict(
    store.insertLine(t, {
      id: randomUUID(),
      customer_id: input.customerId,
      application_id: input.applicationId,
      currency: 'CNY',
      limit_minor: input.limitMinor,
      granted_limit_minor: input.limitMinor,
      revolving: input.revolving,
      product_codes: [...input.productCodes],
      expires_on: input.expiresOn,
      granted_on: businessDate,
    }),
    { credit_lines_application_id_key: () => sourceConflict('Risk application', input.applicationId) },
  );
  await store.touchExposure(t, input.customerId);
  await recordChange(t, {
    kind: 'granted',
    after: line,
    sourceRef: input.applicationId,
    actor: input.actor,
    businessDate,
  });
  await publishLineEvent(trx, 'credit.line-granted', line);
  return toLine(line);
}

/**
 * Locks a line for a change: the person's exposure row first, then the line (the order every
 * operation keeps). Returns the exposure too, for the changes that decide on it.
 */
export async function lockLineForChange(trx: Tx, config: Config, lineId: string) {
  const t: CreditTx = trx;
  const found = await store.findLine(t, lineId);
  if (!found) throw lineNotFound(lineId);
  const exposure = await lockExposure(trx, config, found.customer_id);
  const line = await store.lockLine(t, lineId);
  if (!line) throw lineNotFound(lineId);
  return { line, exposure };
}

export type StaffChange = { lineId: string; reason: string; actor: Actor; origin?: Origin | undefined };

async function auditChange(
  trx: Tx,
  config: Config,
  action: string,
  change: StaffChange,
  before: store.LineRow,
  after: store.LineRow,
  details: Record<string, string> = {},
): Promise<void> {
  if (change.actor.kind !== 'staff') return;
  await appendAudit(trx, config.secrets.auditKey, {
    actor: change.actor,
    action,
    subject: { type: 'credit-line', id: after.id },
    ...(change.origin === undefined ? {} : { origin: change.origin }),
    before: { status: before.status, limitMinor: String(before.limit_minor) },
    after: { status: after.status, limitMinor: String(after.limit_minor) },
    details: { reason: change.reason, ...details },
  });
}

async function changeStatus(
  trx: Tx,
  config: Config,
  change: StaffChange,
  spec: {
    from: readonly LineStatus[];
    to: LineStatus;
    verb: string;
    kind: 'frozen' | 'unfrozen' | 'closed';
    event: 'credit.line-frozen' | 'credit.line-unfrozen' | 'credit.line-closed';
  },
): Promise<CreditLine> {
  const t: CreditTx = trx;
  const { line } = await lockLineForChange(trx, config, change.lineId);
  if (!spec.from.includes(line.status)) throw statusConflict(line, spec.verb, spec.from);
  if (spec.to === 'closed' && line.reserved_minor > 0n) throw hasReservations(line);
  const after = await store.updateLine(t, line.id, {
    status: spec.to,
    frozen_reason: spec.to === 'frozen' ? change.reason : null,
  });
  const businessDate = await getBusinessDate(trx);
  await recordChange(t, {
    kind: spec.kind,
    before: line,
    after,
    actor: change.actor,
    reason: change.reason,
    businessDate,
  });
  await publishLineEvent(trx, spec.event, after);
  await auditChange(trx, config, `credit.line-${spec.kind}`, change, line, after);
  return toLine(after);
}

/** Stops new reservations on an active line (suspected fraud, a dispute); what is held stays held. */
export function freezeLine(trx: Tx, config: Config, change: StaffChange): Promise<CreditLine> {
  return changeStatus(trx, config, change, {
    from: ['active'],
    to: 'frozen',
    verb: 'frozen',
    kind: 'frozen',
    event: 'credit.line-frozen',
  });
}

export function unfreezeLine(trx: Tx, config: Config, change: StaffChange): Promise<CreditLine> {
  return changeStatus(trx, config, change, {
    from: ['frozen'],
    to: 'active',
    verb: 'unfrozen',
    kind: 'unfrozen',
    event: 'credit.line-unfrozen',
  });
}

/**
 * Ends a line for good: nothing can be reserved on it again, and it counts towards the exposure
 * only with what is still owed on it. Refused while an order holds a reservation on it (that order
 * would fail at disbursement): use or release it first. Loans already drawn run on.
 */
export function closeLine(trx: Tx, config: Config, change: StaffChange): Promise<CreditLine> {
  return changeStatus(trx, config, change, {
    from: ['active', 'frozen', 'expired'],
    to: 'closed',
    verb: 'closed',
    kind: 'closed',
    event: 'credit.line-closed',
  });
}

export type LimitAdjustment = {
  lineId: string;
  limitMinor: bigint;
  actor: Actor;
  reason: string;
  /** The approval request that decided it. */
  approvalRequestId?: string | undefined;
  origin?: Origin | undefined;
};

/** Whether the line's limit may become `limitMinor` now (the lock is the caller's). */
export function checkAdjustment(
  line: store.LineRow,
  exposure: { capMinor: bigint; exposureMinor: bigint; headroomMinor: bigint },
  limitMinor: bigint,
): void {
  const errors = amountErrors('limitMinor', limitMinor, 1n);
  if (errors.length > 0) throw invalidInput(errors);
  if (line.status !== 'active' && line.status !== 'frozen')
    throw statusConflict(line, 'adjusted', ['active', 'frozen']);
  if (limitMinor === line.limit_minor)
    throw invalidInput([{ path: 'limitMinor', message: `is the line's limit already (${limitMinor} fen)` }]);
  if (limitMinor < line.used_minor + line.reserved_minor) throw limitBelowCommitted(line, limitMinor);
  const increase = limitMinor - line.limit_minor;
  if (increase > exposure.headroomMinor) throw capExceeded({ ...exposure, requestedMinor: increase });
}

/**
 * Sets a line's limit: what the checker's approval of a `credit.adjust-limit` request runs. A
 * decrease may not go below used + reserved; an increase must fit the headroom under the cap.
 */
export async function adjustLimit(trx: Tx, config: Config, input: LimitAdjustment): Promise<CreditLine> {
  const t: CreditTx = trx;
  const { line, exposure } = await lockLineForChange(trx, config, input.lineId);
  checkAdjustment(line, exposure, input.limitMinor);
  const after = await store.updateLine(t, line.id, { limit_minor: input.limitMinor });
  await store.touchExposure(t, line.customer_id);
  const businessDate = await getBusinessDate(trx);
  await recordChange(t, {
    kind: 'limit_adjusted',
    before: line,
    after,
    sourceRef: input.approvalRequestId,
    actor: input.actor,
    reason: input.reason,
    businessDate,
  });
  await publishLineEvent(trx, 'credit.line-adjusted', after, { fromLimitMinor: String(line.limit_minor) });
  await auditChange(
    trx,
    config,
    'credit.line-limit-adjusted',
    { lineId: line.id, reason: input.reason, actor: input.actor, origin: input.origin },
    line,
    after,
    input.approvalRequestId === undefined ? {} : { approvalRequestId: input.approvalRequestId },
  );
  return toLine(after);
}

/**
 * Expires every active or frozen line whose last drawing date is before `businessDate`, in one
 * set-based statement with their history rows, and announces each; returns how many. Close of
 * business calls it for the day it opens. What was used stays used: the loans run on, and the line
 * now counts towards the exposure only with what is owed or held on it.
 */
export async function expireLines(trx: Tx, businessDate: DateString): Promise<number> {
  if (parseLocalDate(businessDate) === undefined)
    throw new Error(`expireLines: ${businessDate} is not a date`);
  const t: CreditTx = trx;
  const expired = await store.expireDue(t, businessDate);
  for (const line of expired) await publishLineEvent(trx, 'credit.line-expired', line);
  return expired.length;
}

// Reads.

export async function findLine(db: DB | Tx, lineId: string): Promise<CreditLine> {
  const row = await store.findLine(db as CreditDb, lineId);
  if (!row) throw lineNotFound(lineId);
  return toLine(row);
}

export async function linesOfCustomer(db: DB | Tx, customerId: string): Promise<CreditLine[]> {
  return (await store.linesOfCustomer(db as CreditDb, customerId)).map(toLine);
}
