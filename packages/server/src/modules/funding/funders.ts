import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { type AuditEvent, appendAudit, type PartnerScope } from '../iam/service.ts';
import { funderCodeTaken, funderNotFound, invalidInput, quotaBelowUsed } from './problems.ts';
import * as store from './store.ts';
import type { FunderKind, FunderStatus, FundingDb, FundingTx } from './tables.ts';

// Funders (资金方): the lender's own funds (seeded, code OWN, unlimited), bank co-lenders and
// investor pools with a custody bank. Staff add and change them (funding:manage), audited; a
// funder's API keys are IAM api clients with ownerKind 'funder' and ownerId = the funder's id.

/** The id of the own funds, seeded by 0019_funding.sql. */
export const ownFundsFunderId = '00000000-0000-4000-8000-000000000001';

export const quotaMinorMax = 999_999_999_999_999n;
export const funderCodePattern = /^[A-Z][A-Z0-9_]{1,31}$/;

export type Funder = {
  id: string;
  code: string;
  name: string;
  kind: FunderKind;
  /** Total principal it will fund; null: unlimited (the own funds only), and then not counted. */
  quotaMinor: bigint | null;
  usedMinor: bigint | null;
  remainingMinor: bigint | null;
  status: FunderStatus;
  custodyBankName: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export function toFunder(row: store.FunderRow): Funder {
  const limited = row.quota_minor !== null;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    quotaMinor: row.quota_minor,
    usedMinor: limited ? row.used_minor : null,
    remainingMinor: row.quota_minor === null ? null : row.quota_minor - row.used_minor,
    status: row.status,
    custodyBankName: row.custody_bank_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

type StaffActor = { kind: 'staff'; id: string };

function audit(trx: Tx, config: Config, event: AuditEvent): Promise<unknown> {
  return appendAudit(trx, config.secrets.auditKey, event);
}

function auditedFields(row: store.FunderRow) {
  return {
    code: row.code,
    name: row.name,
    kind: row.kind,
    quotaMinor: row.quota_minor === null ? null : String(row.quota_minor),
    status: row.status,
    custodyBankName: row.custody_bank_name,
  };
}

export type NewFunder = {
  code: string;
  name: string;
  kind: Exclude<FunderKind, 'own'>;
  quotaMinor: bigint;
  custodyBankName?: string | undefined;
};

function funderErrors(input: {
  kind: FunderKind;
  quotaMinor?: bigint | null | undefined;
  custodyBankName?: string | null | undefined;
}): FieldError[] {
  const errors: FieldError[] = [];
  if (input.quotaMinor !== undefined && input.quotaMinor !== null) {
    if (input.quotaMinor < 0n || input.quotaMinor > quotaMinorMax)
      errors.push({ path: 'quotaMinor', message: `must be 0 to ${quotaMinorMax} fen` });
  }
  if (input.kind === 'investor_pool' && input.custodyBankName === null)
    errors.push({ path: 'custodyBankName', message: 'an investor pool names the bank that holds its money' });
  if (input.kind !== 'investor_pool' && typeof input.custodyBankName === 'string')
    errors.push({ path: 'custodyBankName', message: 'only an investor pool has a custody bank' });
  return errors;
}

/** Adds a bank co-lender or an investor pool. */
export async function createFunder(
  trx: Tx,
  config: Config,
  input: NewFunder & { actor: StaffActor; origin: Origin },
): Promise<Funder> {
  const errors = funderErrors({ ...input, custodyBankName: input.custodyBankName ?? null });
  if (!funderCodePattern.test(input.code))
    errors.unshift({ path: 'code', message: `must match ${funderCodePattern.source}` });
  if (errors.length > 0) throw invalidInput('funder', errors);
  const t: FundingTx = trx;
  const row = await orConflict(
    store.insertFunder(t, {
      id: randomUUID(),
      code: input.code,
      name: input.name,
      kind: input.kind,
      quota_minor: input.quotaMinor,
      custody_bank_name: input.custodyBankName ?? null,
    }),
    { funding_funders_code_key: () => funderCodeTaken(input.code) },
  );
  await audit(trx, config, {
    actor: input.actor,
    action: 'funding.funder-created',
    subject: { type: 'funder', id: row.id },
    origin: input.origin,
    after: auditedFields(row),
  });
  return toFunder(row);
}

export type FunderChange = {
  name?: string | undefined;
  quotaMinor?: bigint | undefined;
  status?: FunderStatus | undefined;
  custodyBankName?: string | undefined;
};

/**
 * Changes a funder's name, quota, status or custody bank, under its row lock (allocations hold
 * the same lock, so a lower quota is checked against what loans use at this instant).
 */
export async function changeFunder(
  trx: Tx,
  config: Config,
  id: string,
  change: FunderChange & { actor: StaffActor; origin: Origin },
): Promise<Funder> {
  const t: FundingTx = trx;
  const before = await store.lockFunder(t, id);
  if (!before) throw funderNotFound(id);
  const errors = funderErrors({ kind: before.kind, ...change });
  // The own funds are not counted while unlimited, so they cannot be given a quota later: what
  // their loans use was never taken from one.
  if (before.quota_minor === null && change.quotaMinor !== undefined)
    errors.push({
      path: 'quotaMinor',
      message: `${before.code} is unlimited and not counted; it takes no quota`,
    });
  if (errors.length > 0) throw invalidInput('funder change', errors);
  if (change.quotaMinor !== undefined && change.quotaMinor < before.used_minor)
    throw quotaBelowUsed(before, change.quotaMinor);
  const after = await store.updateFunder(t, id, {
    ...(change.name === undefined ? {} : { name: change.name }),
    ...(change.quotaMinor === undefined ? {} : { quota_minor: change.quotaMinor }),
    ...(change.status === undefined ? {} : { status: change.status }),
    ...(change.custodyBankName === undefined ? {} : { custody_bank_name: change.custodyBankName }),
  });
  await audit(trx, config, {
    actor: change.actor,
    action: 'funding.funder-changed',
    subject: { type: 'funder', id },
    origin: change.origin,
    before: auditedFields(before),
    after: auditedFields(after),
  });
  return toFunder(after);
}

export async function funderById(db: DB | Tx, id: string): Promise<Funder> {
  const row = await store.findFunder(db as FundingDb, id);
  if (!row) throw funderNotFound(id);
  return toFunder(row);
}

export async function listFunders(db: DB | Tx): Promise<Funder[]> {
  return (await store.listFunders(db as FundingDb)).map(toFunder);
}

const uuid = z.uuid();

/**
 * The funder whose API key signed the request. A merchant's key, or a funder id that names no
 * funder, is "not found" like anything outside the caller's scope.
 */
export async function ownFunder(db: DB | Tx, scope: PartnerScope): Promise<Funder> {
  const row =
    scope.kind === 'funder' && uuid.safeParse(scope.ownerId).success
      ? await store.findOwnFunder(db as FundingDb, scope)
      : undefined;
  if (!row) throw new AppError('not_found', 'The caller is not a funder.');
  return toFunder(row);
}
