import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';

// Tables owned by the products module (migration 0017_products.sql).

type Created = ColumnType<Date, Date | undefined, never>;

export const versionStatuses = ['draft', 'pending', 'published', 'retired'] as const;
export type VersionStatus = (typeof versionStatuses)[number];

export interface ProductTable {
  id: string;
  code: string;
  created_by: string;
  created_at: Created;
}

export interface ProductVersionTable {
  id: string;
  product_id: string;
  version: number;
  status: VersionStatus;
  /** The product document as written (jsonb; written as its JSON text). */
  definition: ColumnType<unknown, string, string>;
  created_by: string;
  created_at: Created;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  requested_by: string | null;
  requested_at: Date | null;
  approval_request_id: string | null;
  published_by: string | null;
  published_at: Date | null;
  retired_by: string | null;
  retired_at: Date | null;
  superseded_by: string | null;
}

export type ProductVersionRow = Selectable<ProductVersionTable> & { code: string };

export interface ProductTables {
  products: ProductTable;
  product_versions: ProductVersionTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type ProductsDb = Kysely<ProductTables> | Transaction<ProductTables>;
export type ProductsTx = Transaction<ProductTables>;
