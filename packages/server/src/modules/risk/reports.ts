import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';

// The risk module's part of the approval funnel (modules/reports, docs/reports.md): the credit
// applications submitted in a range of business dates and what became of them, in one statement.

export type ApplicationFunnel = {
  /** Applications submitted in the range (their business date). */
  applications: number;
  /** Of them, approved: by the policy at once, or by a reviewer. */
  approved: number;
  /** Of them, those the policy sent to manual review (whatever the review decided since). */
  referred: number;
  /** Of them, rejected: by the policy, by a reviewer, or approved with no room under the exposure cap. */
  rejected: number;
  /** Of them, still waiting in the review queue. */
  inReview: number;
};

export async function applicationFunnel(
  db: DB | Tx,
  range: { from: DateString; to: DateString },
): Promise<ApplicationFunnel> {
  const rows = await sql<ApplicationFunnel>`
    SELECT count(*)::int AS applications,
           count(*) FILTER (WHERE a.status = 'approved')::int AS approved,
           count(*) FILTER (WHERE d.outcome = 'review')::int AS referred,
           count(*) FILTER (WHERE a.status = 'rejected')::int AS rejected,
           count(*) FILTER (WHERE a.status = 'in_review')::int AS "inReview"
    FROM risk_applications a
    LEFT JOIN risk_decisions d ON d.application_id = a.id AND d.assigned
    WHERE a.business_date BETWEEN ${range.from}::date AND ${range.to}::date`.execute(db);
  return rows.rows[0] ?? { applications: 0, approved: 0, referred: 0, rejected: 0, inReview: 0 };
}
