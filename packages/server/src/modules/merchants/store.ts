import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { PartnerScope } from '../iam/service.ts';
import type {
  MerchantScenario,
  MerchantStatus,
  MerchantStatusHistoryTable,
  MerchantsDb,
  MerchantsTx,
  MerchantTable,
} from './tables.ts';

// The SQL of the merchants module; nothing else touches its tables (tables.ts). The function that
// serves the merchant's own route takes its PartnerScope and filters by it in SQL (iam/scope.ts).

export type MerchantRow = Selectable<MerchantTable>;
export type StatusHistoryRow = Selectable<MerchantStatusHistoryTable>;

export async function insertMerchant(
  trx: MerchantsTx,
  row: Omit<Insertable<MerchantTable>, 'seq' | 'status' | 'status_reason' | 'status_changed_at'>,
): Promise<MerchantRow> {
  return trx.insertInto('merchants').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findMerchant(db: MerchantsDb, id: string): Promise<MerchantRow | undefined> {
  return db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The merchant row, locked: changes to one merchant happen one at a time. */
export async function lockMerchant(trx: MerchantsTx, id: string): Promise<MerchantRow | undefined> {
  return trx.selectFrom('merchants').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function merchantIdBySocialCreditCode(
  db: MerchantsDb,
  socialCreditCode: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('merchants')
    .select('id')
    .where('social_credit_code', '=', socialCreditCode)
    .executeTakeFirst();
  return row?.id;
}

export async function updateMerchant(
  trx: MerchantsTx,
  id: string,
  changes: Omit<Updateable<MerchantTable>, 'id' | 'seq' | 'created_at' | 'created_by' | 'updated_at'>,
): Promise<MerchantRow> {
  return trx
    .updateTable('merchants')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertStatusChange(
  trx: MerchantsTx,
  row: Insertable<MerchantStatusHistoryTable>,
): Promise<StatusHistoryRow> {
  return trx.insertInto('merchant_status_history').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function statusHistoryOf(db: MerchantsDb, merchantId: string): Promise<StatusHistoryRow[]> {
  return db
    .selectFrom('merchant_status_history')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('id', 'desc')
    .execute();
}

export type MerchantFilter = {
  status?: MerchantStatus | undefined;
  scenario?: MerchantScenario | undefined;
  /** The `seq` of the last merchant of the previous page. */
  before?: bigint | undefined;
  limit: number;
};

/** Newest first. */
export async function listMerchants(db: MerchantsDb, filter: MerchantFilter): Promise<MerchantRow[]> {
  let query = db.selectFrom('merchants').selectAll().orderBy('seq', 'desc').limit(filter.limit);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.scenario !== undefined) query = query.where('scenario', '=', filter.scenario);
  if (filter.before !== undefined) query = query.where('seq', '<', filter.before);
  return query.execute();
}

/** The calling merchant's own row (a funder's scope, or an owner id that is no merchant's, finds none). */
export async function findOwnMerchant(
  db: MerchantsDb,
  scope: PartnerScope,
): Promise<MerchantRow | undefined> {
  if (scope.kind !== 'merchant') return undefined;
  return db.selectFrom('merchants').selectAll().where('id', '=', scope.ownerId).executeTakeFirst();
}

/** The merchant row under a share lock: a concurrent status change waits for this transaction. */
export async function findMerchantForShare(trx: MerchantsTx, id: string): Promise<MerchantRow | undefined> {
  return trx.selectFrom('merchants').selectAll().where('id', '=', id).forShare().executeTakeFirst();
}
