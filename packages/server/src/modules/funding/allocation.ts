import { basisPointsTotal, quotaSharesBp, splitByShares } from '@fenqi/core';
import { z } from 'zod';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { FieldError } from '../../platform/errors.ts';
import { ownFundsFunderId } from './funders.ts';
import {
  allocationConflict,
  coLenderShareTooLow,
  funderSuspended,
  invalidInput,
  quotaExhausted,
} from './problems.ts';
import { coLenderShareMinBp, productCodePattern } from './rules.ts';
import * as store from './store.ts';
import type { FunderKind, FundingDb, FundingTx } from './tables.ts';

// Allocation: at origination a loan's principal is split between funders by its product's rule
// (no rule: 100 % own funds), each share exact to the fen (core splitByShares), and each funder's
// quota is taken under its row lock — concurrent loans queue on a shared funder's row, so a quota
// is never oversubscribed. Unlimited funders (the own funds) are neither locked nor counted, so
// loans funded by them alone never queue on one row. Idempotent by loan id.

export type LoanShare = {
  funderId: string;
  funderCode: string;
  funderKind: FunderKind;
  shareBp: number;
  principalMinor: bigint;
};

export const loanPrincipalMinorMax = 999_999_999_999n;

type Planned = { funder: store.FunderRow; shareBp: number; principalMinor: bigint };

function inputErrors(input: { loanId: string; productCode: string; principalMinor: bigint }): FieldError[] {
  const errors: FieldError[] = [];
  if (!z.uuid().safeParse(input.loanId).success) errors.push({ path: 'loanId', message: 'must be a uuid' });
  if (!productCodePattern.test(input.productCode))
    errors.push({ path: 'productCode', message: `must match ${productCodePattern.source}` });
  if (input.principalMinor < 1n || input.principalMinor > loanPrincipalMinorMax)
    errors.push({ path: 'principalMinor', message: `must be 1 to ${loanPrincipalMinorMax} fen` });
  return errors;
}

const remainingOf = (funder: store.FunderRow) =>
  funder.quota_minor === null ? null : funder.quota_minor - funder.used_minor;

/** The funders a rule names, the limited ones locked (in id order), in the rule's order. */
async function ruleFunders(
  t: FundingTx | FundingDb,
  ids: readonly string[],
  lock: boolean,
): Promise<store.FunderRow[]> {
  const all = await store.findFunders(t, ids);
  const limited = all.filter((funder) => funder.quota_minor !== null).map((funder) => funder.id);
  const locked = new Map(
    lock ? (await store.lockFunders(t as FundingTx, limited)).map((funder) => [funder.id, funder]) : [],
  );
  const byId = new Map(all.map((funder) => [funder.id, locked.get(funder.id) ?? funder]));
  return ids.map((id) => {
    const funder = byId.get(id);
    if (!funder) throw new Error(`a funding rule names funder ${id}, which does not exist`);
    return funder;
  });
}

function planFixed(
  funders: readonly store.FunderRow[],
  sharesBp: readonly number[],
  principalMinor: bigint,
  productCode: string,
): Planned[] {
  const parts = splitByShares(principalMinor, sharesBp);
  return funders.map((funder, index) => {
    const share: Planned = { funder, shareBp: sharesBp[index] ?? 0, principalMinor: parts[index] ?? 0n };
    if (funder.status !== 'active') throw funderSuspended(funder, productCode);
    const remaining = remainingOf(funder);
    if (remaining !== null && share.principalMinor > remaining)
      throw quotaExhausted(
        funder,
        { remainingMinor: remaining, requestedMinor: share.principalMinor },
        productCode,
      );
    return share;
  });
}

/**
 * By quota remaining: the active funders with quota left, in proportion to it, banks raised to the
 * minimum share. A bank whose remaining quota cannot fund its minimum share of this loan takes no
 * part in it (it would fall under the co-lending minimum); the others are split again without it.
 */
function planByQuota(
  funders: readonly store.FunderRow[],
  minBankShareBp: number,
  principalMinor: bigint,
  productCode: string,
): Planned[] {
  let candidates = funders.filter((funder) => funder.status === 'active' && (remainingOf(funder) ?? 0n) > 0n);
  for (;;) {
    const total = candidates.reduce((sum, funder) => sum + (remainingOf(funder) ?? 0n), 0n);
    if (total < principalMinor)
      throw quotaExhausted(undefined, { remainingMinor: total, requestedMinor: principalMinor }, productCode);
    const sharesBp = quotaSharesBp(
      candidates.map((funder) => ({
        remainingMinor: remainingOf(funder) ?? 0n,
        minShareBp: funder.kind === 'bank' && candidates.length > 1 ? minBankShareBp : 0,
      })),
    );
    const parts = splitByShares(principalMinor, sharesBp);
    const planned = candidates.map((funder, index) => ({
      funder,
      shareBp: sharesBp[index] ?? 0,
      principalMinor: parts[index] ?? 0n,
    }));
    const over = planned.filter((share) => share.principalMinor > (remainingOf(share.funder) ?? 0n));
    if (over.length === 0) return planned;
    const overBanks = new Set(
      over.filter((share) => share.funder.kind === 'bank').map((share) => share.funder.id),
    );
    const first = over[0];
    if (overBanks.size === 0 && first !== undefined)
      throw quotaExhausted(
        first.funder,
        { remainingMinor: remainingOf(first.funder) ?? 0n, requestedMinor: first.principalMinor },
        productCode,
      );
    candidates = candidates.filter((funder) => !overBanks.has(funder.id));
  }
}

/** 2021 co-lending notice: in a loan with more than one funder, every bank funds at least the minimum. */
function checkCoLending(planned: readonly Planned[], minimumBp: number): void {
  const funding = planned.filter((share) => share.principalMinor > 0n);
  if (funding.length < 2) return;
  for (const share of funding)
    if (share.funder.kind === 'bank' && share.shareBp < minimumBp)
      throw coLenderShareTooLow(share.funder, share.shareBp, minimumBp);
}

function toShares(rows: readonly store.ShareWithFunder[]): LoanShare[] {
  return rows.map((row) => ({
    funderId: row.funder_id,
    funderCode: row.code,
    funderKind: row.kind,
    shareBp: row.share_bp,
    principalMinor: row.principal_minor,
  }));
}

async function replay(
  t: FundingTx,
  existing: store.AllocationRow,
  input: { loanId: string; productCode: string; principalMinor: bigint },
): Promise<LoanShare[]> {
  if (existing.product_code !== input.productCode || existing.principal_minor !== input.principalMinor)
    throw allocationConflict(
      input.loanId,
      `was allocated for ${existing.product_code} with ${existing.principal_minor} fen of principal`,
    );
  if (existing.status === 'released') throw allocationConflict(input.loanId, 'had its allocation released');
  return toShares(await store.sharesOf(t, input.loanId));
}

/**
 * Splits a loan's principal between its funders and takes their quota, in the caller's
 * transaction; the shares are stored with the loan id and returned in the rule's order. Allocating
 * a loan again returns the same shares (another product or principal: funding_allocation_conflict).
 * Every check runs before anything is written, so a refusal leaves the caller's transaction clean.
 */
export async function allocateLoan(
  trx: Tx,
  input: { loanId: string; productCode: string; principalMinor: bigint },
): Promise<LoanShare[]> {
  const errors = inputErrors(input);
  if (errors.length > 0) throw invalidInput('allocation', errors);
  const t: FundingTx = trx;
  const earlier = await store.findAllocation(t, input.loanId);
  if (earlier) return replay(t, earlier, input);

  const { rule, planned } = await planShares(t, input, true);

  // A concurrent allocation of the same loan that committed meanwhile makes this insert a no-op:
  // its shares are the answer, and nothing of this one is written.
  const inserted = await store.insertAllocation(t, {
    loan_id: input.loanId,
    product_code: input.productCode,
    principal_minor: input.principalMinor,
    rule_version: rule?.version ?? null,
    business_date: await getBusinessDate(trx),
  });
  if (!inserted) {
    const winner = await store.findAllocation(t, input.loanId);
    if (!winner) throw new Error(`allocation of ${input.loanId} conflicted with one that is not there`);
    return replay(t, winner, input);
  }
  await store.insertShares(
    t,
    planned.map((share, position) => ({
      loan_id: input.loanId,
      position,
      funder_id: share.funder.id,
      share_bp: share.shareBp,
      principal_minor: share.principalMinor,
    })),
  );
  for (const share of planned)
    if (share.funder.quota_minor !== null && share.principalMinor > 0n)
      await store.addUsed(t, share.funder.id, share.principalMinor);
  return planned.map(shareOf);
}

/**
 * The shares a loan of the product would get now, read without locking or writing anything: what
 * the contract a borrower reads before accepting names. Acceptance allocates for real and may
 * differ if a funder's quota moved meanwhile.
 */
export async function previewShares(
  db: DB | Tx,
  input: { productCode: string; principalMinor: bigint },
): Promise<LoanShare[]> {
  return (await planShares(db as FundingDb, input, false)).planned.map(shareOf);
}

/** The product's current rule applied to a principal; `lock` takes the limited funders' rows. */
async function planShares(
  t: FundingTx | FundingDb,
  input: { productCode: string; principalMinor: bigint },
  lock: boolean,
) {
  const rule = await store.currentRule(t, input.productCode);
  const entries = rule?.funders ?? [{ funderId: ownFundsFunderId, shareBp: basisPointsTotal }];
  const funders = await ruleFunders(
    t,
    entries.map((entry) => entry.funderId),
    lock,
  );
  const minimumBp = Math.max(rule?.min_bank_share_bp ?? coLenderShareMinBp, coLenderShareMinBp);
  const planned =
    rule?.kind === 'quota'
      ? planByQuota(funders, minimumBp, input.principalMinor, input.productCode)
      : planFixed(
          funders,
          entries.map((entry) => entry.shareBp ?? 0),
          input.principalMinor,
          input.productCode,
        );
  checkCoLending(planned, minimumBp);

  return { rule, planned };
}

const shareOf = (share: Planned): LoanShare => ({
  funderId: share.funder.id,
  funderCode: share.funder.code,
  funderKind: share.funder.kind,
  shareBp: share.shareBp,
  principalMinor: share.principalMinor,
});

/** A loan's shares in the rule's order; empty when the loan was never allocated. */
export async function loanShares(db: DB | Tx, loanId: string): Promise<LoanShare[]> {
  if (!z.uuid().safeParse(loanId).success) return [];
  return toShares(await store.sharesOf(db as FundingDb, loanId));
}

/**
 * A loan cancelled before disbursement gives its funders' quota back. Releasing again, or a loan
 * that was never allocated, changes nothing. The shares stay (the record of what was planned).
 */
export async function releaseAllocation(trx: Tx, loanId: string): Promise<void> {
  if (!z.uuid().safeParse(loanId).success)
    throw invalidInput('release', [{ path: 'loanId', message: 'must be a uuid' }]);
  const t: FundingTx = trx;
  const allocation = await store.lockAllocation(t, loanId);
  if (!allocation || allocation.status === 'released') return;
  const shares = await store.sharesOf(t, loanId);
  // The same lock order as allocateLoan: the limited funders, by id (unlimited ones are not counted).
  const funders = await ruleFunders(
    t,
    shares.map((share) => share.funder_id),
    true,
  );
  const limited = new Set(funders.filter((f) => f.quota_minor !== null).map((f) => f.id));
  for (const share of shares)
    if (limited.has(share.funder_id) && share.principal_minor > 0n)
      await store.addUsed(t, share.funder_id, -share.principal_minor);
  await store.markReleased(t, loanId);
}
