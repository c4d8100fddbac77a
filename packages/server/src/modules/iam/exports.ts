import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import { type AuditActor, appendAudit } from './audit.ts';

// JR/T 0171-2020 (personal financial information): every export of personal or financial data is audited. Reports
// and the credit-bureau export call this in the transaction that reads the exported rows, so an
// export that is not audited cannot happen.

export type ExportRecord = {
  actor: AuditActor;
  origin: { ip: string | null; requestId: string | null };
  /** What was exported, e.g. `reports.loan-book`, and how it was filtered. */
  dataset: string;
  filter: Record<string, unknown>;
  rows: number;
  containsUnmaskedPersonalData: boolean;
};

export async function auditExport(trx: Tx, config: Config, record: ExportRecord): Promise<void> {
  await appendAudit(trx, config.secrets.auditKey, {
    actor: record.actor,
    action: 'data.exported',
    subject: { type: 'dataset', id: record.dataset },
    origin: record.origin,
    details: {
      filter: record.filter,
      rows: record.rows,
      containsUnmaskedPersonalData: record.containsUnmaskedPersonalData,
    },
  });
}
