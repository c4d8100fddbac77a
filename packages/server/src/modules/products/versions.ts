import { randomUUID } from 'node:crypto';
import type { Product, ProductDefinition } from '@fenqi/core';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { appendAudit } from '../iam/service.ts';
import { checkedProduct, storedProduct } from './definitions.ts';
import * as store from './store.ts';
import type { ProductsTx, ProductVersionRow, VersionStatus } from './tables.ts';

// Product versions: a draft is written and rewritten by an operator (products:author); publishing
// it is maker-checker (publishing.ts); once published it never changes and loans pin it. A newer
// published version of the code retires it for new loans; staff may also retire the published
// version outright, after which the code lends nothing until another version is published.

export type ProductVersion = {
  id: string;
  code: string;
  version: number;
  status: VersionStatus;
  product: Product;
  definition: ProductDefinition;
  publishedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  requestedBy: string | null;
  requestedAt: Date | null;
  /** The approval request that alone may publish the version while it is pending. */
  approvalRequestId: string | null;
  publishedBy: string | null;
  retiredBy: string | null;
  retiredAt: Date | null;
  /** The version whose publication retired this one. */
  supersededBy: string | null;
};

export function toVersion(row: ProductVersionRow): ProductVersion {
  const { product, definition } = storedProduct(row.id, row.status, row.definition);
  return {
    id: row.id,
    code: row.code,
    version: row.version,
    status: row.status,
    product,
    definition,
    publishedAt: row.published_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    approvalRequestId: row.approval_request_id,
    publishedBy: row.published_by,
    retiredBy: row.retired_by,
    retiredAt: row.retired_at,
    supersededBy: row.superseded_by,
  };
}

function notFound(id: string): AppError {
  return new AppError('not_found', `There is no product version ${id}.`);
}

const label = (row: ProductVersionRow) => `Product ${row.code} v${row.version}`;

export async function getVersion(db: DB | Tx, id: string): Promise<ProductVersion> {
  const row = await store.findVersion(db, id);
  if (!row) throw notFound(id);
  return toVersion(row);
}

export async function listVersions(
  db: DB,
  filter: {
    code?: string | undefined;
    status?: VersionStatus | undefined;
    after?: string | undefined;
    limit?: number | undefined;
  },
): Promise<ProductVersion[]> {
  return (await store.listVersions(db, filter)).map(toVersion);
}

/** Every code's current published version. */
export async function publishedVersions(db: DB): Promise<ProductVersion[]> {
  return (await store.publishedVersions(db)).map(toVersion);
}

/**
 * The version locked for a change, behind its code's lock (lock order: code, then version). The
 * version is read once unlocked to learn its code; what is decided on is the locked reading.
 */
export async function lockForChange(
  trx: Tx,
  id: string,
): Promise<{ row: ProductVersionRow; productId: string }> {
  const db: ProductsTx = trx;
  const seen = await store.findVersion(db, id);
  if (!seen) throw notFound(id);
  const productId = await store.lockProduct(db, seen.code);
  const row = await store.lockVersion(db, id);
  if (!row || productId === undefined) throw notFound(id);
  return { row, productId };
}

export async function createDraft(
  trx: Tx,
  input: { definition: unknown; actor: string },
): Promise<ProductVersion> {
  const { product } = checkedProduct(input.definition);
  const db: ProductsTx = trx;
  const productId = await store.lockOrCreateProduct(db, {
    id: randomUUID(),
    code: product.code,
    createdBy: input.actor,
  });
  const id = randomUUID();
  await store.insertDraft(db, {
    id,
    productId,
    version: await store.nextVersionNumber(db, productId),
    definition: input.definition,
    createdBy: input.actor,
  });
  return getVersion(trx, id);
}

export async function updateDraft(
  trx: Tx,
  input: { versionId: string; definition: unknown },
): Promise<ProductVersion> {
  const { row } = await lockForChange(trx, input.versionId);
  if (row.status !== 'draft')
    throw new AppError(
      'product_version_not_draft',
      `${label(row)} is ${row.status}: only a draft can change.`,
    );
  const { product } = checkedProduct(input.definition);
  if (product.code !== row.code)
    throw new AppError('validation_failed', 'A draft keeps its product code.', {
      errors: [
        {
          in: 'body',
          path: 'definition/code',
          message: `must stay ${row.code}: a new code is a new product`,
        },
      ],
    });
  await store.updateVersion(trx, row.id, { definition: JSON.stringify(input.definition) });
  return getVersion(trx, row.id);
}

/**
 * A pending version back to draft: its publish request can no longer publish it (the approval's
 * execution finds the version is not pending on that request and refuses; the checker rejects it).
 */
export async function withdrawPublish(
  trx: Tx,
  config: Config,
  input: { versionId: string; actor: string; origin: Origin },
): Promise<ProductVersion> {
  const { row } = await lockForChange(trx, input.versionId);
  if (row.status !== 'pending')
    throw new AppError(
      'product_version_not_pending',
      `${label(row)} is ${row.status}: no publish waits to be withdrawn.`,
    );
  await store.updateVersion(trx, row.id, {
    status: 'draft',
    requested_by: null,
    requested_at: null,
    approval_request_id: null,
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: input.actor },
    action: 'products.publish-withdrawn',
    subject: { type: 'product-version', id: row.id },
    origin: input.origin,
    before: { status: 'pending', approvalRequestId: row.approval_request_id },
    after: { status: 'draft' },
  });
  return getVersion(trx, row.id);
}

/** Stops new loans under the published version; the loans made under it keep it. */
export async function retireVersion(
  trx: Tx,
  config: Config,
  input: { versionId: string; reason: string; actor: string; origin: Origin },
): Promise<ProductVersion> {
  const { row } = await lockForChange(trx, input.versionId);
  if (row.status !== 'published')
    throw new AppError(
      'product_version_not_published',
      `${label(row)} is ${row.status}: only the published version can be retired.`,
    );
  await store.updateVersion(trx, row.id, {
    status: 'retired',
    retired_at: new Date(),
    retired_by: input.actor,
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: input.actor },
    action: 'products.version-retired',
    subject: { type: 'product-version', id: row.id },
    origin: input.origin,
    before: { status: 'published' },
    after: { status: 'retired' },
    details: { reason: input.reason },
  });
  await publishEvent(trx, {
    type: 'products.version-retired',
    subject: { type: 'product-version', id: row.id },
    payload: { versionId: row.id, code: row.code, version: row.version, supersededBy: null },
  });
  return getVersion(trx, row.id);
}
