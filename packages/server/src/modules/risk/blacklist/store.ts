import { type Insertable, type Selectable, sql } from 'kysely';
import type { DateString } from '../../../platform/tables.ts';
import type {
  BlacklistDb,
  BlacklistEntryTable,
  BlacklistImportTable,
  BlacklistKind,
  BlacklistStatus,
  BlacklistTx,
} from './tables.ts';

// The SQL of the blacklist; nothing else touches risk_blacklist_entries or risk_blacklist_imports.
// Status changes are conditional updates (`WHERE status = …`): the row's current status decides,
// so two decisions racing on one entry cannot both apply.

export type EntryRow = Selectable<BlacklistEntryTable>;
export type ImportRecord = Selectable<BlacklistImportTable>;

/** The statuses that hold a value's one place (the unique index risk_blacklist_entries_one_live). */
export const liveStatuses = ['pending_add', 'active', 'pending_remove'] as const satisfies BlacklistStatus[];

/** The name of that index, as a unique violation reports it. */
export const oneLiveConstraint = 'risk_blacklist_entries_one_live';

/** Ids for new entries, taken before the insert: each value's ciphertext is bound to its row's id. */
export async function allocateEntryIds(trx: BlacklistTx, count: number): Promise<bigint[]> {
  const result = await sql<{ id: bigint }>`
    SELECT nextval(pg_get_serial_sequence('risk_blacklist_entries', 'id')) AS id
    FROM generate_series(1, ${count})`.execute(trx);
  return result.rows.map((row) => row.id);
}

export async function insertEntry(trx: BlacklistTx, row: Insertable<BlacklistEntryTable>): Promise<EntryRow> {
  return trx.insertInto('risk_blacklist_entries').values(row).returningAll().executeTakeFirstOrThrow();
}

export type ImportedEntry = {
  id: bigint;
  kind: BlacklistKind;
  matchKey: string;
  valueEnc: string | null;
  reasonCode: string;
  note: string | null;
  expiresOn: DateString | null;
};

/** Every entry of an import in one statement (arrays unnested: one parameter per column, not per value). */
export async function insertImportedEntries(
  trx: BlacklistTx,
  batch: { importId: string; proposedBy: string; approvalId: string },
  entries: readonly ImportedEntry[],
): Promise<number> {
  const column = <T>(pick: (entry: ImportedEntry) => T) => entries.map(pick);
  const result = await sql`
    INSERT INTO risk_blacklist_entries
      (id, kind, match_key, value_enc, reason_code, note, expires_on,
       source, import_id, status, proposed_by, add_approval_id)
    SELECT e.id, e.kind, e.match_key, e.value_enc, e.reason_code, e.note, e.expires_on,
           'import', ${batch.importId}::uuid, 'pending_add', ${batch.proposedBy}::uuid, ${batch.approvalId}::uuid
    FROM unnest(
      ${column((e) => e.id)}::int8[], ${column((e) => e.kind)}::text[], ${column((e) => e.matchKey)}::text[],
      ${column((e) => e.valueEnc)}::text[], ${column((e) => e.reasonCode)}::text[],
      ${column((e) => e.note)}::text[], ${column((e) => e.expiresOn)}::date[]
    ) AS e (id, kind, match_key, value_enc, reason_code, note, expires_on)`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

export async function insertImport(
  trx: BlacklistTx,
  row: Insertable<BlacklistImportTable>,
): Promise<ImportRecord> {
  return trx.insertInto('risk_blacklist_imports').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findImport(db: BlacklistDb, id: string): Promise<ImportRecord | undefined> {
  return db.selectFrom('risk_blacklist_imports').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findEntry(db: BlacklistDb, id: bigint): Promise<EntryRow | undefined> {
  return db.selectFrom('risk_blacklist_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockEntry(trx: BlacklistTx, id: bigint): Promise<EntryRow | undefined> {
  return trx
    .selectFrom('risk_blacklist_entries')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** The entries holding the place of these values (at most one each). */
export async function liveEntriesFor(
  db: BlacklistDb,
  values: readonly { kind: BlacklistKind; matchKey: string }[],
): Promise<EntryRow[]> {
  if (values.length === 0) return [];
  const result = await sql<EntryRow>`
    SELECT e.* FROM risk_blacklist_entries e
    JOIN unnest(${values.map((v) => v.kind)}::text[], ${values.map((v) => v.matchKey)}::text[]) AS v (kind, match_key)
      ON e.kind = v.kind AND e.match_key = v.match_key
    WHERE e.status IN ('pending_add', 'active', 'pending_remove')
    ORDER BY e.id`.execute(db);
  return result.rows;
}

/** The checker approved an addition: every entry waiting for that approval request becomes active (their ids). */
export async function activateEntries(
  trx: BlacklistTx,
  approval: { requestId: string; checkerId: string; businessDate: DateString },
): Promise<bigint[]> {
  const rows = await trx
    .updateTable('risk_blacklist_entries')
    .set({
      status: 'active',
      approved_by: approval.checkerId,
      approved_at: sql<Date>`now()`,
      active_from: approval.businessDate,
      updated_at: sql<Date>`now()`,
    })
    .where('add_approval_id', '=', approval.requestId)
    .where('status', '=', 'pending_add')
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The checker refused an addition: its entries give up their place. */
export async function rejectEntries(trx: BlacklistTx, approvalId: string): Promise<number> {
  const result = await trx
    .updateTable('risk_blacklist_entries')
    .set({ status: 'rejected', closed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('add_approval_id', '=', approvalId)
    .where('status', '=', 'pending_add')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function requestRemoval(
  trx: BlacklistTx,
  id: bigint,
  removal: { approvalId: string; requestedBy: string; note: string },
): Promise<EntryRow | undefined> {
  return trx
    .updateTable('risk_blacklist_entries')
    .set({
      status: 'pending_remove',
      removal_approval_id: removal.approvalId,
      removal_requested_by: removal.requestedBy,
      removal_requested_at: sql<Date>`now()`,
      removal_note: removal.note,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

export async function completeRemoval(
  trx: BlacklistTx,
  id: bigint,
  approval: { requestId: string; checkerId: string; businessDate: DateString },
): Promise<EntryRow | undefined> {
  return trx
    .updateTable('risk_blacklist_entries')
    .set({
      status: 'removed',
      removed_by: approval.checkerId,
      removed_at: sql<Date>`now()`,
      removed_on: approval.businessDate,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending_remove')
    .where('removal_approval_id', '=', approval.requestId)
    .returningAll()
    .executeTakeFirst();
}

/** The checker refused a removal: the entry is simply active again. */
export async function cancelRemoval(trx: BlacklistTx, id: bigint, approvalId: string): Promise<void> {
  await trx
    .updateTable('risk_blacklist_entries')
    .set({
      status: 'active',
      removal_approval_id: null,
      removal_requested_by: null,
      removal_requested_at: null,
      removal_note: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending_remove')
    .where('removal_approval_id', '=', approvalId)
    .execute();
}

/** An active entry past its expiry date gives up its place. */
export async function closeExpired(trx: BlacklistTx, id: bigint, businessDate: DateString): Promise<void> {
  await trx
    .updateTable('risk_blacklist_entries')
    .set({ status: 'expired', closed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .where('expires_on', '<=', businessDate)
    .execute();
}

/**
 * The entries that apply on `asOf` to any of the values: approved on or before it, not removed on
 * or before it, not expired on it. The statuses `removed` and `expired` stay in so that a decision
 * replayed for an earlier day sees what applied then.
 */
export async function entriesApplyingOn(
  db: BlacklistDb,
  values: readonly { kind: BlacklistKind; matchKey: string }[],
  asOf: DateString,
): Promise<Pick<EntryRow, 'id' | 'kind' | 'reason_code'>[]> {
  if (values.length === 0) return [];
  const result = await sql<Pick<EntryRow, 'id' | 'kind' | 'reason_code'>>`
    SELECT e.id, e.kind, e.reason_code FROM risk_blacklist_entries e
    JOIN unnest(${values.map((v) => v.kind)}::text[], ${values.map((v) => v.matchKey)}::text[]) AS v (kind, match_key)
      ON e.kind = v.kind AND e.match_key = v.match_key
    WHERE e.status IN ('active', 'pending_remove', 'removed', 'expired')
      AND e.active_from <= ${asOf}::date
      AND (e.removed_on IS NULL OR e.removed_on > ${asOf}::date)
      AND (e.expires_on IS NULL OR e.expires_on > ${asOf}::date)
    ORDER BY e.id`.execute(db);
  return result.rows;
}

export type EntryFilter = {
  kind?: BlacklistKind | undefined;
  status?: BlacklistStatus | undefined;
  importId?: string | undefined;
  before?: bigint | undefined;
  limit: number;
};

/** Newest first; `before` is the last id of the previous page. */
export async function listEntries(db: BlacklistDb, filter: EntryFilter): Promise<EntryRow[]> {
  let query = db.selectFrom('risk_blacklist_entries').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.importId !== undefined) query = query.where('import_id', '=', filter.importId);
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  return query.execute();
}

/** Every entry ever made for one value, newest first. */
export async function entriesForValue(
  db: BlacklistDb,
  value: { kind: BlacklistKind; matchKey: string },
  limit: number,
): Promise<EntryRow[]> {
  return db
    .selectFrom('risk_blacklist_entries')
    .selectAll()
    .where('kind', '=', value.kind)
    .where('match_key', '=', value.matchKey)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
