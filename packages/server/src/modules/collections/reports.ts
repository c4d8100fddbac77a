import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';

// The collections module's figures of the day for the management reports (modules/reports,
// docs/reports.md): contact attempts, promises to pay and cases, in one statement over its rows.

export type CollectionsDay = {
  contacts: { attempts: number; connected: number; refused: number };
  promises: { made: number; kept: number; broken: number };
  /** Cases open at the end of the date: opened on or before it, not closed by then. */
  casesOpen: number;
  casesOpened: number;
  casesClosed: number;
};

/**
 * A date's figures. Contact attempts count by the date they were made on in the case's own time
 * zone (`local_date`, the date the conduct rules count by); refused attempts (stopped by a conduct
 * rule, never made) are among the attempts. Promises count by the business date they were made or
 * settled on; cases by the business date they were opened or closed on.
 */
export async function collectionsDay(db: DB | Tx, date: DateString): Promise<CollectionsDay> {
  const d = sql`${date}::date`;
  const rows = await sql<{
    attempts: number;
    connected: number;
    refused: number;
    made: number;
    kept: number;
    broken: number;
    open: number;
    opened: number;
    closed: number;
  }>`
    SELECT c.attempts, c.connected, c.refused, p.made, p.kept, p.broken, k.open, k.opened, k.closed
    FROM (SELECT count(*)::int AS attempts,
                 count(*) FILTER (WHERE outcome = 'connected')::int AS connected,
                 count(*) FILTER (WHERE outcome = 'refused')::int AS refused
          FROM collections_contact_attempts WHERE local_date = ${d}) c,
         (SELECT count(*) FILTER (WHERE created_on = ${d})::int AS made,
                 count(*) FILTER (WHERE status = 'kept' AND settled_on = ${d})::int AS kept,
                 count(*) FILTER (WHERE status = 'broken' AND settled_on = ${d})::int AS broken
          FROM collections_promises WHERE created_on = ${d} OR settled_on = ${d}) p,
         (SELECT count(*) FILTER (WHERE opened_on <= ${d} AND (closed_on IS NULL OR closed_on > ${d}))::int AS open,
                 count(*) FILTER (WHERE opened_on = ${d})::int AS opened,
                 count(*) FILTER (WHERE closed_on = ${d})::int AS closed
          FROM collections_cases WHERE opened_on <= ${d}) k`.execute(db);
  const row = rows.rows[0];
  return {
    contacts: { attempts: row?.attempts ?? 0, connected: row?.connected ?? 0, refused: row?.refused ?? 0 },
    promises: { made: row?.made ?? 0, kept: row?.kept ?? 0, broken: row?.broken ?? 0 },
    casesOpen: row?.open ?? 0,
    casesOpened: row?.opened ?? 0,
    casesClosed: row?.closed ?? 0,
  };
}
