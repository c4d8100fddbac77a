import { sql } from 'kysely';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { type ApplicationView, applicationsWithDecision, applicationViewOf } from './applications.ts';
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
  let query = applicationsWithDecision(db);
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
  const applications = rows.map(applicationViewOf);
  const last = applications.length === limit ? applications.at(-1) : undefined;
  return { applications, next: last?.id ?? null };
}
