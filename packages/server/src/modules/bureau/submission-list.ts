import { sql } from 'kysely';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import type { BureauDb } from './tables.ts';

// The submissions made so far, newest first, for the console: each file's range, counts and digest
// — not the records left out (a month end's list can be long: GET /api/v1/bureau/submissions/{id}
// has it) and never the file (bureau:submit).

export const submissionsPageMax = 200;

export type SubmissionSummary = {
  id: string;
  rangeFrom: DateString;
  rangeTo: DateString;
  digest: string;
  bytes: number;
  records: number;
  excludedCount: number;
  corrects: string | null;
  createdBy: string;
  createdAt: Date;
};

export type SubmissionFilter = {
  /** Submissions whose range reaches this report date or later. */
  from?: DateString | undefined;
  /** Submissions whose range starts on this report date or earlier. */
  to?: DateString | undefined;
  corrections?: 'true' | 'false' | undefined;
  /** The last submission id of the previous page. */
  before?: string | undefined;
  limit: number;
};

export async function listSubmissions(
  db: DB,
  filter: SubmissionFilter,
): Promise<{ submissions: SubmissionSummary[]; next: string | null }> {
  const b = db as unknown as BureauDb;
  const limit = Math.min(Math.max(filter.limit, 1), submissionsPageMax);
  let query = b
    .selectFrom('bureau_submissions')
    .select([
      'id',
      'range_from',
      'range_to',
      'digest',
      'bytes',
      'records',
      sql<number>`jsonb_array_length(excluded)::int`.as('excluded_count'),
      'corrects',
      'created_by',
      'created_at',
    ]);
  if (filter.from !== undefined) query = query.where('range_to', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('range_from', '<=', filter.to);
  if (filter.corrections === 'true') query = query.where('corrects', 'is not', null);
  if (filter.corrections === 'false') query = query.where('corrects', 'is', null);
  const before = filter.before;
  if (before !== undefined) {
    const anchor = await b
      .selectFrom('bureau_submissions')
      .select('id')
      .where('id', '=', before)
      .executeTakeFirst();
    if (anchor === undefined)
      throw new AppError('validation_failed', `There is no submission ${before}.`, {
        errors: [{ in: 'query', path: 'before', message: 'is not a submission' }],
      });
    // Row comparison in SQL: created_at has microseconds, which a JavaScript Date would drop.
    query = query.where(
      sql<boolean>`(created_at, id) < (SELECT s.created_at, s.id FROM bureau_submissions s WHERE s.id = ${before}::uuid)`,
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const last = rows.length === limit ? rows.at(-1) : undefined;
  return {
    submissions: rows.map((row) => ({
      id: row.id,
      rangeFrom: row.range_from,
      rangeTo: row.range_to,
      digest: row.digest,
      bytes: Number(row.bytes),
      records: row.records,
      excludedCount: row.excluded_count,
      corrects: row.corrects,
      createdBy: row.created_by,
      createdAt: row.created_at,
    })),
    next: last?.id ?? null,
  };
}
