import { randomUUID } from 'node:crypto';
import { addDays, localDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors.ts';
import { assertOpen, c, caseInScope, ct, moveCase } from './cases.ts';
import { fieldInvalid } from './problems.ts';
import type { CollectionsScope } from './scope.ts';
import type { PromiseRow } from './tables.ts';

// Promises to pay (承诺还款): a date and an amount the debtor agreed to. One open promise per case.
// It is kept when repayments received from its making through its date add up to the amount (or
// the loan is current or paid off by then), and broken when its date has passed (closed by close
// of business) without that.

/** How far ahead a promise may be dated: beyond this it is a payment plan, not a promise. */
export const promiseDaysMax = 30;
export const promiseAmountMinorMax = 999_999_999_999n;

const openExists = () =>
  new AppError(
    'promise_open_exists',
    'The case already has an open promise to pay; it is kept or broken first.',
  );

export async function createPromise(
  trx: Tx,
  scope: CollectionsScope,
  caseId: string,
  input: { promisedDate: string; amountMinor: bigint; agentId: string },
): Promise<PromiseRow> {
  const row = await caseInScope(trx, scope, caseId, { lock: true });
  assertOpen(row);
  const today = await getBusinessDate(trx);
  const latest = addDays(localDate(today), promiseDaysMax);
  const errors: { path: string; message: string }[] = [];
  if (input.promisedDate < today) errors.push({ path: 'promisedDate', message: `must be ${today} or later` });
  if (input.promisedDate > latest)
    errors.push({ path: 'promisedDate', message: `must be within ${promiseDaysMax} days, by ${latest}` });
  if (input.amountMinor <= 0n || input.amountMinor > promiseAmountMinorMax)
    errors.push({ path: 'amountMinor', message: `must be 1 to ${promiseAmountMinorMax} fen` });
  if (errors.length > 0) throw fieldInvalid('promise_invalid', 'The promise to pay is not valid.', errors);
  const open = await ct(trx)
    .selectFrom('collections_promises')
    .select('id')
    .where('case_id', '=', row.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (open !== undefined) throw openExists();
  const promise = await orConflict(
    ct(trx)
      .insertInto('collections_promises')
      .values({
        id: randomUUID(),
        case_id: row.id,
        promised_date: input.promisedDate,
        amount_minor: input.amountMinor,
        status: 'open',
        agent_id: input.agentId,
        created_on: today,
        settled_on: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
    { collections_promises_open: openExists },
  );
  await moveCase(trx, row, 'promise', {
    actor: { kind: 'staff', id: input.agentId },
    reason: `promised ${input.amountMinor} fen by ${input.promisedDate}`,
    sourceRef: `promise:${promise.id}`,
  });
  return promise;
}

/** A repayment counts towards the open promise; the promise is kept once its amount is reached. */
export async function applyRepaymentToPromise(
  trx: Tx,
  caseId: string,
  input: { amountMinor: bigint; businessDate: string; sourceRef: string },
): Promise<PromiseRow | undefined> {
  const open = await ct(trx)
    .selectFrom('collections_promises')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'open')
    .forUpdate()
    .executeTakeFirst();
  if (open === undefined || input.businessDate > open.promised_date) return undefined;
  const paid = open.paid_minor + input.amountMinor;
  const kept = paid >= open.amount_minor;
  const updated = await ct(trx)
    .updateTable('collections_promises')
    .set({ paid_minor: paid, ...(kept ? { status: 'kept', settled_on: input.businessDate } : {}) })
    .where('id', '=', open.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (kept) {
    const row = await ct(trx)
      .selectFrom('collections_cases')
      .selectAll()
      .where('id', '=', caseId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.state === 'promised_to_pay')
      await moveCase(trx, row, 'promise_kept', {
        actor: { kind: 'system', id: 'collections' },
        reason: `${paid} fen paid by ${open.promised_date}`,
        sourceRef: input.sourceRef,
        businessDate: input.businessDate,
      });
  }
  return updated;
}

export async function promisesOfCase(db: DB | Tx, caseId: string): Promise<PromiseRow[]> {
  return c(db)
    .selectFrom('collections_promises')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
