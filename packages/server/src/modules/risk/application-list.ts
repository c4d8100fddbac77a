import type { Decision } from '@fenqi/core';
import { sql } from 'kysely';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import type { ApplicationView } from './applications.ts';
import type { RiskDb } from './tables.ts';

// Credit applications for staff, a page at a time, newest first: a customer's applications with
// the deciding evaluation of each (its decision id opens the trace: GET /api/v1/risk/decisions/
// {decisionId}/replay), filtered in SQL.

export const applicationsPageMax = 200;

export type ApplicationFilter = {
  customerId?: string | undefined;
  status?: ApplicationView['status'] | undefined;
  outcome?: ApplicationView['decision']['outcome'] | undefined;
  from?: DateString | undefined;
  to?: DateString | undefined;
  /** The last application id of the previous page. */
  before?: string | undefined;
  limit: number;
};

export async function listApplications(
  db: DB,
  filter: ApplicationFilter,
): Promise<{ applications: ApplicationView[]; next: string | null }> {
  const r = db as RiskDb;
  const limit = Math.min(Math.max(filter.limit, 1), applicationsPageMax);
  let query = r
    .selectFrom('risk_applications as a')
    .innerJoin('risk_decisions as d', (join) =>
      join.onRef('d.application_id', '=', 'a.id').on('d.assigned', '=', true),
    )
    .select([
      'a.id',
      'a.customer_id',
      'a.status',
      'a.reasons',
      'a.line_id',
      'a.limit_minor',
      'a.business_date',
      'a.price',
      'a.products',
      'a.created_at',
      'a.decided_at',
      'd.id as decision_id',
      'd.policy_version_id',
      'd.role',
      'd.outcome',
      'd.score',
      'd.grade',
    ]);
  if (filter.customerId !== undefined) query = query.where('a.customer_id', '=', filter.customerId);
  if (filter.status !== undefined) query = query.where('a.status', '=', filter.status);
  if (filter.outcome !== undefined) query = query.where('d.outcome', '=', filter.outcome);
  if (filter.from !== undefined) query = query.where('a.business_date', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('a.business_date', '<=', filter.to);
  const before = filter.before;
  if (before !== undefined) {
    const anchor = await r
      .selectFrom('risk_applications')
      .select('id')
      .where('id', '=', before)
      .executeTakeFirst();
    if (anchor === undefined)
      throw new AppError('validation_failed', `There is no credit application ${before}.`, {
        errors: [{ in: 'query', path: 'before', message: 'is not an application' }],
      });
    // Row comparison in SQL: created_at has microseconds, which a JavaScript Date would drop.
    query = query.where(
      sql<boolean>`(a.created_at, a.id) < (SELECT b.created_at, b.id FROM risk_applications b WHERE b.id = ${before}::uuid)`,
    );
  }
  const rows = await query.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(limit).execute();
  const applications = rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    reasons: row.reasons,
    lineId: row.line_id,
    limitMinor: row.limit_minor === null ? null : BigInt(row.limit_minor),
    businessDate: row.business_date,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decision: {
      id: row.decision_id,
      policyVersionId: row.policy_version_id,
      role: row.role,
      outcome: row.outcome,
      score: row.score,
      grade: row.grade,
      price: (row.price as Decision['price']) ?? null,
      products: row.products,
    },
  }));
  const last = applications.length === limit ? applications.at(-1) : undefined;
  return { applications, next: last?.id ?? null };
}
