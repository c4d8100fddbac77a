import { sql, type Updateable } from 'kysely';
import type {
  ProductsDb,
  ProductsTx,
  ProductVersionRow,
  ProductVersionTable,
  VersionStatus,
} from './tables.ts';

// The SQL of the products module; nothing else touches its tables. Every change to a code's
// versions locks the code's products row first (lockProduct), then the version: two changes of
// one code queue on one row and never lock in opposite orders.

const versionColumns = [
  'v.id',
  'v.product_id',
  'v.version',
  'v.status',
  'v.definition',
  'v.created_by',
  'v.created_at',
  'v.updated_at',
  'v.requested_by',
  'v.requested_at',
  'v.approval_request_id',
  'v.published_by',
  'v.published_at',
  'v.retired_by',
  'v.retired_at',
  'v.superseded_by',
  'p.code',
] as const;

function versions(db: ProductsDb) {
  return db
    .selectFrom('product_versions as v')
    .innerJoin('products as p', 'p.id', 'v.product_id')
    .select(versionColumns);
}

/** The code's row, created with its first draft; locked until the transaction ends. */
export async function lockOrCreateProduct(
  trx: ProductsTx,
  row: { id: string; code: string; createdBy: string },
): Promise<string> {
  // A concurrent first draft of the same code makes this insert wait for it, then do nothing.
  await trx
    .insertInto('products')
    .values({ id: row.id, code: row.code, created_by: row.createdBy })
    .onConflict((conflict) => conflict.column('code').doNothing())
    .execute();
  const locked = await lockProduct(trx, row.code);
  if (locked === undefined) throw new Error(`product ${row.code} vanished after its insert`);
  return locked;
}

/** Locks the code's row (every change to its versions takes this lock first); its id, if any. */
export async function lockProduct(trx: ProductsTx, code: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('products')
    .select('id')
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
  return row?.id;
}

export async function nextVersionNumber(trx: ProductsTx, productId: string): Promise<number> {
  const row = await trx
    .selectFrom('product_versions')
    .select(sql<number>`coalesce(max(version), 0)::int + 1`.as('next'))
    .where('product_id', '=', productId)
    .executeTakeFirstOrThrow();
  return row.next;
}

export async function insertDraft(
  trx: ProductsTx,
  row: { id: string; productId: string; version: number; definition: unknown; createdBy: string },
): Promise<void> {
  await trx
    .insertInto('product_versions')
    .values({
      id: row.id,
      product_id: row.productId,
      version: row.version,
      status: 'draft',
      definition: JSON.stringify(row.definition),
      created_by: row.createdBy,
    })
    .execute();
}

export async function findVersion(db: ProductsDb, id: string): Promise<ProductVersionRow | undefined> {
  return versions(db).where('v.id', '=', id).executeTakeFirst();
}

/** The version, locked (a transaction only); its code's row must be locked first by the caller. */
export async function lockVersion(trx: ProductsTx, id: string): Promise<ProductVersionRow | undefined> {
  return versions(trx).where('v.id', '=', id).forUpdate('v').executeTakeFirst();
}

/** The code's version in `status` (at most one is published, at most one pending). */
export async function versionInStatus(
  db: ProductsDb,
  productId: string,
  status: Extract<VersionStatus, 'published' | 'pending'>,
): Promise<ProductVersionRow | undefined> {
  return versions(db).where('v.product_id', '=', productId).where('v.status', '=', status).executeTakeFirst();
}

export async function publishedVersionOf(
  db: ProductsDb,
  code: string,
): Promise<ProductVersionRow | undefined> {
  return versions(db).where('p.code', '=', code).where('v.status', '=', 'published').executeTakeFirst();
}

export const versionListMax = 500;

export async function listVersions(
  db: ProductsDb,
  filter: {
    code?: string | undefined;
    status?: VersionStatus | undefined;
    /** Keyset: the versions after this one in list order (code, newest version first). */
    after?: string | undefined;
    limit?: number | undefined;
  },
): Promise<ProductVersionRow[]> {
  let query = versions(db)
    .orderBy('p.code')
    .orderBy('v.version', 'desc')
    .limit(Math.min(filter.limit ?? versionListMax, versionListMax));
  if (filter.code !== undefined) query = query.where('p.code', '=', filter.code);
  if (filter.status !== undefined) query = query.where('v.status', '=', filter.status);
  if (filter.after !== undefined) {
    const last = versions(db).where('v.id', '=', filter.after);
    query = query.where((eb) =>
      eb.or([
        eb('p.code', '>', last.clearSelect().select('p.code')),
        eb.and([
          eb('p.code', '=', last.clearSelect().select('p.code')),
          eb('v.version', '<', last.clearSelect().select('v.version')),
        ]),
      ]),
    );
  }
  return query.execute();
}

/** Every code's published version, by code. */
export async function publishedVersions(db: ProductsDb): Promise<ProductVersionRow[]> {
  return versions(db).where('v.status', '=', 'published').orderBy('p.code').limit(versionListMax).execute();
}

export async function updateVersion(
  trx: ProductsTx,
  id: string,
  change: Omit<
    Updateable<ProductVersionTable>,
    'id' | 'product_id' | 'version' | 'created_by' | 'updated_at'
  >,
): Promise<void> {
  await trx
    .updateTable('product_versions')
    .set({ ...change, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}
