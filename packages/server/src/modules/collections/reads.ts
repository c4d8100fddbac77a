import type { DB } from '../../platform/db.ts';
import { c, caseInScope } from './cases.ts';
import { attemptsOfCase, targetsOfCustomer } from './contacts.ts';
import { promisesOfCase } from './promises.ts';
import { type CollectionsScope, pageLimitFor } from './scope.ts';
import type { CaseRow } from './tables.ts';
import { waiversOfCase } from './waivers.ts';

// Reads, always through the caller's scope: agency staff see their agency's cases only, a page at
// a time (no export).

export type CaseFilter = {
  state?: string | undefined;
  queue?: string | undefined;
  agentId?: string | undefined;
  agencyId?: string | undefined;
  bucket?: string | undefined;
  customerId?: string | undefined;
  open?: 'true' | 'false' | undefined;
  after?: string | undefined;
  limit?: number | undefined;
};

export async function listCases(
  db: DB,
  scope: CollectionsScope,
  filter: CaseFilter,
): Promise<{ items: CaseRow[]; next: string | null }> {
  const limit = Math.min(filter.limit ?? 50, pageLimitFor(scope));
  let query = c(db).selectFrom('collections_cases').selectAll();
  if (scope.kind === 'agency') query = query.where('agency_id', '=', scope.agencyId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.queue !== undefined) query = query.where('queue_code', '=', filter.queue);
  if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
  if (filter.agencyId !== undefined) query = query.where('agency_id', '=', filter.agencyId);
  if (filter.bucket !== undefined) query = query.where('bucket', '=', filter.bucket);
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.open === 'true') query = query.where('state', 'not in', ['resolved', 'written_off']);
  if (filter.open === 'false') query = query.where('state', 'in', ['resolved', 'written_off']);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  const rows = await query
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function caseDetail(db: DB, scope: CollectionsScope, caseId: string) {
  const row = await caseInScope(db, scope, caseId);
  const history = await c(db)
    .selectFrom('collections_case_history')
    .selectAll()
    .where('case_id', '=', row.id)
    .orderBy('id')
    .execute();
  return {
    row,
    history,
    targets: await targetsOfCustomer(db, row.customer_id),
    contacts: await attemptsOfCase(db, row.id),
    promises: await promisesOfCase(db, row.id),
    waivers: await waiversOfCase(db, row.id),
  };
}
