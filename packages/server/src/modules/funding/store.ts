import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { PartnerScope } from '../iam/service.ts';
import type {
  CustodyHolderKind,
  FundingAllocationShareTable,
  FundingAllocationTable,
  FundingCustodyAccountTable,
  FundingCustodyInstructionTable,
  FundingDb,
  FundingFunderTable,
  FundingRuleVersionTable,
  FundingTx,
} from './tables.ts';

// The SQL of the funding module; nothing else touches its tables. Locking reads take a
// transaction only. Allocation and release lock a loan's funders in id order (one statement,
// ORDER BY id FOR UPDATE), so two loans sharing funders queue on the same rows in the same order
// and never deadlock.

export type FunderRow = Selectable<FundingFunderTable>;
export type RuleVersionRow = Selectable<FundingRuleVersionTable>;
export type AllocationRow = Selectable<FundingAllocationTable>;
export type ShareRow = Selectable<FundingAllocationShareTable>;
export type CustodyAccountRow = Selectable<FundingCustodyAccountTable>;
export type InstructionRow = Selectable<FundingCustodyInstructionTable>;

// ---- Funders ----

export async function insertFunder(trx: FundingTx, row: Insertable<FundingFunderTable>): Promise<FunderRow> {
  return trx.insertInto('funding_funders').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findFunder(db: FundingDb, id: string): Promise<FunderRow | undefined> {
  return db.selectFrom('funding_funders').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The funder a partner's API key belongs to (`ownerId` is a uuid, checked by the caller). */
export async function findOwnFunder(db: FundingDb, scope: PartnerScope): Promise<FunderRow | undefined> {
  if (scope.kind !== 'funder') return undefined;
  return db.selectFrom('funding_funders').selectAll().where('id', '=', scope.ownerId).executeTakeFirst();
}

export async function findFunders(db: FundingDb, ids: readonly string[]): Promise<FunderRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('funding_funders').selectAll().where('id', 'in', ids).execute();
}

export async function findFunderByCode(db: FundingDb, code: string): Promise<FunderRow | undefined> {
  return db.selectFrom('funding_funders').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function listFunders(db: FundingDb): Promise<FunderRow[]> {
  return db.selectFrom('funding_funders').selectAll().orderBy('code').execute();
}

export async function lockFunder(trx: FundingTx, id: string): Promise<FunderRow | undefined> {
  return trx.selectFrom('funding_funders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Locks funders in id order until the transaction ends. */
export async function lockFunders(trx: FundingTx, ids: readonly string[]): Promise<FunderRow[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('funding_funders')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function updateFunder(
  trx: FundingTx,
  id: string,
  patch: Updateable<FundingFunderTable>,
): Promise<FunderRow> {
  return trx
    .updateTable('funding_funders')
    .set({ ...patch, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds `deltaMinor` (negative to give quota back) to what a funder's loans use. */
export async function addUsed(trx: FundingTx, id: string, deltaMinor: bigint): Promise<void> {
  await trx
    .updateTable('funding_funders')
    .set({ used_minor: sql`used_minor + ${deltaMinor}::int8`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

// ---- Rules ----

/** The rule in force for a product: its highest version. */
export async function currentRule(db: FundingDb, productCode: string): Promise<RuleVersionRow | undefined> {
  return db
    .selectFrom('funding_rule_versions')
    .selectAll()
    .where('product_code', '=', productCode)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function ruleVersions(db: FundingDb, productCode: string): Promise<RuleVersionRow[]> {
  return db
    .selectFrom('funding_rule_versions')
    .selectAll()
    .where('product_code', '=', productCode)
    .orderBy('version', 'desc')
    .execute();
}

/** Every product's rule in force. */
export async function currentRules(db: FundingDb): Promise<RuleVersionRow[]> {
  const result = await sql<RuleVersionRow>`
    SELECT DISTINCT ON (product_code) *
    FROM funding_rule_versions
    ORDER BY product_code, version DESC`.execute(db);
  return result.rows;
}

export async function insertRuleVersion(
  trx: FundingTx,
  row: Omit<Insertable<FundingRuleVersionTable>, 'version'>,
): Promise<RuleVersionRow> {
  // The next version in the same statement; two approvals racing for one product collide on the
  // primary key (a 409), never both become version n.
  const result = await sql<RuleVersionRow>`
    INSERT INTO funding_rule_versions
      (product_code, version, kind, min_bank_share_bp, funders, reason, approval_request_id, maker_id, checker_id)
    SELECT ${row.product_code}, coalesce(max(version), 0) + 1, ${row.kind}, ${row.min_bank_share_bp},
           ${row.funders}::jsonb, ${row.reason}, ${row.approval_request_id}::uuid, ${row.maker_id}, ${row.checker_id}
    FROM funding_rule_versions WHERE product_code = ${row.product_code}
    RETURNING *`.execute(trx);
  const inserted = result.rows[0];
  if (!inserted) throw new Error('the rule version was not inserted');
  return inserted;
}

// ---- Allocations ----

export async function findAllocation(db: FundingDb, loanId: string): Promise<AllocationRow | undefined> {
  return db.selectFrom('funding_allocations').selectAll().where('loan_id', '=', loanId).executeTakeFirst();
}

export async function lockAllocation(trx: FundingTx, loanId: string): Promise<AllocationRow | undefined> {
  return trx
    .selectFrom('funding_allocations')
    .selectAll()
    .where('loan_id', '=', loanId)
    .forUpdate()
    .executeTakeFirst();
}

/** Inserts the allocation unless the loan has one (then: undefined, after a concurrent one committed). */
export async function insertAllocation(
  trx: FundingTx,
  row: Insertable<FundingAllocationTable>,
): Promise<AllocationRow | undefined> {
  return trx
    .insertInto('funding_allocations')
    .values(row)
    .onConflict((oc) => oc.column('loan_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function insertShares(
  trx: FundingTx,
  rows: readonly Insertable<FundingAllocationShareTable>[],
): Promise<void> {
  await trx
    .insertInto('funding_allocation_shares')
    .values([...rows])
    .execute();
}

export type ShareWithFunder = ShareRow & Pick<FunderRow, 'code' | 'kind'>;

export async function sharesOf(db: FundingDb, loanId: string): Promise<ShareWithFunder[]> {
  return db
    .selectFrom('funding_allocation_shares as s')
    .innerJoin('funding_funders as f', 'f.id', 's.funder_id')
    .select(['s.loan_id', 's.position', 's.funder_id', 's.share_bp', 's.principal_minor', 'f.code', 'f.kind'])
    .where('s.loan_id', '=', loanId)
    .orderBy('s.position')
    .execute();
}

export async function markReleased(trx: FundingTx, loanId: string): Promise<void> {
  await trx
    .updateTable('funding_allocations')
    .set({ status: 'released', released_at: sql`now()` })
    .where('loan_id', '=', loanId)
    .execute();
}

// ---- Custody ----

/** Inserts a sub-account unless its reference or its holder is registered already (then undefined). */
export async function insertCustodyAccount(
  trx: FundingTx,
  row: Insertable<FundingCustodyAccountTable>,
): Promise<CustodyAccountRow | undefined> {
  return trx
    .insertInto('funding_custody_accounts')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The sub-account that has this reference or this holder (what blocked an insert). */
export async function findCustodyAccountClash(
  db: FundingDb,
  funderId: string,
  account: { accountRef: string; holderKind: CustodyHolderKind; holderRef: string },
): Promise<CustodyAccountRow | undefined> {
  return db
    .selectFrom('funding_custody_accounts')
    .selectAll()
    .where('funder_id', '=', funderId)
    .where((eb) =>
      eb.or([
        eb('account_ref', '=', account.accountRef),
        eb.and([eb('holder_kind', '=', account.holderKind), eb('holder_ref', '=', account.holderRef)]),
      ]),
    )
    .orderBy('created_at')
    .executeTakeFirst();
}

export async function custodyAccountsOf(db: FundingDb, funderId: string): Promise<CustodyAccountRow[]> {
  return db
    .selectFrom('funding_custody_accounts')
    .selectAll()
    .where('funder_id', '=', funderId)
    .orderBy('holder_kind')
    .orderBy('account_ref')
    .execute();
}

export async function findCustodyAccountsByRef(
  db: FundingDb,
  funderId: string,
  refs: readonly string[],
): Promise<CustodyAccountRow[]> {
  if (refs.length === 0) return [];
  return db
    .selectFrom('funding_custody_accounts')
    .selectAll()
    .where('funder_id', '=', funderId)
    .where('account_ref', 'in', refs)
    .execute();
}

/** Locks sub-accounts in id order until the transaction ends. */
export async function lockCustodyAccounts(
  trx: FundingTx,
  ids: readonly string[],
): Promise<CustodyAccountRow[]> {
  return trx
    .selectFrom('funding_custody_accounts')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function addCustodyBalance(trx: FundingTx, id: string, deltaMinor: bigint): Promise<void> {
  await trx
    .updateTable('funding_custody_accounts')
    .set({ balance_minor: sql`balance_minor + ${deltaMinor}::int8`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/**
 * Serialises the handling of one bank instruction id of one pool until the transaction ends: a
 * resent instruction racing the first waits for it and then finds it recorded. Different ids do
 * not wait for each other (a hash collision only makes two of them queue).
 */
export async function lockInstructionId(
  trx: FundingTx,
  funderId: string,
  instructionId: string,
): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`funding.custody:${funderId}:${instructionId}`}, 0))`.execute(
    trx,
  );
}

export async function findInstruction(
  db: FundingDb,
  funderId: string,
  instructionId: string,
): Promise<InstructionRow | undefined> {
  return db
    .selectFrom('funding_custody_instructions')
    .selectAll()
    .where('funder_id', '=', funderId)
    .where('instruction_id', '=', instructionId)
    .executeTakeFirst();
}

export async function insertInstruction(
  trx: FundingTx,
  row: Insertable<FundingCustodyInstructionTable>,
): Promise<InstructionRow> {
  return trx.insertInto('funding_custody_instructions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findCustodyAccountsById(
  db: FundingDb,
  ids: readonly string[],
): Promise<CustodyAccountRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('funding_custody_accounts').selectAll().where('id', 'in', ids).execute();
}
