import { type Product, productPublishIssues } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { approvalAction, requestApproval } from '../iam/service.ts';
import { configureProductPosting } from '../ledger/index.ts';
import { definitionErrors, storedProduct } from './definitions.ts';
import * as store from './store.ts';
import type { ProductsTx, ProductVersionRow } from './tables.ts';
import { getVersion, lockForChange } from './versions.ts';

// Publishing is maker-checker. The maker (products:author) asks for a draft to be published: it is
// checked at once — every offered term at every grade's price within the APR cap (APR_CAP, default
// 24 % IRR, PBOC 2021 No. 3), no one-sum repayment over a year — and becomes pending, so it can no
// longer change. A checker (products:publish, a second factor) approves it through
// /api/v1/approvals; the same checks run again under the configuration of the approving server
// (a cap lowered meanwhile stops it), the code's published version, if any, is retired in favour
// of this one, and the ledger is told the version's posting basis. One version of a code waits at
// a time: a second publish request is refused (409) until the first is decided or withdrawn.

const label = (row: ProductVersionRow) => `Product ${row.code} v${row.version}`;

/** The publication rules; AppError product_not_publishable naming every (term, grade) that breaks one. */
export function checkPublishable(product: Product, config: Config, row: ProductVersionRow): void {
  const issues = productPublishIssues(product, { cap: new Decimal(config.aprCap) });
  if (issues.length > 0)
    throw new AppError(
      'product_not_publishable',
      `${label(row)} cannot be published: ${issues.length} term and grade problem(s) (APR cap ${config.aprCap}).`,
      { errors: definitionErrors(issues), extensions: { aprCap: config.aprCap } },
    );
}

const publishPayload = z.strictObject({ versionId: z.uuid() });

export const publishProductApproval = approvalAction({
  name: 'products.publish-version',
  summary: 'Publish a loan product version (it supersedes the code’s published version for new loans)',
  makerPermission: 'products:author',
  checkerPermission: 'products:publish',
  payload: publishPayload,
  execute: async (trx, payload, context) => {
    const { row, productId } = await lockForChange(trx, payload.versionId);
    if (row.status !== 'pending' || row.approval_request_id !== context.requestId)
      throw new AppError(
        'product_version_not_pending',
        `${label(row)} is ${row.status === 'pending' ? 'waiting on another publish request' : row.status}: this request can no longer publish it.`,
      );
    const { product } = storedProduct(row.id, row.status, row.definition);
    checkPublishable(product, context.config, row);
    const db: ProductsTx = trx;
    const current = await store.versionInStatus(db, productId, 'published');
    if (current !== undefined)
      await store.updateVersion(db, current.id, {
        status: 'retired',
        retired_at: new Date(),
        retired_by: context.checkerId,
        superseded_by: row.id,
      });
    await store.updateVersion(db, row.id, {
      status: 'published',
      published_at: new Date(),
      published_by: context.checkerId,
    });
    // The ledger's product dimension is the version id: the loans of this version post by its basis.
    await configureProductPosting(trx, row.id, { basis: product.postingBasis });
    const published = {
      versionId: row.id,
      code: row.code,
      version: row.version,
      supersededVersionId: current?.id ?? null,
    };
    if (current !== undefined)
      await publishEvent(trx, {
        type: 'products.version-retired',
        subject: { type: 'product-version', id: current.id },
        payload: {
          versionId: current.id,
          code: current.code,
          version: current.version,
          supersededBy: row.id,
        },
      });
    await publishEvent(trx, {
      type: 'products.version-published',
      subject: { type: 'product-version', id: row.id },
      payload: { ...published, makerId: context.makerId, checkerId: context.checkerId },
    });
    return published;
  },
});

/** The maker's step: checked now as the approval will check it, so a checker never sees what cannot apply. */
export async function requestPublish(
  trx: Tx,
  config: Config,
  input: {
    versionId: string;
    reason: string;
    maker: { userId: string; permissions: ReadonlySet<string> };
    origin: Origin;
  },
) {
  const { row, productId } = await lockForChange(trx, input.versionId);
  if (row.status !== 'draft')
    throw new AppError('product_version_not_draft', `${label(row)} is already ${row.status}.`);
  const db: ProductsTx = trx;
  const pending = await store.versionInStatus(db, productId, 'pending');
  if (pending !== undefined)
    throw new AppError(
      'product_publish_pending',
      `Product ${row.code} v${pending.version} is waiting for a checker: have it decided or withdraw it first.`,
      { extensions: { pendingVersionId: pending.id } },
    );
  const { product } = storedProduct(row.id, row.status, row.definition);
  checkPublishable(product, config, row);
  const approval = await requestApproval(trx, config, {
    action: publishProductApproval,
    payload: { versionId: row.id },
    reason: input.reason,
    maker: input.maker,
    origin: input.origin,
  });
  await store.updateVersion(db, row.id, {
    status: 'pending',
    requested_by: input.maker.userId,
    requested_at: new Date(),
    approval_request_id: approval.id,
  });
  return { approval, version: await getVersion(trx, row.id) };
}
