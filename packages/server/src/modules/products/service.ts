import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { type ProductQuote, type QuoteInput, quoteUnder } from './quotes.ts';
import * as store from './store.ts';
import { getVersion, type ProductVersion, toVersion } from './versions.ts';

// The products module's public surface for other modules (the loans module above all). A loan is
// made under the code's current published version and pins its id; productVersionById reads any
// version, superseded and retired ones included, so a loan's product is always there.

export type { ProductQuote, QuoteInput } from './quotes.ts';
export type { ProductVersion } from './versions.ts';

/** The code's current published version; AppError product_not_available (422) when it has none. */
export async function publishedProductVersion(db: DB | Tx, code: string): Promise<ProductVersion> {
  const row = await store.publishedVersionOf(db, code);
  if (!row)
    throw new AppError(
      'product_not_available',
      `Product ${code} has no published version: nothing can be lent under it.`,
      {
        extensions: { productCode: code },
      },
    );
  return toVersion(row);
}

/** Any version by id (not_found when there is none). */
export function productVersionById(db: DB | Tx, id: string): Promise<ProductVersion> {
  return getVersion(db, id);
}

/**
 * The loan's terms, schedule and both annualized rates under the version. Throws validation_failed
 * with a field error per problem: a term not offered, a grade without a price, an amount outside
 * the product's limits, a malformed start date or merchant discount rate.
 */
export function quoteProductVersion(version: ProductVersion, input: QuoteInput): ProductQuote {
  return quoteUnder(version.product, input);
}
// Drafts and their publication (maker-checker), as the routes use them (for the simulation).
export { requestPublish as requestProductPublish } from './publishing.ts';
export { createDraft as createProductDraft } from './versions.ts';
