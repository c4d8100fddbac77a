import { randomUUID } from 'node:crypto';
import { type LineFacts, lineRecord, localDate, validateRecord } from '@fenqi/core';
import { sql } from 'kysely';
import type { Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import { findLine } from '../credit/service.ts';
import type { BureauFigures } from '../servicing/bureau-figures.ts';
import { bureauSettings } from './build.ts';

// The 220 record (个人授信协议信息记录) of a revolving line, made once, when the first R4 draw under
// it is reported: the draws' 210 records name it by its 授信协议标识码 (the line id) in AcctCredSgmt.

export async function lineRecordFor(
  trx: Tx,
  draw: BureauFigures,
  date: DateString,
  generatedOn: DateString,
): Promise<boolean> {
  const known = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM bureau_lines WHERE line_id = ${draw.lineId}::uuid`.execute(trx);
  if ((known.rows[0]?.n ?? 0) > 0) return false;
  const line = await findLine(trx, draw.lineId);
  const facts: LineFacts = {
    contractCode: line.id,
    mngmtOrgCode: bureauSettings.mngmtOrgCode,
    amountMinor: line.limitMinor,
    effectiveDate: localDate(line.grantedOn),
    expiryDate: localDate(line.expiresOn),
    revolving: line.revolving,
    active: line.status === 'active',
  };
  const record = lineRecord(facts, localDate(date), '10');
  const id = randomUUID();
  await sql`
    INSERT INTO bureau_records (id, info_type, line_id, customer_id, acct_code, rpt_date, rpt_date_code, segments, facts,
                                status, validation_errors, generated_on)
    VALUES (${id}::uuid, '220', ${line.id}::uuid, ${line.customerId}::uuid, ${line.id}, ${date}::date, '10',
            ${JSON.stringify(record.segments)}::jsonb,
            ${JSON.stringify({ ...facts, amountMinor: `${facts.amountMinor}n` })}::jsonb, 'pending',
            ${JSON.stringify(validateRecord(record))}::jsonb, ${generatedOn}::date)
    ON CONFLICT (info_type, acct_code, rpt_date, rpt_date_code) WHERE status <> 'superseded' DO NOTHING`.execute(
    trx,
  );
  await sql`INSERT INTO bureau_lines (line_id, record_id) VALUES (${line.id}::uuid, ${id}::uuid)
            ON CONFLICT (line_id) DO NOTHING`.execute(trx);
  return true;
}
