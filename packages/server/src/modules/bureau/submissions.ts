import { randomUUID } from 'node:crypto';
import {
  type Identity,
  identityFailures,
  parseFeedbackCsv,
  parseFeedbackXml,
  type RuleFailure,
  SubmissionFileWriter,
  sha256Hex,
  validateRecord,
} from '@fenqi/core';
import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { bureauIdentitiesOf } from '../customers/bureau-identity.ts';
import { build, factsFromJson, factsJson, recordOfRow } from './build.ts';
import { feedbackUnreadable, recordNotRejected } from './problems.ts';
import type { BureauTx, RecordRow } from './tables.ts';

// Submission files, the bureau's feedback, corrections. A file takes the pending records of a
// date range (or the records named), oldest first (within a date: 10, 40, 30, then 20/32, the
// order the events happened in), checks each again — its rules, and the borrower's identity read
// from customers only now — writes the valid ones in chunks with the digest, marks them submitted,
// and lists the others with their failing rules (they stay pending). Feedback marks records
// accepted or rejected; a rejected record is corrected by building it again from the facts it was
// built from, the new record superseding it and going out in a file of its own.

const t = (trx: Tx) => trx as unknown as BureauTx;
export const filePageSize = 5000;

/** Who the borrowers are, for a page of records (customers' service; the benchmark stubs it). */
export type IdentityResolver = (
  trx: Tx,
  customerIds: readonly string[],
  submissionId: string,
) => Promise<Map<string, Identity>>;

export const customersIdentities =
  (config: Config, actorId: string): IdentityResolver =>
  (trx, customerIds, submissionId) =>
    bureauIdentitiesOf(trx, config, { customerIds, sourceRef: submissionId, actorId });

export type Excluded = {
  recordId: string;
  acctCode: string;
  rptDate: string;
  rptDateCode: string;
  failures: RuleFailure[];
};

export type Submission = {
  id: string;
  rangeFrom: DateString;
  rangeTo: DateString;
  digest: string;
  bytes: number;
  records: number;
  excluded: Excluded[];
  corrects: string | null;
  createdBy: string;
  createdAt: Date;
};

const codeRank = sql`CASE rpt_date_code WHEN '10' THEN 0 WHEN '40' THEN 1 WHEN '30' THEN 2 ELSE 3 END`;

type Scope = { from: DateString; to: DateString } | { recordIds: readonly string[] };

async function pageOf(
  trx: Tx,
  scope: Scope,
  after: { rptDate: string; rank: number; id: string } | null,
  limit: number,
): Promise<(RecordRow & { rank: number })[]> {
  const where =
    'recordIds' in scope
      ? sql`id = ANY(${[...scope.recordIds]}::uuid[])`
      : sql`rpt_date BETWEEN ${scope.from}::date AND ${scope.to}::date`;
  const keyset =
    after === null
      ? sql`true`
      : sql`(rpt_date, ${codeRank}, id) > (${after.rptDate}::date, ${after.rank}::int, ${after.id}::uuid)`;
  const rows = await sql<RecordRow & { rank: number }>`
    SELECT *, ${codeRank} AS rank FROM bureau_records
    WHERE status = 'pending' AND ${where} AND ${keyset}
    ORDER BY rpt_date, ${codeRank}, id
    LIMIT ${limit}`.execute(trx);
  return rows.rows;
}

export async function createSubmission(
  trx: Tx,
  input: {
    scope: Scope;
    actor: string;
    identities: IdentityResolver;
    corrects?: string;
    pageSize?: number;
  },
): Promise<Submission> {
  const id = randomUUID();
  const range =
    'recordIds' in input.scope
      ? await sql<{ from: string | null; to: string | null }>`
          SELECT min(rpt_date)::text AS from, max(rpt_date)::text AS to FROM bureau_records
          WHERE id = ANY(${[...input.scope.recordIds]}::uuid[])`.execute(trx)
      : { rows: [{ from: input.scope.from, to: input.scope.to }] };
  const from = range.rows[0]?.from ?? '1970-01-01';
  const to = range.rows[0]?.to ?? from;
  await t(trx)
    .insertInto('bureau_submissions')
    .values({
      id,
      range_from: from,
      range_to: to,
      digest: '0'.repeat(64),
      bytes: 0,
      records: 0,
      excluded: '[]',
      corrects: input.corrects ?? null,
      created_by: input.actor,
    })
    .execute();
  const writer = new SubmissionFileWriter();
  let n = 0;
  const chunk = async (xml: string) => {
    if (xml === '') return;
    n += 1;
    await t(trx).insertInto('bureau_submission_chunks').values({ submission_id: id, n, xml }).execute();
  };
  await chunk(writer.head());
  const excluded: Excluded[] = [];
  let after: { rptDate: string; rank: number; id: string } | null = null;
  const limit = input.pageSize ?? filePageSize;
  for (;;) {
    const rows = await pageOf(trx, input.scope, after, limit);
    if (rows.length === 0) break;
    const last = rows.at(-1);
    if (last !== undefined) after = { rptDate: last.rpt_date, rank: Number(last.rank), id: last.id };
    const identities = await input.identities(
      trx,
      rows.map((r) => r.customer_id),
      id,
    );
    const valid: { record: ReturnType<typeof recordOfRow>; identity: Identity }[] = [];
    const submitted: string[] = [];
    for (const row of rows) {
      const record = recordOfRow(row);
      const identity = identities.get(row.customer_id);
      const failures = [...validateRecord(record), ...identityFailures(identity)];
      if (failures.length > 0 || identity === undefined) {
        excluded.push({
          recordId: row.id,
          acctCode: row.acct_code,
          rptDate: row.rpt_date,
          rptDateCode: row.rpt_date_code,
          failures,
        });
        continue;
      }
      valid.push({ record, identity });
      submitted.push(row.id);
    }
    await chunk(writer.records(valid));
    if (submitted.length > 0)
      await sql`UPDATE bureau_records SET status = 'submitted', submission_id = ${id}::uuid
                WHERE id = ANY(${submitted}::uuid[])`.execute(trx);
    if (rows.length < limit) break;
  }
  const done = writer.finish();
  await chunk(done.tail);
  const row = await t(trx)
    .updateTable('bureau_submissions')
    .set({ digest: done.digest, records: done.records, excluded: JSON.stringify(excluded) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await sql`UPDATE bureau_submissions SET bytes = ${done.bytes} WHERE id = ${id}::uuid`.execute(trx);
  return { ...toSubmission(row), bytes: done.bytes };
}

export function toSubmission(row: {
  id: string;
  range_from: string;
  range_to: string;
  digest: string;
  bytes: bigint | number | string;
  records: number;
  excluded: unknown;
  corrects: string | null;
  created_by: string;
  created_at: Date;
}): Submission {
  return {
    id: row.id,
    rangeFrom: row.range_from,
    rangeTo: row.range_to,
    digest: row.digest,
    bytes: Number(row.bytes),
    records: row.records,
    excluded: row.excluded as Excluded[],
    corrects: row.corrects,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export async function submissionById(
  db: Tx | import('../../platform/db.ts').DB,
  id: string,
): Promise<Submission> {
  const row = await t(db as Tx)
    .selectFrom('bureau_submissions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', `There is no submission ${id}.`);
  return toSubmission(row);
}

/** The file's text, its chunks joined. */
export async function submissionXml(db: Tx | import('../../platform/db.ts').DB, id: string): Promise<string> {
  const chunks = await t(db as Tx)
    .selectFrom('bureau_submission_chunks')
    .select('xml')
    .where('submission_id', '=', id)
    .orderBy('n')
    .execute();
  return chunks.map((c) => c.xml).join('');
}

export type FeedbackImport = {
  id: string;
  created: boolean;
  format: 'xml' | 'csv';
  submissionId: string | null;
  accepted: number;
  rejected: number;
  unmatched: unknown[];
};

/**
 * Marks records from the bureau's feedback. XML (the bureau's): the records it lists are rejected
 * with its code and message, every other record of the submission is accepted. CSV: each line
 * marks one record. Only submitted records change (a record accepted or rejected already keeps its
 * mark); the same file imported again answers the first import.
 */
export async function importFeedback(
  trx: Tx,
  input: { content: string; submissionId?: string | undefined; actor: string },
): Promise<FeedbackImport> {
  const sha256 = sha256Hex(input.content);
  const earlier = await t(trx)
    .selectFrom('bureau_feedback_imports')
    .selectAll()
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (earlier !== undefined)
    return {
      id: earlier.id,
      created: false,
      format: earlier.format,
      submissionId: earlier.submission_id,
      accepted: earlier.accepted,
      rejected: earlier.rejected,
      unmatched: earlier.unmatched,
    };
  const xml = parseFeedbackXml(input.content);
  let accepted = 0;
  let rejected = 0;
  const unmatched: unknown[] = [];
  let format: 'xml' | 'csv';
  if (xml !== undefined) {
    format = 'xml';
    if (input.submissionId === undefined)
      throw feedbackUnreadable('The bureau’s feedback file answers one submission: name it (submissionId).');
    await submissionById(trx, input.submissionId);
    for (const item of xml) {
      const marked = await sql<{ id: string }>`
        UPDATE bureau_records SET status = 'rejected', feedback_code = ${item.code}, feedback_reason = ${item.message}
        WHERE submission_id = ${input.submissionId}::uuid AND status = 'submitted' AND acct_code = ${item.acctCode}
          AND rpt_date = ${item.rptDate}::date AND rpt_date_code = ${item.rptDateCode}
        RETURNING id`.execute(trx);
      if (marked.rows.length === 0) unmatched.push(item);
      rejected += marked.rows.length;
    }
    const rest = await sql<{ id: string }>`
      UPDATE bureau_records SET status = 'accepted'
      WHERE submission_id = ${input.submissionId}::uuid AND status = 'submitted' RETURNING id`.execute(trx);
    accepted = rest.rows.length;
  } else {
    const csv = parseFeedbackCsv(input.content);
    if (!csv.ok)
      throw feedbackUnreadable(
        'The content is neither the bureau’s XML feedback nor a CSV of recordId,result,reason.',
        csv.badLines,
      );
    format = 'csv';
    for (const line of csv.lines) {
      const marked = await sql<{ id: string }>`
        UPDATE bureau_records SET status = ${line.result}, feedback_reason = ${line.reason === '' ? null : line.reason}
        WHERE id = ${line.recordId}::uuid AND status = 'submitted'
          ${input.submissionId === undefined ? sql`` : sql`AND submission_id = ${input.submissionId}::uuid`}
        RETURNING id`.execute(trx);
      if (marked.rows.length === 0) unmatched.push(line);
      else if (line.result === 'accepted') accepted += 1;
      else rejected += 1;
    }
  }
  const id = randomUUID();
  await t(trx)
    .insertInto('bureau_feedback_imports')
    .values({
      id,
      submission_id: input.submissionId ?? null,
      format,
      sha256,
      accepted,
      rejected,
      unmatched: JSON.stringify(unmatched),
      imported_by: input.actor,
    })
    .execute();
  return {
    id,
    created: true,
    format,
    submissionId: input.submissionId ?? null,
    accepted,
    rejected,
    unmatched,
  };
}

/**
 * A rejected record built again from its facts (with today's settings and rules), superseding it,
 * and resubmitted in a file of its own. Answers the new record's id and the file.
 */
export async function correctRecord(
  trx: Tx,
  input: { recordId: string; actor: string; identities: IdentityResolver; generatedOn: DateString },
): Promise<{ recordId: string; submission: Submission }> {
  const old = await t(trx)
    .selectFrom('bureau_records')
    .selectAll()
    .where('id', '=', input.recordId)
    .forUpdate()
    .executeTakeFirst();
  if (old === undefined) throw new AppError('not_found', `There is no record ${input.recordId}.`);
  if (old.status !== 'rejected') throw recordNotRejected(old.id, old.status);
  const id = randomUUID();
  let segments: unknown = old.segments;
  let facts: unknown = old.facts;
  let errors: unknown[] = [];
  let rpyStatus = old.rpy_status;
  if (old.info_type === '210') {
    const rebuilt = build(factsFromJson(old.facts));
    segments = rebuilt.record.segments;
    facts = JSON.parse(factsJson(rebuilt.facts));
    errors = rebuilt.errors;
    rpyStatus = rebuilt.rpyStatus;
  } else errors = validateRecord(recordOfRow(old));
  await t(trx).updateTable('bureau_records').set({ status: 'superseded' }).where('id', '=', old.id).execute();
  await sql`
    INSERT INTO bureau_records (id, info_type, loan_id, line_id, customer_id, acct_code, rpt_date, rpt_date_code, segments,
      facts, rpy_status, negative, status, validation_errors, notice_key, notice_delivery, supersedes, retain_until,
      generated_on)
    SELECT ${id}::uuid, info_type, loan_id, line_id, customer_id, acct_code, rpt_date, rpt_date_code,
      ${JSON.stringify(segments)}::jsonb, ${JSON.stringify(facts)}::jsonb, ${rpyStatus}, negative, 'pending',
      ${JSON.stringify(errors)}::jsonb, notice_key, notice_delivery, id, retain_until, ${input.generatedOn}::date
    FROM bureau_records WHERE id = ${old.id}::uuid`.execute(trx);
  await sql`UPDATE bureau_records SET superseded_by = ${id}::uuid WHERE id = ${old.id}::uuid`.execute(trx);
  const submission = await createSubmission(trx, {
    scope: { recordIds: [id] },
    actor: input.actor,
    identities: input.identities,
    corrects: old.id,
  });
  return { recordId: id, submission };
}

/**
 * Housekeeping: records whose retention ended before `today` are deleted (negative information 5
 * years from the end of the behaviour); a record is never deleted earlier, and never while its
 * behaviour has not ended (retain_until unset).
 */
export async function purgeExpiredRecords(trx: Tx, today: DateString): Promise<number> {
  await sql`
    UPDATE bureau_records SET supersedes = NULL WHERE supersedes IN (
      SELECT id FROM bureau_records WHERE retain_until < ${today}::date)`.execute(trx);
  await sql`
    UPDATE bureau_records SET superseded_by = NULL WHERE superseded_by IN (
      SELECT id FROM bureau_records WHERE retain_until < ${today}::date)`.execute(trx);
  const deleted = await sql<{ id: string }>`
    DELETE FROM bureau_records WHERE retain_until IS NOT NULL AND retain_until < ${today}::date RETURNING id`.execute(
    trx,
  );
  return deleted.rows.length;
}
